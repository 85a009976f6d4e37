"""Shared goals in Block Kit: pure builders from ``data`` view-models to message and modal dicts.

User text (titles, metric names, notes) is escaped with ``bot.slack.text.plain``; people and
channels appear as mentions the reader's client renders; instants as ``<!date>`` tokens.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from bot.goals.data import GoalView, format_delta, is_better
from bot.goals.ids import Action, Block, CheckinCadence, Kind, Outcome, Status
from bot.slack import blocks as bk
from bot.slack.text import mention, plain, slack_date

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
BAR_WIDTH = 10


def progress_bar(fraction: float) -> str:
    """``▓▓▓░░░░░░░ 30%``: clamped to 0-100% for the bar, the real share in the number."""
    filled = round(max(0.0, min(1.0, fraction)) * BAR_WIDTH)
    return "▓" * filled + "░" * (BAR_WIDTH - filled) + f" {round(fraction * 100)}%"


def shown(goal: GoalView, value: float) -> str:
    """A value with its unit as mrkdwn: the unit label is user text, so it is escaped."""
    return plain(goal.show(value))


def due_token(goal: GoalView) -> str:
    if goal.due_on is None:
        return ""
    noon = datetime.combine(goal.due_on, time(12, 0), tzinfo=UTC)
    return slack_date(noon, "{date_long_pretty}", goal.due_on.isoformat())


def people(user_ids: tuple[str, ...]) -> str:
    return ", ".join(mention(u) for u in user_ids) or "—"


def cadence_text(goal: GoalView) -> str:
    day = WEEKDAYS[goal.weekday]
    when = f"{goal.local_time.strftime('%H:%M')} in each owner's time zone"
    if goal.cadence is CheckinCadence.MONTHLY:
        return f"Check-ins on the first {day} of each month at {when}"
    every = "every week" if goal.cadence is CheckinCadence.WEEKLY else "every 2 weeks"
    return f"Check-ins {every} on {day} at {when}"


def yardstick(goal: GoalView) -> str:
    """One line: where the number is against where it should be."""
    now = shown(goal, goal.current) if goal.current is not None else "no value yet"
    if goal.kind is Kind.TARGET and goal.target is not None:
        line = f"*Now* {now}  →  *Target* {shown(goal, goal.target)} (from {shown(goal, goal.baseline)})"
        if goal.due_on is not None:
            line += f" by {due_token(goal)}"
        return line
    low = shown(goal, goal.range_low) if goal.range_low is not None else None
    high = shown(goal, goal.range_high) if goal.range_high is not None else None
    healthy = f"{low} to {high}" if low and high else (f"at least {low}" if low else f"at most {high}")
    state = ""
    if goal.healthy is not None:
        state = "  :white_check_mark: healthy" if goal.healthy else "  :warning: outside the healthy range"
    return f"*Now* {now}  ·  *Healthy* {healthy}{state}"


def trend_text(goal: GoalView) -> str:
    if goal.trend is None:
        return "—"
    arrow = "→" if goal.trend == 0 else (":arrow_upper_right:" if goal.trend > 0 else ":arrow_lower_right:")
    good = "" if goal.trend == 0 else (" (better)" if is_better(goal.trend, goal.direction) else " (worse)")
    return f"{arrow} {plain(format_delta(goal.trend, goal.unit, goal.unit_label))}{good}"


def status_line(goal: GoalView) -> str:
    """Confidence and state in a few words, e.g. ``:large_yellow_circle: At risk``."""
    if goal.status is Status.CLOSED:
        outcome = Outcome(goal.outcome).label if goal.outcome in {o.value for o in Outcome} else ""
        return f":checkered_flag: Closed{': ' + outcome if outcome else ''}"
    parts = []
    if goal.confidence is not None:
        parts.append(f"{goal.confidence.emoji} {goal.confidence.label}")
    else:
        parts.append(":white_circle: No check-in yet")
    if goal.status is Status.PAUSED:
        parts.append(":double_vertical_bar: Paused")
    if goal.stale:
        parts.append(":hourglass: Stale: no check-in for two rounds")
    return "  ·  ".join(parts)


def goal_message(goal: GoalView) -> dict[str, Any]:
    """The goal's one message in its channel, updated in place; check-ins are replies in its thread."""
    lines = [f"*{plain(goal.metric_name)}*  ·  {yardstick(goal)}"]
    if goal.progress is not None:
        lines.append(f"`{progress_bar(goal.progress)}`")
    fields = [
        f"*Product*\n{people(goal.product_owners)}",
        f"*Marketing*\n{people(goal.marketing_owners)}",
        f"*Confidence*\n{status_line(goal)}",
        f"*Since the last check-in*\n{trend_text(goal)}",
    ]
    body: list[dict[str, Any]] = [
        bk.header(f"🎯 {goal.title}"),
        bk.section("\n".join(lines)),
        bk.fields_section(fields),
    ]
    if goal.why:
        body.append(bk.context(f"Why it matters: {plain(goal.why)}"))
    if goal.last_checkin is not None and goal.last_checkin.note:
        body.append(
            bk.context(f"Latest note from {mention(goal.last_checkin.user_id)}: {plain(goal.last_checkin.note)}")
        )
    kind = "One side's KPI, shared for visibility" if goal.visibility_only else "Shared goal"
    body.append(bk.context(f"{kind} · {cadence_text(goal)} · goal {goal.id}"))
    if goal.status is Status.ACTIVE:
        body.append(bk.actions(bk.button("Update", Action.UPDATE, str(goal.id)), block_id=Block.GOAL_ACTIONS))
    now = shown(goal, goal.current) if goal.current is not None else "n/a"
    text = f"Goal: {plain(goal.title)} — {plain(goal.metric_name)} now {now}"  # user text: escaped here too
    return {"text": text, "blocks": body}


def value_summary(goal: GoalView) -> str:
    """A one-line status for lists (Home, retros, /goal list): mrkdwn, the unit label escaped already."""
    now = shown(goal, goal.current) if goal.current is not None else "no value yet"
    if goal.kind is Kind.TARGET and goal.target is not None:
        return f"{now} of {shown(goal, goal.target)}" + (
            f" ({round(goal.progress * 100)}%)" if goal.progress is not None else ""
        )
    return now + ("" if goal.healthy is None else (" (healthy)" if goal.healthy else " (outside the range)"))
