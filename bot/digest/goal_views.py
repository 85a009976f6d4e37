"""The digest's "Shared goals" section in Block Kit: pure, from ``data.GoalsSection``.

Open goals worst first (off track, at risk, on track, not checked in yet), each on one line with
its confidence, value against target, progress and the change since last week; stale goals are
marked; then the goals closed this week with their outcome. Every list ends "…and N more" rather
than outgrowing a section (3,000 characters) or the message (50 blocks).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.digest import data
from bot.goals.data import format_delta, is_better
from bot.goals.ids import Status
from bot.slack import blocks as bk
from bot.slack.text import channel_link, plain, truncate

TITLE_CHARS = 80
MORE = "…and {n} more: see `/goal list`"


def _confidence(goal: data.GoalLine) -> str:
    if goal.confidence is None:
        return ":white_circle: No check-in yet"
    return f"{goal.confidence.emoji} {goal.confidence.label}"


def value_text(goal: data.GoalLine) -> str:
    """``5% of 6% (50%)``, ``12 signups (healthy)``, ``no value yet``."""
    now = goal.show(goal.current) if goal.current is not None else "no value yet"
    if goal.target is not None and goal.progress is not None:
        return f"{now} of {goal.show(goal.target)} ({round(goal.progress * 100)}%)"
    if goal.target is not None:
        return f"{now}, target {goal.show(goal.target)}"
    if goal.healthy is None:
        return now
    return now + (" (healthy)" if goal.healthy else " (outside the healthy range)")


def change_text(goal: data.GoalLine) -> str:
    """The change since last week, with whether it is good news for the goal's direction."""
    change = goal.change
    if change is None:
        return "no value a week ago" if goal.current is not None else "no change to compare"
    if change == 0:
        return "no change since last week"
    verdict = "better" if is_better(change, goal.direction) else "worse"
    return f"{format_delta(change, goal.unit, goal.unit_label)} since last week ({verdict})"


def goal_line(goal: data.GoalLine) -> str:
    title = plain(truncate(" ".join(goal.title.split()), TITLE_CHARS))
    parts = [f"• {_confidence(goal)} *{title}* — {plain(value_text(goal))}, {plain(change_text(goal))}"]
    if goal.stale:
        parts.append(" :hourglass: _stale: no check-in for two rounds_")
    if goal.status is Status.PAUSED:
        parts.append(" _(paused)_")
    return "".join(parts) + f" {channel_link(goal.channel_id)}"


def closed_line(goal: data.GoalLine) -> str:
    title = plain(truncate(" ".join(goal.title.split()), TITLE_CHARS))
    outcome = goal.outcome.label if goal.outcome is not None else "Closed"
    final = f" at {plain(goal.show(goal.current))}" if goal.current is not None else ""
    learning = f": “{plain(truncate(' '.join(goal.learning.split()), 160))}”" if goal.learning.strip() else ""
    return f"• :checkered_flag: *{title}* — {outcome}{final}{learning}"


def _lines(title: str, lines: Sequence[str], total: int) -> str:
    return bk.capped_lines(title, lines, total=total, more=MORE)


def goals_blocks(section: data.GoalsSection) -> list[bk.Block]:
    out: list[bk.Block] = []
    worrying = sum(1 for g in section.open_goals if g.confidence is not None and g.confidence.rank < 2)
    heading = f"*:dart: Shared goals* — *{section.open_total}* open"
    if worrying:
        heading += f", *{worrying}* at risk or off track"
    if section.open_goals:
        out.append(bk.section(_lines(heading, [goal_line(g) for g in section.open_goals], section.open_total)))
    else:
        out.append(bk.section(heading))
    if section.closed:
        lines = [closed_line(g) for g in section.closed]
        out.append(bk.section(_lines("*Closed this week*", lines, section.closed_total)))
    return out
