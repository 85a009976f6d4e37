"""The retro modals' state -> data (``bot.slack.forms`` readers), the setup's validation, and the
typed ``private_metadata`` the modals carry (``modals`` encodes it, listeners decode it).

A field that cannot be read raises ``RetroError`` on its block, so the listener answers it next
to the field with everything typed still there (``bot.slack.answers``).
"""

from __future__ import annotations

from datetime import date, datetime

from bot.retro.data import (
    DEFAULT_LOCAL_TIME,
    MAX_DAYS_AFTER_LAUNCH,
    MAX_VOTES_PER_PERSON,
    TITLE_MAX_LENGTH,
    RetroError,
    SeriesSetup,
)
from bot.retro.ids import Anonymity, Block, RetroTemplate, Side, StartMode, Strand
from bot.retro.templates import TEMPLATES, PromptError, parse_custom_prompts
from bot.scheduling.cadence import InvalidCadence, local_to_utc, zone
from bot.slack import forms
from bot.slack.channels import read_confirmation
from bot.slack.metadata import ViewMetadata


class RetroMetadata(ViewMetadata):
    retro_id: int


class SeriesMetadata(ViewMetadata):
    series_id: int = 0  # 0: a new series
    goal_id: int = 0  # a new series about this shared goal (0: none); looked up again by team


class ActionMetadata(ViewMetadata):
    action_id: int
    channel_id: str = ""
    message_ts: str = ""


# Every retro input's action id is its block id, so the readers name both.


def _text(state: forms.State, block: Block) -> str:
    return forms.text(state, block, block)


def _selected(state: forms.State, block: Block) -> str | None:
    return forms.selected(state, block, block)


# --------------------------------------------------------------------------------------------
# The setup modal


def parse_setup(state: forms.State) -> SeriesSetup:
    """The setup modal's state -> SeriesSetup; ``RetroError`` on a field that cannot be read.
    ``validate_setup`` says what else needs fixing."""
    title = _text(state, Block.TITLE)
    channel_id = forms.conversation(state, Block.CHANNEL, Block.CHANNEL) or ""
    if not channel_id:
        raise RetroError("Pick the channel both teams share.", block_id=Block.CHANNEL)
    template = RetroTemplate(_selected(state, Block.TEMPLATE) or RetroTemplate.WELL_NOT_TRY)
    if template is RetroTemplate.CUSTOM:
        try:
            prompts = parse_custom_prompts(_text(state, Block.PROMPTS))
        except PromptError as error:
            raise RetroError(str(error), block_id=Block.PROMPTS) from None
    else:
        prompts = list(TEMPLATES[template].prompts)
    start_mode = StartMode(_selected(state, Block.WHEN) or StartMode.NOW)
    start_date = forms.date_value(state, Block.DATE, Block.DATE, message="That date or time doesn't look right.")
    local_time = forms.time_value(state, Block.TIME, Block.TIME, message="That date or time doesn't look right.")
    launch_date = forms.date_value(state, Block.LAUNCH_DATE, Block.LAUNCH_DATE)
    days_after_launch = forms.number(
        state,
        Block.DAYS_AFTER_LAUNCH,
        Block.DAYS_AFTER_LAUNCH,
        message=f"Use a whole number of days, 0 to {MAX_DAYS_AFTER_LAUNCH}.",
    )
    return SeriesSetup(
        title=title,
        channel_id=channel_id,
        start_mode=start_mode,
        template=template,
        prompts=prompts,
        anonymity=Anonymity(_selected(state, Block.ANONYMITY) or Anonymity.OPTIONAL),
        votes_per_person=int(_selected(state, Block.VOTES) or 3),
        collect_minutes=int(_selected(state, Block.COLLECT) or 24) * 60,
        start_date=start_date,
        local_time=local_time or DEFAULT_LOCAL_TIME,
        timezone=_text(state, Block.TIMEZONE) or "UTC",
        repeat_weeks=int(_selected(state, Block.REPEAT) or 1),
        include_insights=bool(forms.selected_values(state, Block.INSIGHTS, Block.INSIGHTS)),
        launch_date=launch_date,
        days_after_launch=days_after_launch,
        external_ok=read_confirmation(state, Block.EXTERNAL, Block.EXTERNAL),
    )


