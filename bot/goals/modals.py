"""Pure Block Kit builders for the goal modals: new and edit (one builder, pre-filled for edit),
close (the outcome and a learning), delete (a confirmation), and a notice. Their state is read
back by ``forms``; every input's action id is ``Action.INPUT``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.goals.data import LEARNING_MAX, METRIC_MAX, TITLE_MAX, UNIT_LABEL_MAX, WHY_MAX, GoalInput, GoalView
from bot.goals.forms import DEFAULT_TIME, GoalMetadata, GoalRef
from bot.goals.ids import Action, Block, Callback, CheckinCadence, Direction, Kind, Outcome, Unit
from bot.goals.views import WEEKDAYS, value_summary
from bot.slack.blocks import Block as SlackBlock
from bot.slack.blocks import context, divider, input_block, modal, option, plain_text, section, text_input
from bot.slack.channels import confirmation_block
from bot.slack.text import channel_link, plain

VISIBILITY_VALUE = "visibility_only"
VISIBILITY_TEXT = "One side's KPI, shared for visibility"


def build_notice_modal(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something: a goal saved, closed, deleted, or why it could not be."""
    return modal(title, [section(text)], callback_id=Callback.NOTICE, submit=None, close="Done")


def _number_text(value: float | None) -> str | None:
    if value is None:
        return None
    return f"{value:g}" if abs(value) < 1e15 else str(value)


def _select(options: list[dict[str, Any]], initial: str | None, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": Action.INPUT,
        "options": options,
        "placeholder": plain_text(placeholder, 150),
    }
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _radio(options: list[dict[str, Any]], initial: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "radio_buttons", "action_id": Action.INPUT, "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _text(block: Block, label: str, *, initial: str | None, max_length: int, placeholder: str,
          optional: bool = False, hint: str | None = None, multiline: bool = False) -> SlackBlock:  # fmt: skip
    element = text_input(
        Action.INPUT, initial=initial, multiline=multiline, max_length=max_length, placeholder=placeholder
    )
    return input_block(label, element, block_id=block, optional=optional, hint=hint)


def _number(block: Block, label: str, initial: float | None, *, placeholder: str, optional: bool = True,
            hint: str | None = None) -> SlackBlock:  # fmt: skip
    return _text(block, label, initial=_number_text(initial), max_length=40, placeholder=placeholder,
                 optional=optional, hint=hint)  # fmt: skip


def _users(block: Block, label: str, initial: tuple[str, ...], hint: str) -> SlackBlock:
    element: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": Action.INPUT,
        "placeholder": plain_text("Pick people", 150),
        "max_selected_items": 10,
    }
    if initial:
        element["initial_users"] = list(initial)
    return input_block(label, element, block_id=block, optional=True, hint=hint)


