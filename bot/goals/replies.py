"""Pure builders for what ``/goal`` answers and the messages closing and deleting send: the
ephemeral list with each goal's menu, the help, one-line confirmations, the outcome posted in a
goal's thread and the channel message of a deleted goal. User text goes through ``plain``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.goals.data import GoalView
from bot.goals.ids import Action, Outcome, Status
from bot.goals.views import status_line, value_summary
from bot.slack import blocks as bk
from bot.slack.text import channel_link, mention, plain, slack_date, truncate

LIST_LIMIT = 45  # goals shown in /goal list (a message holds 50 blocks: the heading and a tail)

HELP_INTRO = (
    "A *shared goal* is one number product and marketing own together: a metric with a baseline and a "
    "target by a date (or an ongoing KPI with a healthy range), owners on both sides, and a check-in "
    "every few weeks in its channel's thread."
)


def menu_options(goal: GoalView) -> list[dict[str, Any]]:
    """The ``GOAL_MENU`` overflow of one goal: option values are ``<verb>:<goal id>``."""
    toggle = ("Resume check-ins", "resume") if goal.status is Status.PAUSED else ("Pause check-ins", "pause")
    choices = [
        ("Edit", "edit"),
        toggle,
        ("Values: push & pull", "values"),
        ("Close with an outcome", "close"),
        ("Delete", "delete"),
    ]
    return [bk.option(text, f"{verb}:{goal.id}") for text, verb in choices]


def goal_line(goal: GoalView) -> str:
    return (
        f"*{plain(goal.title)}*  ·  goal {goal.id}  ·  {channel_link(goal.channel_id)}\n"
        f"{plain(goal.metric_name)}: {value_summary(goal)}  ·  {status_line(goal)}"
    )


def build_list_message(goals: list[GoalView]) -> dict[str, Any]:
    """``/goal list``: the workspace's open goals, each with its menu (ephemeral)."""
    if not goals:
        text = "No shared goals yet. `/goal new` sets one up with an owner from each team."
        return {"text": text, "blocks": [bk.section(text)]}
    blocks: list[dict[str, Any]] = [bk.section(f"*Shared goals* ({len(goals)} open)")]
    for goal in goals[:LIST_LIMIT]:
        menu = {"type": "overflow", "action_id": Action.GOAL_MENU, "options": menu_options(goal)}
        blocks.append(bk.section(goal_line(goal), accessory=menu))
    if len(goals) > LIST_LIMIT:
        blocks.append(bk.context(f"…and {len(goals) - LIST_LIMIT} more."))
    return {"text": f"{len(goals)} shared goals", "blocks": blocks}


def help_text(usage: str) -> str:
    return f"{HELP_INTRO}\n\n{usage}"


def saved_text(goal: GoalView, *, created: bool) -> str:
    what = "is set up" if created else "is saved"
    return (
        f"*{plain(goal.title)}* {what} (goal {goal.id}). Its message is in {channel_link(goal.channel_id)}; "
        "the owners get a DM at each check-in."
    )


def paused_text(goal: GoalView) -> str:
    return f"Paused *{plain(goal.title)}* (goal {goal.id}): no check-ins until `/goal resume {goal.id}`."


def resumed_text(goal: GoalView) -> str:
    return f"Resumed *{plain(goal.title)}* (goal {goal.id}): check-ins continue from the next date."


def closed_text(goal: GoalView) -> str:
    return f"Closed *{plain(goal.title)}*. The outcome is in its thread in {channel_link(goal.channel_id)}."


def deleted_text(title: str) -> str:
    return f"Deleted *{plain(title)}* with its check-ins and values."


def outcome_reply(goal: GoalView, outcome: Outcome, learning: str, closed_by: str) -> dict[str, Any]:
    """The outcome, posted in the goal's thread, with the offer to open a retro about it."""
    emoji = {Outcome.HIT: ":tada:", Outcome.PARTLY: ":large_yellow_circle:", Outcome.MISSED: ":red_circle:"}[outcome]
    lines = [f"{emoji} *Closed: {outcome.label}* by {mention(closed_by)}"]
    if goal.current is not None:
        lines.append(f"{plain(goal.metric_name)}: {value_summary(goal)}")
    if learning:
        lines.append(f"*What we learned:* {plain(learning)}")
    blocks = [
        bk.section("\n".join(lines)),
        bk.actions(bk.button("Open a retro about it", Action.OPEN_RETRO, str(goal.id))),
    ]
    text = f"Closed: {outcome.label}." + (f" What we learned: {plain(truncate(learning, 200))}" if learning else "")
    return {"text": text, "blocks": blocks}


def deleted_message(title: str, deleted_by: str, at: datetime) -> dict[str, Any]:
    """What the goal's channel message becomes when the goal is deleted."""
    when = slack_date(at, "{date_short_pretty}")
    text = f":wastebasket: The goal *{plain(title)}* was deleted by {mention(deleted_by)} on {when}."
    return {"text": f"This goal was deleted by {mention(deleted_by)}.", "blocks": [bk.section(text)]}
