"""Pure Block Kit builders for the launch modals: new and edit (one builder, from a ``forms.Draft``),
the /goal new form pushed on top of it, the cancel confirmation, and a notice. Their state is read
back by ``forms``; every input's action id is ``Action.INPUT`` except the kind select's.

The kind select dispatches on change (``dispatch_action``): a staggered launch shows phase rows
(name, date, audience) instead of the one launch date; the listener rebuilds the modal from what
it holds with ``views.update``. The input blocks keep their block and action ids across updates,
which is what makes Slack keep what the person typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.goals import modals as goal_modals
from bot.launches.data import AUDIENCE_MAX, MAX_GOALS, NAME_MAX, PHASE_NAME_MAX, WHAT_MAX, LaunchView
from bot.launches.forms import (
    PHASE_ROWS,
    Draft,
    LaunchMetadata,
    LaunchRef,
    NewGoalMetadata,
    PhaseDraft,
    TypedDraft,
    phase_block,
)
from bot.launches.ids import Action, Block, Callback, LaunchKind
from bot.launches.views import date_token
from bot.slack.blocks import Block as SlackBlock
from bot.slack.blocks import (
    actions,
    button,
    context,
    divider,
    input_block,
    modal,
    option,
    plain_text,
    section,
    text_input,
)
from bot.slack.channels import confirmation_block
from bot.slack.metadata import MetadataError
from bot.slack.text import channel_link, plain

GoalChoice = tuple[int, str]  # (goal id, title): a shared goal that can be a success metric
GOAL_OPTIONS_MAX = 100  # Slack's limit on a static select's options
ROWS_HINT = "Phase 1 is the launch date. Fill two rows or more, in date order; empty rows are left out."


def build_notice_modal(title: str, text: str) -> dict[str, Any]:
    """A modal that only says something: a launch saved or cancelled, or why it could not be."""
    return modal(title, [section(text)], callback_id=Callback.NOTICE, submit=None, close="Done")


def _text(block: str, label: str, initial: str, *, max_length: int, placeholder: str, optional: bool = False,
          multiline: bool = False, hint: str | None = None) -> SlackBlock:  # fmt: skip
    element = text_input(
        Action.INPUT, initial=initial or None, multiline=multiline, max_length=max_length, placeholder=placeholder
    )
    return input_block(label, element, block_id=block, optional=optional, hint=hint)


def _date(
    block: str, label: str, initial: date | None, *, optional: bool = False, hint: str | None = None
) -> SlackBlock:
    element: dict[str, Any] = {"type": "datepicker", "action_id": Action.INPUT}
    element["placeholder"] = plain_text("Pick a date")
    if initial is not None:
        element["initial_date"] = initial.isoformat()
    return input_block(label, element, block_id=block, optional=optional, hint=hint)


def _user(block: str, label: str, initial: str, hint: str) -> SlackBlock:
    element: dict[str, Any] = {
        "type": "users_select",
        "action_id": Action.INPUT,
        "placeholder": plain_text("Pick a person", 150),
    }
    if initial:
        element["initial_user"] = initial
    return input_block(label, element, block_id=block, hint=hint)


def _kind_select(kind: LaunchKind) -> SlackBlock:
    options = [option(k.label, k.value) for k in LaunchKind]
    element = {
        "type": "static_select",
        "action_id": Action.KIND,
        "options": options,
        "initial_option": next(o for o in options if o["value"] == kind.value),
    }
    return input_block(
        "Kind of launch", element, block_id=Block.KIND, dispatch_action=True,
        hint="Quiet: shipped and documented. Full: one big day. Staggered: phases, each with its date and audience.",
    )  # fmt: skip


def _phase_rows(draft: Draft, *, editing: int) -> list[SlackBlock]:
    """The staggered launch's rows: name, date, audience (editing: name and audience; dates move
    with /launch move). A new launch's first row takes the one date typed before the switch."""
    rows = list(draft.phases)
    count = editing or PHASE_ROWS
    rows += [PhaseDraft()] * (count - len(rows))
    if not editing and draft.launch_on is not None and rows[0].launch_on is None:
        rows[0] = PhaseDraft(rows[0].name, draft.launch_on, rows[0].audience)
    blocks: list[SlackBlock] = []
    if not editing:
        blocks.append(context(ROWS_HINT))
    for row, phase in enumerate(rows[:count], start=1):
        blocks.append(
            _text(phase_block(row, "name"), f"Phase {row}: name", phase.name, max_length=PHASE_NAME_MAX,
                  placeholder="Beta" if row == 1 else "General availability", optional=True)
        )  # fmt: skip
        if not editing:
            blocks.append(_date(phase_block(row, "date"), f"Phase {row}: date", phase.launch_on, optional=True))
        blocks.append(
            _text(phase_block(row, "audience"), f"Phase {row}: audience", phase.audience, max_length=AUDIENCE_MAX,
                  placeholder="50 design partners" if row == 1 else "Every Team plan workspace", optional=True)
        )  # fmt: skip
    return blocks