def build_goal_modal(
    goal: GoalInput | None,
    *,
    goal_id: int = 0,
    channel_id: str | None = None,
    external_ok: bool = False,
    today: date | None = None,
) -> dict[str, Any]:
    """The ``/goal new`` modal, or with ``goal`` and ``goal_id`` the ``/goal edit`` one, pre-filled.

    Editing keeps the goal's channel (its message and thread of check-ins live there): the edit
    modal shows it instead of a picker. ``channel_id`` for a new goal: where ``/goal`` was typed.
    """
    editing = goal is not None and goal_id > 0
    kinds = [option(k.label, k.value) for k in Kind]
    units = [option(u.label, u.value) for u in Unit]
    directions = [option(d.label, d.value) for d in Direction]
    cadences = [option(c.label, c.value) for c in CheckinCadence]
    weekdays = [option(day, str(i)) for i, day in enumerate(WEEKDAYS)]

    due: dict[str, Any] = {"type": "datepicker", "action_id": Action.INPUT, "placeholder": plain_text("Pick a date")}
    if goal is not None and goal.due_on is not None:
        due["initial_date"] = goal.due_on.isoformat()
    local_time = goal.local_time if goal is not None else DEFAULT_TIME
    clock: dict[str, Any] = {"type": "timepicker", "action_id": Action.INPUT, "initial_time": f"{local_time:%H:%M}"}
    visibility = option(VISIBILITY_TEXT, VISIBILITY_VALUE)
    visibility["description"] = plain_text("Owners from one team are fine: the other team follows along", 75)
    checkbox: dict[str, Any] = {"type": "checkboxes", "action_id": Action.INPUT, "options": [visibility]}
    if goal is not None and goal.visibility_only:
        checkbox["initial_options"] = [visibility]

    blocks: list[SlackBlock] = [
        _text(Block.TITLE, "The goal", initial=goal.title if goal else None, max_length=TITLE_MAX,
              placeholder="Lift trial-to-paid for self-serve teams",
              hint="Specific: what changes, for whom."),
        _text(Block.WHY, "Why it matters", initial=goal.why if goal else None, max_length=WHY_MAX,
              placeholder="What it unlocks for both teams", optional=True, multiline=True),
        _text(Block.METRIC, "The metric", initial=goal.metric_name if goal else None, max_length=METRIC_MAX,
              placeholder="Trial-to-paid conversion"),
        input_block("Unit", _select(units, goal.unit.value if goal else Unit.PERCENT.value, "Pick a unit"),
                    block_id=Block.UNIT),
        _text(Block.UNIT_LABEL, "Currency or unit name", initial=goal.unit_label if goal else None,
              max_length=UNIT_LABEL_MAX, placeholder="EUR, $, signups…", optional=True,
              hint="For a currency (EUR, $) or a custom unit (signups, NPS points)."),
        _number(Block.BASELINE, "Baseline (where it stands today)", goal.baseline if goal else None,
                placeholder="4.2", optional=False),
        input_block("Direction", _radio(directions, goal.direction.value if goal else Direction.UP.value),
                    block_id=Block.DIRECTION),
        divider(),
        input_block("Kind of goal", _radio(kinds, goal.kind.value if goal else Kind.TARGET.value),
                    block_id=Block.KIND),
        _number(Block.TARGET, "Target", goal.target if goal else None, placeholder="6",
                hint="For a target by a date."),
        input_block("Due date", due, block_id=Block.DUE, optional=True, hint="For a target by a date."),
        _number(Block.RANGE_LOW, "Healthy range: lowest", goal.range_low if goal else None, placeholder="90",
                hint="For an ongoing KPI: the lowest healthy value, the highest, or both."),
        _number(Block.RANGE_HIGH, "Healthy range: highest", goal.range_high if goal else None, placeholder="100"),
        divider(),
        _users(Block.PRODUCT_OWNERS, "Product owners", goal.product_owners if goal else (),
               "A shared goal has owners on both sides."),
        _users(Block.MARKETING_OWNERS, "Marketing owners", goal.marketing_owners if goal else (),
               "Owners get the check-in DMs; the first to answer posts it."),
        input_block("Visibility", checkbox, block_id=Block.VISIBILITY_ONLY, optional=True),
    ]  # fmt: skip
    if editing:
        assert goal is not None
        blocks.append(
            section(
                f"*Channel* {channel_link(goal.channel_id)}: the goal's message and its check-in thread stay there."
            )
        )
    else:
        channel: dict[str, Any] = {
            "type": "conversations_select",
            "action_id": Action.INPUT,
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            "placeholder": plain_text("Pick the shared channel", 150),
        }
        initial_channel = goal.channel_id if goal is not None else channel_id
        if initial_channel:
            channel["initial_conversation"] = initial_channel
        blocks.append(input_block("Channel", channel, block_id=Block.CHANNEL, hint="Where the goal's message lives."))
        blocks.append(confirmation_block(Block.EXTERNAL, Action.INPUT, confirmed=external_ok))
    blocks += [
        input_block(
            "Check-ins",
            _select(cadences, goal.cadence.value if goal else CheckinCadence.BIWEEKLY.value, "How often"),
            block_id=Block.CADENCE,
        ),
        input_block(
            "On",
            _select(weekdays, str(goal.weekday) if goal else str(today.weekday() if today else 0), "Weekday"),
            block_id=Block.WEEKDAY,
            hint="Monthly: the first of that weekday in the month.",
        ),
        input_block("At", clock, block_id=Block.TIME, hint="In each owner's time zone."),
    ]
    meta = GoalMetadata(goal_id=goal_id, channel_id=goal.channel_id if editing and goal else "")
    return modal(
        "Edit goal" if editing else "New shared goal",
        blocks,
        callback_id=Callback.EDIT if editing else Callback.CREATE,
        submit="Save",
        private_metadata=meta.encode(),
    )


def build_close_modal(goal: GoalView) -> dict[str, Any]:
    outcomes = [option(o.label, o.value) for o in Outcome]
    learning = text_input(
        Action.INPUT, multiline=True, max_length=LEARNING_MAX, placeholder="What would we do the same, or differently?"
    )
    blocks: list[SlackBlock] = [
        section(f"*{plain(goal.title)}*\n{plain(goal.metric_name)}: {value_summary(goal)}"),
        input_block("Outcome", _radio(outcomes, None), block_id=Block.OUTCOME),
        input_block("What we learned", learning, block_id=Block.LEARNING, optional=True),
        context("The outcome goes in the goal's thread; check-ins stop. You can open a retro about it next."),
    ]
    return modal(
        "Close goal", blocks, callback_id=Callback.CLOSE, submit="Close goal",
        private_metadata=GoalRef(goal_id=goal.id).encode(),
    )  # fmt: skip


def build_delete_modal(goal: GoalView) -> dict[str, Any]:
    blocks: list[SlackBlock] = [
        section(
            f"Delete *{plain(goal.title)}* (goal {goal.id})? Its check-ins, values and schedules are removed "
            "for good, and its message in the channel says it was deleted. To keep the history, close it instead."
        )
    ]
    return modal(
        "Delete goal", blocks, callback_id=Callback.DELETE, submit="Delete", close="Keep it",
        private_metadata=GoalRef(goal_id=goal.id).encode(),
    )  # fmt: skip
