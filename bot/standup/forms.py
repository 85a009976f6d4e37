"""The stand-up's modals: state -> data (``bot.slack.forms``), validation -> {block_id: message},
and their typed ``private_metadata`` (views encode it, listeners decode it). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.slack import forms
from bot.slack.channels import read_confirmation
from bot.slack.metadata import ViewMetadata
from bot.standup.data import (
    ANSWER_LIMIT,
    DEFAULT_BLOCKER_QUESTION,
    DEFAULT_ESCALATE_DAYS,
    MAX_QUESTIONS,
    NAME_LIMIT,
    QUESTION_LIMIT,
    StandupInput,
)
from bot.standup.ids import PREFILL_OPTION, Action, Block, Side, ZoneMode


class SetupMetadata(ViewMetadata):
    standup_id: int | None = None


class AnswerMetadata(ViewMetadata):
    occurrence_id: int


def parse_questions(text: str | None) -> list[str]:
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


def parse_setup(state: forms.State) -> StandupInput:
    """The setup modal as submitted (``view.state.values``); ``validate_setup`` says what to fix."""
    questions = {"all": parse_questions(forms.text(state, Block.QUESTIONS, Action.QUESTIONS))} | {
        side.value: parse_questions(forms.text(state, Block.questions(side), Action.QUESTIONS)) for side in Side
    }
    return StandupInput(
        name=forms.text(state, Block.NAME, Action.NAME),
        channel_id=forms.conversation(state, Block.CHANNEL, Action.CHANNEL) or "",
        people={side: forms.users(state, Block.people(side), Action.PEOPLE) for side in Side},
        groups={side: forms.selected_values(state, Block.groups(side), Action.GROUPS) for side in Side},
        days=[int(day) for day in forms.selected_values(state, Block.DAYS, Action.DAYS)],
        local_time=str(forms.element(state, Block.TIME, Action.TIME).get("selected_time") or ""),
        zone_mode=ZoneMode(forms.selected(state, Block.ZONE_MODE, Action.ZONE_MODE) or ZoneMode.PERSONAL),
        timezone=forms.selected(state, Block.TIMEZONE, Action.TIMEZONE) or "UTC",
        questions=questions,
        blocker_question=forms.text(state, Block.BLOCKER_QUESTION, Action.BLOCKER_QUESTION),
        reminder_minutes=int(forms.selected(state, Block.REMINDER, Action.REMINDER) or 0),
        open_minutes=int(forms.selected(state, Block.OPEN_FOR, Action.OPEN_FOR) or 480),
        escalate_after_days=int(forms.selected(state, Block.ESCALATE, Action.ESCALATE) or DEFAULT_ESCALATE_DAYS),
        prefill=PREFILL_OPTION in forms.selected_values(state, Block.OPTIONS, Action.OPTIONS),
        external_ok=read_confirmation(state, Block.EXTERNAL, Action.EXTERNAL),
    )


def validate_setup(data: StandupInput) -> dict[str, str]:
    """Field problems keyed by the setup modal's block ids (empty when fine)."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors[Block.NAME] = "Give the stand-up a name, e.g. “Launch sync”."
    elif len(data.name) > NAME_LIMIT:
        errors[Block.NAME] = f"Keep the name under {NAME_LIMIT} characters (it has {len(data.name)})."
    if not data.channel_id:
        errors[Block.CHANNEL] = "Pick the channel where answers are shared."
    if not any(data.people.values()) and not any(data.groups.values()):
        errors[Block.PEOPLE_PRODUCT] = "Add at least one person or user group."
    if not data.days:
        errors[Block.DAYS] = "Pick at least one day."
    try:
        time.fromisoformat(data.local_time)
    except ValueError:
        errors[Block.TIME] = "Pick a time of day."
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors[Block.TIMEZONE] = "Pick a time zone from the list."
    for key, block in [("all", str(Block.QUESTIONS))] + [(side.value, Block.questions(side)) for side in Side]:
        questions = data.questions.get(key) or []
        if key == "all" and not questions:
            errors[block] = "Add at least one question, one per line."
        elif len(questions) > MAX_QUESTIONS:
            errors[block] = f"Up to {MAX_QUESTIONS} questions, one per line (there are {len(questions)})."
        elif any(len(q) > QUESTION_LIMIT for q in questions):
            errors[block] = f"Keep each question under {QUESTION_LIMIT} characters."
    if not data.blocker_question.strip():
        errors[Block.BLOCKER_QUESTION] = "Ask about blockers, e.g. “" + DEFAULT_BLOCKER_QUESTION + "”"
    elif len(data.blocker_question) > QUESTION_LIMIT:
        errors[Block.BLOCKER_QUESTION] = f"Keep it under {QUESTION_LIMIT} characters."
    return errors


