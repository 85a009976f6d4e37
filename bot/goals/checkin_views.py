"""Check-ins in Block Kit: the owner's prompt DM (and its one reminder), the DM once somebody
answered, the check-in's reply in the goal's thread, the stale note, and the check-in modal.

Pure builders from ``data`` view-models. User text (titles, notes, pull problems) is escaped with
``bot.slack.text.plain``, in the top-level ``text`` fallback too; people are mentions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from bot.goals.data import NOTE_MAX, CheckinView, GoalView, format_delta, format_number, is_better
from bot.goals.ids import Action, Block, Callback, Confidence
from bot.goals.views import status_line, value_summary, yardstick
from bot.slack import blocks as bk
from bot.slack.text import mention, plain, slack_date

MODAL_TITLE = "Goal check-in"


def _day(day: date) -> str:
    noon = datetime.combine(day, time(12, 0), tzinfo=UTC)
    return slack_date(noon, "{date_long_pretty}", day.isoformat())


def prompt_message(
    goal: GoalView, *, due_on: date, pulled: float | None, pull_problem: str, reminder: bool
) -> dict[str, Any]:
    """An owner's one DM for a round (``reminder``: the one nudge a working day later)."""
    title = plain(goal.title)
    if reminder:
        lead = f":bell: Reminder: nobody has checked in on *{title}* yet for {_day(due_on)}."
    else:
        lead = f":dart: Time to check in on *{title}* ({_day(due_on)})."
    lines = [lead, f"*{plain(goal.metric_name)}*  ·  {yardstick(goal)}"]
    if pulled is not None:
        lines.append(f":inbox_tray: Pulled from your source: *{goal.show(pulled)}*. Confirm it or correct it.")
    elif pull_problem and not reminder:
        lines.append(
            f":warning: I couldn't pull the value from your source: {plain(pull_problem)}. Please type it in this time."
        )
    lines.append("The first owner to answer checks in for everybody.")
    body = [
        bk.section("\n".join(lines)),
        bk.actions(bk.button("Update", Action.UPDATE, str(goal.id), style="primary"), block_id=Block.PROMPT_ACTIONS),
    ]
    word = "Reminder: check in" if reminder else "Check in"
    return {"text": f"{word} on the goal: {title}", "blocks": body}


def checkin_line(goal: GoalView, checkin: CheckinView, previous: float | None) -> str:
    """``5.3% (+0.5% since the last check-in), :large_yellow_circle: At risk``."""
    line = f"*{goal.show(checkin.value)}*"
    if previous is not None:
        delta = checkin.value - previous
        good = "" if delta == 0 else (" better" if is_better(delta, goal.direction) else " worse")
        line += f" ({format_delta(delta, goal.unit, goal.unit_label)}{good} since the last check-in)"
    return f"{line}  ·  {checkin.confidence.emoji} {checkin.confidence.label}"


def answered_prompt_message(goal: GoalView, checkin: CheckinView, previous: float | None) -> dict[str, Any]:
    """An owner's DM of the round once somebody answered: no button, nothing left to do."""
    text = f":white_check_mark: {mention(checkin.user_id)} checked in on *{plain(goal.title)}*: " + checkin_line(
        goal, checkin, previous
    )
    body = [bk.section(text)]
    if checkin.note:
        body.append(bk.context(f"“{plain(checkin.note)}”"))
    fallback = f"{mention(checkin.user_id)} checked in on {plain(goal.title)}: {goal.show(checkin.value)}"
    return {"text": fallback, "blocks": body}


def checkin_reply(goal: GoalView, checkin: CheckinView, previous: float | None) -> dict[str, Any]:
    """The check-in as a reply in the goal's thread."""
    lines = [f"{mention(checkin.user_id)} checked in: " + checkin_line(goal, checkin, previous)]
    lines.append(f"Now {value_summary(goal)}")
    body = [bk.section("\n".join(lines))]
    if checkin.note:
        body.append(bk.section(f">{plain(checkin.note)}"))
    fallback = f"Check-in: {goal.show(checkin.value)}, {checkin.confidence.label}"
    return {"text": fallback, "blocks": body}


def stale_message(goal: GoalView) -> dict[str, Any]:
    """Told once, by DM, to each owner: two check-ins in a row went unanswered."""
    text = (
        f":hourglass: *{plain(goal.title)}* missed its last two check-ins, so it now shows as stale in "
        f"<#{goal.channel_id}>. A check-in (the Update button) clears that."
    )
    body = [
        bk.section(text),
        bk.actions(bk.button("Update", Action.UPDATE, str(goal.id), style="primary"), block_id=Block.PROMPT_ACTIONS),
    ]
    return {"text": f"The goal {plain(goal.title)} is stale: no check-in for two rounds", "blocks": body}


def _confidence_options() -> list[dict[str, Any]]:
    return [bk.option(f"{c.label}", c.value) for c in Confidence]


def checkin_modal(goal: GoalView, *, pulled: float | None, metadata: str) -> dict[str, Any]:
    """Value (prefilled with the latest), confidence (radio), note."""
    intro = [f"*{plain(goal.title)}*", f"*{plain(goal.metric_name)}*  ·  {yardstick(goal)}", status_line(goal)]
    if pulled is not None:
        intro.append(f":inbox_tray: Pulled from your source: *{goal.show(pulled)}*")
    value = bk.text_input(
        Action.INPUT,
        initial=format_number(goal.current).replace(",", "") if goal.current is not None else None,
        placeholder="For example 12.5",
        max_length=40,
    )
    confidence: dict[str, Any] = {"type": "radio_buttons", "action_id": Action.INPUT, "options": _confidence_options()}
    if goal.confidence is not None:
        confidence["initial_option"] = bk.option(goal.confidence.label, goal.confidence.value)
    blocks = [
        bk.section("\n".join(intro)),
        bk.input_block(
            f"Current value of {goal.metric_name}"[:2000],
            value,
            block_id=Block.VALUE,
            hint=f"Just the number: 12.5 reads as {goal.show(12.5)}.",
        ),
        bk.input_block("Confidence", confidence, block_id=Block.CONFIDENCE),
        bk.input_block(
            "Note",
            bk.text_input(Action.INPUT, multiline=True, max_length=NOTE_MAX, placeholder="What moved the number?"),
            block_id=Block.NOTE,
            optional=True,
        ),
    ]
    return bk.modal(MODAL_TITLE, blocks, callback_id=Callback.CHECKIN, submit="Check in", private_metadata=metadata)


def notice_modal(text: str) -> dict[str, Any]:
    """A modal with one sentence, when there is no ephemeral channel to answer in (App Home)."""
    return bk.modal(MODAL_TITLE, [bk.section(plain(text))], callback_id="goals_notice", submit=None, close="Close")
