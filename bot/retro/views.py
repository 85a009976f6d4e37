"""Pure Block Kit builders for what a retro posts: its channel message, the results in its
thread, the action-item DMs, and the ephemeral lines of ``/retro``. Modals are in ``modals``.

**Why one message updated in place.** A retro collects items for hours or days. Posting each
item as a thread reply would notify everyone following the thread every time, and a late item
would look like a new conversation. Instead each retro is *one* channel message that
``chat.update`` rewrites as items arrive (updates notify nobody), and at close *one* summary
reply goes in its thread, broadcast to the channel once so people see the results.

Nothing here shows vote totals while a retro is open, nor who voted, nor the author of an
anonymous item.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.goals.data import GoalView
from bot.goals.views import status_line, value_summary
from bot.retro.data import (
    ActionView,
    HealthSummary,
    ItemView,
    ManageResult,
    RetroCard,
    RetroSummary,
    SeriesLine,
    SetupResult,
)
from bot.retro.ids import Action, ActionStatus, Anonymity, RetroStatus, Strand
from bot.retro.templates import SIDE_NAMES, STRAND_NAMES, TEMPLATES
from bot.slack.blocks import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_TEXT_LIMIT,
    actions,
    button,
    cap_blocks,
    context,
    divider,
    header,
    section,
)
from bot.slack.blocks import Block as SlackBlock
from bot.slack.text import escape, mention, plain, slack_date, truncate
from bot.summaries.views import summary_mrkdwn

Message = dict[str, Any]


# --------------------------------------------------------------------------------------------
# Small helpers


def format_due(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _lines_within(lines: list[str], limit: int = SECTION_TEXT_LIMIT - 100) -> str:
    """Join lines, dropping the tail with "…and N more" so the text fits a section."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > limit:
            kept.append(f"_…and {len(lines) - index} more_")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def _item_line(item: ItemView, anonymity: Anonymity, *, votes: bool = False) -> str:
    text = plain(truncate(item.text, 500))
    if item.author_id is not None:
        by = f" — {mention(item.author_id)}"
    else:
        by = "" if anonymity is Anonymity.ALWAYS else " — _anonymous_"
    tally = f" *({item.votes} vote{'s' if item.votes != 1 else ''})*" if votes else ""
    return f"• {text}{by}{tally}"


def _action_line(action: ActionView) -> str:
    mark = "✅" if action.status is ActionStatus.DONE else "⏳"
    state = "done" if action.status is ActionStatus.DONE else f"due {format_due(action.due_on)}"
    return f"{mark} {plain(truncate(action.text, 300))} — {mention(action.owner_id)}, {state}"


# --------------------------------------------------------------------------------------------
# The retro's channel message


def anonymity_note(anonymity: Anonymity) -> str:
    return {
        Anonymity.OFF: "Names are shown with items.",
        Anonymity.OPTIONAL: "You can add items anonymously: then nobody, admins included, can see who wrote them.",
        Anonymity.ALWAYS: "Items are anonymous: nobody, admins included, can see who wrote them.",
    }[anonymity]


def goal_line(goal: GoalView) -> str:
    """A linked goal's status in one line: confidence, title, value against target."""
    title = plain(truncate(" ".join(goal.title.split()), 120))
    return f"• {status_line(goal)} — *{title}*: {plain(goal.metric_name)} {value_summary(goal)}"