def parse_answer(state: forms.State) -> tuple[list[str], str, str | None, str]:
    """(answers in question order, blocker, the person asked, the ask) from the answer modal."""
    indexed = sorted(
        (int(block_id.removeprefix(Block.ANSWER_PREFIX)), block_id)
        for block_id in state
        if block_id.startswith(Block.ANSWER_PREFIX) and block_id.removeprefix(Block.ANSWER_PREFIX).isdigit()
    )
    return (
        [forms.text(state, block_id, Action.ANSWER_TEXT) for _, block_id in indexed],
        forms.text(state, Block.BLOCKER, Action.BLOCKER),
        forms.user(state, Block.ASK_USER, Action.ASK_USER),
        forms.text(state, Block.ASK_TEXT, Action.ASK_TEXT),
    )


def validate_answer(
    answers: Sequence[str], blocker: str, ask_user: str | None, ask_text: str, user_id: str
) -> dict[str, str]:
    """Modal errors keyed by block id; empty when fine. Nothing typed is lost either way."""
    errors: dict[str, str] = {}
    for index, text in enumerate(answers):
        if not text.strip():
            errors[Block.answer(index)] = "Please write a few words here (or use “Skip today” in my message)."
        elif len(text) > ANSWER_LIMIT:
            errors[Block.answer(index)] = f"That's {len(text)} characters; please keep it under {ANSWER_LIMIT}."
    if len(blocker) > ANSWER_LIMIT:
        errors[Block.BLOCKER] = f"That's {len(blocker)} characters; please keep it under {ANSWER_LIMIT}."
    if len(ask_text) > ANSWER_LIMIT:
        errors[Block.ASK_TEXT] = f"That's {len(ask_text)} characters; please keep it under {ANSWER_LIMIT}."
    if ask_user and not ask_text.strip():
        errors[Block.ASK_TEXT] = "Say what you need from them."
    if ask_text.strip() and not ask_user:
        errors[Block.ASK_USER] = "Pick who on the other team you are asking."
    if ask_user and ask_user == user_id:
        errors[Block.ASK_USER] = "Pick someone on the other team (not yourself)."
    return errors


def parse_skip(argument: str, today: date) -> tuple[date, date] | str:
    """``today`` | ``until YYYY-MM-DD`` -> (first, last) local dates, or a usage message."""
    words = argument.lower().split()
    if not words or words == ["today"]:
        return today, today
    if len(words) == 2 and words[0] == "until":
        try:
            last = date.fromisoformat(words[1])
        except ValueError:
            return "Use a date like 2026-12-24: `/standup skip until 2026-12-24`."
        return today, last
    return "Use `/standup skip today` or `/standup skip until YYYY-MM-DD`."


def parse_id(value: object) -> int | None:
    """An id from a button's ``value`` (re-checked against the team by the service), or None."""
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class DayOffCommand:
    """``/standup holiday add YYYY-MM-DD [name] | remove YYYY-MM-DD | list``, parsed."""

    verb: str  # "add" | "remove" | "list"
    day: date | None = None
    name: str = ""


HOLIDAY_USAGE = (
    "Use `/standup holiday add YYYY-MM-DD [name]`, `/standup holiday remove YYYY-MM-DD` or `/standup holiday list`."
)


def parse_day_off(argument: str) -> DayOffCommand | str:
    """The ``holiday`` subcommand's words, or one friendly line saying what is wrong."""
    words = argument.split()
    verb = words[0].lower() if words else "list"
    if verb == "list" and len(words) <= 1:
        return DayOffCommand("list")
    if verb not in ("add", "remove") or len(words) < 2:
        return HOLIDAY_USAGE
    try:
        day = date.fromisoformat(words[1])
    except ValueError:
        shown = words[1][:20].replace("`", "'")
        return (
            f"“{shown}” is not a date I can read. Write it as YYYY-MM-DD, "
            "e.g. `/standup holiday add 2026-12-24 Christmas Eve`."
        )
    if verb == "remove" and len(words) > 2:
        return HOLIDAY_USAGE
    return DayOffCommand(verb, day, " ".join(words[2:]))


def parse_holidays(state: forms.State) -> tuple[str | None, str, str]:
    """The "My public holidays" modal -> (whose, country, subdivision); "" = none."""
    user = forms.user(state, Block.HOLIDAY_USER)
    country = forms.selected(state, Block.HOLIDAY_COUNTRY) or ""
    subdivision = forms.selected(state, Block.HOLIDAY_SUBDIVISION) or ""
    return user, "" if country == NO_CHOICE else country, "" if subdivision == NO_CHOICE else subdivision


def picked_country(action: dict[str, Any]) -> str:
    """The country chosen in a ``block_actions`` of the country select ("" = none)."""
    option = action.get("selected_option")
    value = str(option.get("value") or "") if isinstance(option, dict) else ""
    return "" if value == NO_CHOICE else value


NO_CHOICE = "-"  # the "no public holidays" / "whole country" options' value