def _goal_blocks(draft: Draft, goals: Sequence[GoalChoice], new_goals: Sequence[GoalChoice]) -> list[SlackBlock]:
    blocks: list[SlackBlock] = [divider()]
    new_ids = {goal_id for goal_id, _ in new_goals}
    offered = [(goal_id, title) for goal_id, title in goals if goal_id not in new_ids][:GOAL_OPTIONS_MAX]
    if offered:
        options = [option(title, str(goal_id)) for goal_id, title in offered]
        element: dict[str, Any] = {
            "type": "multi_static_select",
            "action_id": Action.INPUT,
            "options": options,
            "placeholder": plain_text("Pick shared goals", 150),
            "max_selected_items": MAX_GOALS,
        }
        chosen = [o for o in options if int(o["value"]) in draft.goal_ids]
        if chosen:
            element["initial_options"] = chosen
        blocks.append(
            input_block("Success metrics", element, block_id=Block.GOALS, optional=True,
                        hint="Shared goals this launch should move: they get check-ins a week and a month after it.")
        )  # fmt: skip
    else:
        blocks.append(section("*Success metrics*\nNo shared goals yet: add one for this launch."))
    if new_goals:
        lines = "\n".join(f"🎯 {plain(title)} (goal {goal_id}, new)" for goal_id, title in new_goals)
        blocks.append(section(f"*Picked, new:*\n{lines}", block_id=Block.NEW_GOALS))
    blocks.append(actions(button("Add a new goal", Action.NEW_GOAL), block_id=Block.GOAL_ACTIONS))
    return blocks


def build_launch_modal(
    draft: Draft,
    meta: LaunchMetadata,
    *,
    goals: Sequence[GoalChoice] = (),
    new_goals: Sequence[GoalChoice] = (),
) -> dict[str, Any]:
    """The ``/launch new`` modal, or with ``meta.launch_id`` the ``/launch edit`` one, from ``draft``.

    ``goals``: the workspace's shared goals to pick from; ``new_goals``: those made from this
    modal (``meta.new_goal_ids``), shown as picked. Editing keeps the kind, the channel (its
    message lives there) and the dates (``/launch move`` moves them)."""
    editing = meta.launch_id > 0
    blocks: list[SlackBlock] = [
        _text(Block.NAME, "Launch name", draft.name, max_length=NAME_MAX, placeholder="Shared inbox"),
        _text(Block.WHAT, "What ships, and for whom", draft.what, max_length=WHAT_MAX, multiline=True,
              placeholder="Shared inboxes for support teams on the Team plan"),
    ]  # fmt: skip
    if editing:
        dates = ", ".join(date_token(date.fromisoformat(d), "{date_short}") for d in meta.phase_dates)
        blocks.append(
            section(
                f"*{draft.kind.label}* · {dates}\nTo move a date: `/launch move {meta.launch_id}` "
                "(its checklist moves with it).",
                block_id=Block.DATES,
            )
        )
        if draft.kind is LaunchKind.STAGGERED:
            blocks += _phase_rows(draft, editing=len(meta.phase_dates))
    else:
        blocks.append(_kind_select(draft.kind))
        if draft.kind is LaunchKind.STAGGERED:
            blocks += _phase_rows(draft, editing=0)
        else:
            launch_on = draft.launch_on or next((p.launch_on for p in draft.phases if p.launch_on), None)
            blocks.append(_date(Block.LAUNCH_DATE, "Launch date", launch_on,
                                hint="The checklist counts back from it (T-21 positioning … T+14 retro)."))  # fmt: skip
    blocks += [
        divider(),
        _user(Block.PRODUCT_LEAD, "Product lead", draft.product_lead, "Owns the product side of the checklist."),
        _user(Block.MARKETING_LEAD, "Marketing lead", draft.marketing_lead, "Owns the marketing side."),
    ]
    if editing:
        blocks.append(section(f"*Channel* {channel_link(meta.channel_id)}: the launch's message stays there."))
    else:
        channel: dict[str, Any] = {
            "type": "conversations_select",
            "action_id": Action.INPUT,
            "filter": {"include": ["public", "private"], "exclude_bot_users": True},
            "placeholder": plain_text("Pick the launch channel", 150),
        }
        if draft.channel_id:
            channel["initial_conversation"] = draft.channel_id
        hint = "Where the launch's one message lives."
        blocks.append(input_block("Channel", channel, block_id=Block.CHANNEL, hint=hint))
        blocks.append(confirmation_block(Block.EXTERNAL, Action.INPUT, confirmed=draft.external_ok))
    blocks += _goal_blocks(draft, goals, new_goals)
    return modal(
        "Edit launch" if editing else "New launch",
        blocks,
        callback_id=Callback.EDIT if editing else Callback.CREATE,
        submit="Save",
        private_metadata=meta.encode(),
    )


def build_new_goal_modal(
    parent_view_id: str,
    parent: LaunchMetadata,
    kind: LaunchKind,
    *,
    channel_id: str | None,
    today: date,
    typed: Draft | None = None,
) -> dict[str, Any]:
    """The ``/goal new`` form, pushed on the launch modal: saved, the goal shows as picked there.
    ``typed``: what the launch modal held, to bring it back (left out if it does not fit)."""
    view = goal_modals.build_goal_modal(None, channel_id=channel_id, today=today)
    view["callback_id"] = Callback.NEW_GOAL.value
    meta = NewGoalMetadata(parent_view_id=parent_view_id, parent=parent, kind=kind.value)
    try:
        encoded = meta.model_copy(update={"typed": TypedDraft.of(typed)}).encode() if typed else meta.encode()
    except MetadataError:
        encoded = meta.encode()
    view["private_metadata"] = encoded
    view["submit"] = plain_text("Add goal", 24)
    view["close"] = plain_text("Back", 24)
    return view


def build_cancel_modal(launch: LaunchView) -> dict[str, Any]:
    blocks: list[SlackBlock] = [
        section(
            f"Cancel *{plain(launch.name)}* (launch {launch.id}, {date_token(launch.launch_on)})? Its reminders and "
            "check-ins stop, its message in the channel says it was cancelled, and the leads are told."
        )
    ]
    return modal(
        "Cancel launch", blocks, callback_id=Callback.CANCEL, submit="Cancel launch", close="Keep it",
        private_metadata=LaunchRef(launch_id=launch.id).encode(),
    )  # fmt: skip