def validate_setup(setup: SeriesSetup, now: datetime, *, past_date_ok: bool = False) -> dict[str, str]:
    """``{block_id: message}`` for the first field that needs fixing; empty when the setup is fine.

    ``past_date_ok``: an edit that keeps a one-off's date which has already passed (the retro
    ran) is fine; it just schedules nothing new.
    """
    if not setup.title.strip():
        return {Block.TITLE: "Give the retro a title."}
    if len(setup.title) > TITLE_MAX_LENGTH:
        return {Block.TITLE: f"Keep the title under {TITLE_MAX_LENGTH} characters."}
    if not setup.prompts:
        return {Block.PROMPTS: "Add at least one prompt, one per line."}
    if not 1 <= setup.votes_per_person <= MAX_VOTES_PER_PERSON:
        return {Block.VOTES: f"Pick 1 to {MAX_VOTES_PER_PERSON} votes per person."}
    if setup.start_mode is StartMode.NOW:
        return {}
    try:
        tz = zone(setup.timezone)
    except InvalidCadence as error:
        return {Block.TIMEZONE: f"{error} Use a name like Europe/Berlin or America/New_York."}
    days = setup.days_after_launch
    if days is not None and not 0 <= days <= MAX_DAYS_AFTER_LAUNCH:
        return {Block.DAYS_AFTER_LAUNCH: f"Pick 0 to {MAX_DAYS_AFTER_LAUNCH} days after the launch."}
    if days is not None and setup.launch_date is None:
        return {Block.LAUNCH_DATE: "Pick the launch date the days are counted from."}
    if setup.launch_date is not None and setup.start_date is not None:
        return {Block.DATE: "Pick either the retro's date or a launch date, not both. Clear one of them."}
    first_date = setup.first_date
    if first_date is None:
        return {Block.DATE: "Pick the date of the first retro, or a launch date and how many days after it."}
    first = local_to_utc(first_date, setup.local_time, tz)
    if setup.start_mode is StartMode.ON_DATE and first <= now and not past_date_ok:
        block = Block.LAUNCH_DATE if setup.launch_date is not None else Block.DATE
        return {block: "That date and time have passed. Pick a later one, or choose Start now."}
    if setup.start_mode is StartMode.RECURRING and not 1 <= setup.repeat_weeks <= 52:
        return {Block.REPEAT: "Repeat every 1 to 52 weeks."}
    return {}


# --------------------------------------------------------------------------------------------
# Items, ratings, action items


def parse_item(state: forms.State) -> tuple[int, str, bool]:
    """(prompt index, text, anonymous) from the add-item modal."""
    prompt = _selected(state, Block.ITEM_PROMPT)
    if prompt is None:
        raise RetroError("Pick a prompt for your item.", block_id=Block.ITEM_PROMPT)
    anonymous = bool(forms.selected_values(state, Block.ITEM_ANONYMOUS, Block.ITEM_ANONYMOUS))
    return int(prompt), _text(state, Block.ITEM_TEXT), anonymous


def parse_rating(state: forms.State) -> tuple[Side, dict[Strand, int], Strand]:
    """(side, score per strand, the strand to work on) from the rating modal."""
    side = _selected(state, Block.SIDE)
    if side is None:
        raise RetroError("Pick your side.", block_id=Block.SIDE)
    scores: dict[Strand, int] = {}
    for strand, block in (
        (Strand.TRUST, Block.TRUST),
        (Strand.OWNERSHIP, Block.OWNERSHIP),
        (Strand.PLANNING, Block.PLANNING),
    ):
        chosen = _selected(state, block)
        if chosen is None:
            raise RetroError("Pick a rating from 1 to 5.", block_id=block)
        scores[strand] = int(chosen)
    focus = _selected(state, Block.FOCUS)
    if focus is None:
        raise RetroError("Pick the strand you'd most like to work on.", block_id=Block.FOCUS)
    return Side(side), scores, Strand(focus)


def parse_due(state: forms.State) -> date | None:
    return forms.date_value(state, Block.ACTION_DUE, Block.ACTION_DUE)


def parse_action_item(state: forms.State) -> tuple[int | None, str, str, date | None]:
    """(source item id, text, owner id, due date) from the action-item modal."""
    source = _selected(state, Block.ACTION_SOURCE)
    owner = forms.user(state, Block.ACTION_OWNER, Block.ACTION_OWNER) or ""
    return (int(source) if source else None), _text(state, Block.ACTION_TEXT), owner, parse_due(state)