def build_retro_message(card: RetroCard) -> Message:
    closed = card.status is RetroStatus.CLOSED
    name = f"{card.title} #{card.number}" if card.number > 1 else card.title
    blocks: list[SlackBlock] = [header(f"Retro: {name}")]
    if closed:
        intro = "This retro is closed. The results are in the thread below."
    else:
        intro = (
            f"Product and marketing, add what you want to talk about until {slack_date(card.closes_at)}. "
            f"Each of you has {card.votes_per_person} vote{'s' if card.votes_per_person != 1 else ''}; "
            "only you see yours until the retro closes. "
            f"Facilitator: {mention(card.facilitator_id)}."
        )
    blocks.append(section(intro))
    for note in card.opening_notes:
        shown = [f"• {plain(line)}" for line in note.lines] or ["_Nothing to note._"]
        blocks.append(section(f"*{plain(note.title)}*\n" + _lines_within(shown)))
    if card.previous_actions:
        reviewed = [_action_line(a) for a in card.previous_actions]
        blocks.append(section("*Last time's action items*\n" + _lines_within(reviewed)))
    if card.goals:
        blocks.append(section("*:dart: Our shared goals*\n" + _lines_within([goal_line(g) for g in card.goals])))
    blocks.append(divider())
    for index, prompt in enumerate(card.prompts):
        lines: list[str] = []
        if index == card.insights_prompt_index:
            if card.insights:
                lines += [f"> #{i.number} {plain(truncate(i.text, 200))}" for i in card.insights]
            else:
                lines.append("_No customer insights were captured since the last retro._")
        items = [i for i in card.items if i.prompt_index == index]
        lines += [_item_line(i, card.anonymity) for i in items] or ["_Nothing yet._"]
        blocks.append(section(f"*{plain(prompt)}*\n" + _lines_within(lines)))
    notes = [f"{len(card.items)} item{'s' if len(card.items) != 1 else ''}"]
    if card.rates_partnership:
        notes.append(f"{card.rating_count} partnership rating{'s' if card.rating_count != 1 else ''}")
    notes.append(anonymity_note(card.anonymity))
    blocks.append(context(" · ".join(notes)))
    if not closed:
        value = str(card.retro_id)
        buttons = [
            button("Add item", Action.ADD_ITEM, value, style="primary"),
            button("Vote", Action.VOTE, value),
        ]
        if card.rates_partnership:
            buttons.append(button("Rate the partnership", Action.RATE, value))
        buttons.append(button("Close retro", Action.CLOSE, value))
        blocks.append(actions(*buttons))
    blocks = cap_blocks(blocks, MESSAGE_BLOCK_LIMIT, "…and {n} more")
    # The fallback text shows in notifications: user text escaped, so a title can never ping.
    text = f"Retro: {escape(truncate(name, 150))} — {'closed' if closed else 'add your items'}"
    return {"text": text, "blocks": blocks}


# --------------------------------------------------------------------------------------------
# Summary


def _change(delta: float) -> str:
    if abs(delta) < 0.05:
        return "(±0)"
    return f"({'▲' if delta > 0 else '▼'}{abs(delta):.1f})"


def health_lines(health: HealthSummary) -> list[str]:
    lines: list[str] = []
    for side in health.sides:
        name = f"*{SIDE_NAMES[side.side]}* ({side.raters} rating{'s' if side.raters != 1 else ''})"
        if side.averages is None:
            lines.append(f"{name}: hidden — fewer than two people on this side rated, so averages would expose them.")
            continue
        parts = []
        for strand in Strand:
            part = f"{STRAND_NAMES[strand]} {side.averages[strand]:.1f}"
            if side.change is not None:
                part += f" {_change(side.change[strand])}"
            parts.append(part)
        lines.append(f"{name}: " + " · ".join(parts))
    if not health.sides:
        lines.append("_Nobody rated the partnership this time._")
    if health.previous_number is not None and any(s.change is not None for s in health.sides):
        lines.append(f"_Changes are against retro #{health.previous_number}._")
    picks = sorted(((n, s) for s, n in health.focus_counts.items() if n), key=lambda p: -p[0])
    if picks:
        lines.append("To work on together: " + ", ".join(f"{STRAND_NAMES[s]} ({n})" for n, s in picks))
    return lines


def build_summary_message(summary: RetroSummary) -> Message:
    name = f"{summary.title} #{summary.number}" if summary.number > 1 else summary.title
    blocks: list[SlackBlock] = [header(f"Retro results: {name}")]
    if summary.themes is not None:
        blocks.append(section(summary_mrkdwn("Main themes", summary.themes)))
    if summary.health is not None:
        health = "\n".join(health_lines(summary.health))
        blocks.append(section("*Partnership health* (average of 1 to 5, by side)\n" + health))
    for index, prompt in enumerate(summary.prompts):
        items = [i for i in summary.items if i.prompt_index == index]
        lines = [_item_line(i, Anonymity.OPTIONAL, votes=True) for i in items] or ["_No items._"]
        blocks.append(section(f"*{plain(prompt)}*\n" + _lines_within(lines)))
    if summary.action_items:
        blocks.append(section("*Action items*\n" + _lines_within([_action_line(a) for a in summary.action_items])))
    blocks.append(
        context(
            f"{mention(summary.facilitator_id)}, turn the items that matter into action items: "
            "owners get a DM and a reminder the day before it's due."
        )
    )
    add = button("Add action item", Action.ADD_ACTION_ITEM, str(summary.retro_id), style="primary")
    blocks.append(actions(add))
    blocks = cap_blocks(blocks, MESSAGE_BLOCK_LIMIT, "…and {n} more")
    return {"text": f"Retro results: {escape(truncate(name, 150))}", "blocks": blocks}


# --------------------------------------------------------------------------------------------
# Action items


def build_action_dm(action: ActionView, kind: str) -> Message:
    """The owner's DM: ``kind`` is "assigned", "reminder" or "done"."""
    text = plain(truncate(action.text, 1000))
    if kind == "done" or action.status is ActionStatus.DONE:
        body = f"✅ *Done:* {text}\n_From the retro “{plain(action.retro_title)}”._"
        return {"text": f"Done: {escape(truncate(action.text, 100))}", "blocks": [section(body)]}
    if kind == "reminder":
        lead = f"*Reminder:* this action item from the retro “{plain(action.retro_title)}” is due tomorrow."
    else:
        lead = f"You own an action item from the retro “{plain(action.retro_title)}”."
    body = f"{lead}\n>{text}\n*Due:* {format_due(action.due_on)}"
    value = str(action.id)
    blocks = [
        section(body),
        actions(
            button("Mark done", Action.ACTION_DONE, value, style="primary"),
            button("Change date", Action.ACTION_RESCHEDULE, value),
        ),
    ]
    due = format_due(action.due_on)
    return {"text": f"Action item: {escape(truncate(action.text, 100))} (due {due})", "blocks": blocks}


# --------------------------------------------------------------------------------------------
# /retro list


def build_list_text(lines: list[SeriesLine]) -> str:
    if not lines:
        return "No retros yet. Set one up with `/retro`."
    out = ["*Retros in this workspace*"]
    for line in lines[:30]:
        if line.open_retro_closes_at is not None:
            state = f"collecting items until {slack_date(line.open_retro_closes_at)}"
        elif line.paused:
            state = "paused"
        elif line.next_open_at is not None:
            state = f"next opens {slack_date(line.next_open_at)}"
        else:
            state = f"done ({line.runs} run{'s' if line.runs != 1 else ''})"
        template = TEMPLATES[line.template].name
        out.append(f"• *{plain(line.title)}* in <#{line.channel_id}> — {template}, {state}")
    if len(lines) > 30:
        out.append(f"_…and {len(lines) - 30} more_")
    return "\n".join(out)


def describe_setup(title: str, channel_id: str, opened: bool, first_run_at: datetime | None, cadence: str) -> str:
    if opened:
        return f"Your retro *{plain(title)}* is open in <#{channel_id}>."
    when = slack_date(first_run_at) if first_run_at is not None else "soon"
    repeat = "" if cadence == "once" else f", then {cadence}"
    return f"Your retro *{plain(title)}* will open in <#{channel_id}> on {when}{repeat}."


def describe_update(result: SetupResult) -> str:
    """What an edit did, for the modal that replaces the edit form."""
    title, where = plain(result.series.title), f"<#{result.series.channel_id}>"
    if result.opened is not None:
        return f"Saved *{title}*. A new retro is open in {where} now."
    if result.series.paused:
        return f"Saved *{title}*. It is paused: `/retro resume` with its title restarts it."
    if result.first_run_at is not None:
        repeat = "" if result.cadence_text in ("once", "now") else f", then {result.cadence_text}"
        return f"Saved *{title}*. The next retro opens in {where} on {slack_date(result.first_run_at)}{repeat}."
    return f"Saved *{title}*. No more retros are scheduled for it."


def describe_managed(action: str, result: ManageResult) -> str:
    """The ephemeral reply to ``/retro pause|resume|delete``."""
    title = plain(result.series.title)
    still_open = (
        f" The retro already collecting items still closes {slack_date(result.open_closes_at)}."
        if result.open_closes_at is not None
        else ""
    )
    if action == "pause":
        return f"Paused *{title}*: no new retros open until `/retro resume` with its title.{still_open}"
    if action == "resume":
        when = f" The next one opens {slack_date(result.next_run_at)}." if result.next_run_at is not None else ""
        return f"Resumed *{title}*.{when} Dates that fell inside the pause are skipped."
    kept = f"{result.runs} past retro{'s' if result.runs != 1 else ''}" if result.runs else "Its history"
    return (
        f"Deleted *{title}*: no more retros will open. {kept} and their action items are kept; "
        f"open action items still get their reminders.{still_open}"
    )
