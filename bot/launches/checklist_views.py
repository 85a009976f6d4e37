"""The checklist in Block Kit (pure): an item's DMs (due today to its owner, overdue to a lead),
the same DMs once answered, the checklist modal and the small modals an item's actions open.

User text (titles, reasons, launch names) goes through ``bot.slack.text.plain``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.launches.checklist_data import ChangeKind, ItemChange, NoticeKind
from bot.launches.checklist_forms import ChecklistMetadata, ItemFormMetadata, MenuVerb, menu_value
from bot.launches.data import ITEM_TITLE_MAX, REASON_MAX, ItemView, LaunchView, t_label
from bot.launches.ids import Action, Block, Callback, ItemStatus, LaunchKind, LaunchStatus, Side
from bot.launches.views import date_token, item_line
from bot.slack import blocks as bk
from bot.slack.text import channel_link, mention, plain

SIDES = (Side.PRODUCT, Side.MARKETING, Side.BOTH)


def _phase_name(launch: LaunchView, item: ItemView) -> str:
    if launch.kind is not LaunchKind.STAGGERED:
        return ""
    phase = launch.phase(item.phase_id)
    return f" of {plain(phase.name)}" if phase else ""


def _when(launch: LaunchView, item: ItemView) -> str:
    return f"{t_label(item.offset)}{_phase_name(launch, item)} · {date_token(item.due_on)}"


def change_line(item: ItemView, change: ItemChange) -> str:
    """How an answered DM says what happened."""
    by = mention(change.by)
    if change.kind is ChangeKind.DONE:
        return f"✅ Done by {by}"
    if change.kind is ChangeKind.NEW_DATE:
        return f"📅 New date: {date_token(item.due_on)} ({t_label(item.offset)}), set by {by}"
    if change.kind is ChangeKind.BLOCKED:
        return f"⛔ Blocked: {plain(item.blocked_reason)} ({by})"
    if change.kind is ChangeKind.REASSIGNED:
        return f"👤 Now owned by {mention(item.owner_id)} (reassigned by {by})"
    if change.kind is ChangeKind.DROPPED:
        return f"✖️ Dropped from the plan by {by}"
    return f"Changed by {by}"


def item_dm(
    launch: LaunchView,
    item: ItemView,
    *,
    kind: NoticeKind,
    due_on: date,
    user_id: str,
    change: ItemChange | None = None,
) -> dict[str, Any]:
    """An item's DM: due today (to its owner) or overdue (to a lead), with the buttons that still
    make sense; ``change``: the answer it shows once something happened."""
    title = plain(item.title)
    name = plain(launch.name)
    if kind is NoticeKind.DUE:
        text = f"Due today for {name}: {title}"
        lead = f"📋 *Due today* for the launch *{name}*:\n*{title}*\n{_when(launch, item)}"
    else:
        text = f"Overdue for {name}: {title}"
        lead = (
            f"🔴 *Overdue* on the launch *{name}*:\n*{title}* — owned by {mention(item.owner_id)}\n"
            f"was due {date_token(due_on)} ({t_label(item.offset)})"
        )
    body: list[dict[str, Any]] = [bk.section(lead)]
    if item.status is ItemStatus.BLOCKED and (change is None or change.kind is not ChangeKind.BLOCKED):
        body.append(bk.section(f"⛔ Blocked: {plain(item.blocked_reason)}"))
    if change is not None:
        body.append(bk.section(change_line(item, change)))
    still_open = item.is_open and item.due_on == due_on and launch.status is not LaunchStatus.CANCELLED
    if still_open and (kind is NoticeKind.OVERDUE or item.owner_id == user_id):
        buttons = [
            bk.button("Done", Action.ITEM_DONE, str(item.id), style="primary"),
            bk.button("New date", Action.ITEM_NEW_DATE, str(item.id)),
        ]
        if item.status is not ItemStatus.BLOCKED:
            buttons.append(bk.button("Blocked", Action.ITEM_BLOCKED, str(item.id)))
        if kind is NoticeKind.OVERDUE:
            buttons.append(bk.button("Checklist", Action.OPEN_CHECKLIST, str(launch.id)))
        body.append(bk.actions(*buttons, block_id=Block.ITEM_ACTIONS))
    where = f"Launch {launch.id} in {channel_link(launch.channel_id)}"
    if launch.status is LaunchStatus.CANCELLED:
        where += " · the launch was cancelled"
    body.append(bk.context(where))
    return {"text": text, "blocks": body}


# --- the checklist modal ----------------------------------------------------------------------


def _menu(item: ItemView) -> dict[str, Any]:
    verbs = [(MenuVerb.DONE, "Done"), (MenuVerb.NEW_DATE, "New date")]
    if item.status is not ItemStatus.BLOCKED:
        verbs.append((MenuVerb.BLOCKED, "Blocked…"))
    verbs += [(MenuVerb.REASSIGN, "Reassign"), (MenuVerb.DROP, "Drop")]
    return {
        "type": "overflow",
        "action_id": Action.ITEM_MENU.value,
        "options": [bk.option(label, menu_value(verb, item.id)) for verb, label in verbs],
    }


def _row(launch: LaunchView, item: ItemView, today: date) -> dict[str, Any]:
    line = item_line(item, today)
    if launch.kind is LaunchKind.STAGGERED:
        phase = launch.phase(item.phase_id)
        if phase is not None:
            line += f" · {plain(phase.name)}"
    open_launch = launch.status is not LaunchStatus.CANCELLED
    accessory = _menu(item) if item.is_open and open_launch else None
    return bk.section(line, block_id=f"{Block.CHECKLIST_ITEM.value}:{item.id}", accessory=accessory)


def launch_today(launch: LaunchView, now: datetime) -> date:
    """The plan's today: the launch's own zone decides when a due date has passed."""
    try:
        return now.astimezone(ZoneInfo(launch.timezone)).date()
    except (ZoneInfoNotFoundError, ValueError):
        return now.date()


def checklist_modal(launch: LaunchView, now: datetime) -> dict[str, Any]:
    """Every item of the launch by side, each with its due date, owner and state; the open ones
    with a menu (Done / New date / Blocked / Reassign / Drop); an "Add item" button."""
    today = launch_today(launch, now)
    phases = " · ".join(
        f"{plain(p.name)} {date_token(p.launch_on)}" if launch.kind is LaunchKind.STAGGERED else date_token(p.launch_on)
        for p in launch.phases
    )
    body: list[dict[str, Any]] = [bk.section(f"*{plain(launch.name)}* · {phases}")]
    if launch.status is LaunchStatus.CANCELLED:
        body.append(bk.context("This launch was cancelled: its plan takes no more changes."))
    shown = [i for i in launch.items if i.status is not ItemStatus.DROPPED]
    for side in SIDES:
        mine = [i for i in shown if i.side is side]
        if not mine:
            continue
        body.append(bk.header(side.label))
        body.extend(_row(launch, item, today) for item in mine)
    dropped = [i for i in launch.items if i.status is ItemStatus.DROPPED]
    if dropped:
        body.append(bk.context("Dropped: " + ", ".join(f"~{plain(i.title)}~" for i in dropped)))
    if launch.status is not LaunchStatus.CANCELLED:
        body.append(bk.actions(bk.button("Add item", Action.ITEM_ADD, str(launch.id)), block_id=Block.CHECKLIST_ADD))
    body = bk.cap_blocks(body, bk.VIEW_BLOCK_LIMIT, "…and {n} more: see the launch message")
    return bk.modal(
        "Launch checklist",
        body,
        callback_id=Callback.CHECKLIST,
        submit=None,
        close="Close",
        private_metadata=ChecklistMetadata(launch_id=launch.id).encode(),
    )


# --- the small modals -------------------------------------------------------------------------


def _about(item: ItemView) -> dict[str, Any]:
    return bk.section(f"*{plain(item.title)}* · {t_label(item.offset)} · {date_token(item.due_on)}")


def new_date_modal(item: ItemView, metadata: ItemFormMetadata) -> dict[str, Any]:
    picker = {"type": "datepicker", "action_id": Action.INPUT.value, "initial_date": item.due_on.isoformat()}
    return bk.modal(
        "New date",
        [_about(item), bk.input_block("New due date", picker, block_id=Block.ITEM_DUE_ON)],
        callback_id=Callback.ITEM_NEW_DATE,
        submit="Save",
        private_metadata=metadata.encode(),
    )


def blocked_modal(item: ItemView, metadata: ItemFormMetadata) -> dict[str, Any]:
    reason = bk.text_input(
        Action.INPUT, multiline=True, max_length=REASON_MAX, placeholder="Waiting on legal's sign-off…"
    )
    return bk.modal(
        "Blocked",
        [_about(item), bk.input_block("What is it blocked on?", reason, block_id=Block.ITEM_REASON)],
        callback_id=Callback.ITEM_BLOCKED,
        submit="Save",
        private_metadata=metadata.encode(),
    )


def reassign_modal(item: ItemView, metadata: ItemFormMetadata) -> dict[str, Any]:
    picker = {"type": "users_select", "action_id": Action.INPUT.value, "initial_user": item.owner_id}
    return bk.modal(
        "Reassign",
        [_about(item), bk.input_block("Who owns it now?", picker, block_id=Block.ITEM_OWNER)],
        callback_id=Callback.ITEM_REASSIGN,
        submit="Save",
        private_metadata=metadata.encode(),
    )


def drop_modal(item: ItemView, metadata: ItemFormMetadata) -> dict[str, Any]:
    return bk.modal(
        "Drop item",
        [_about(item), bk.section("Drop it from the plan? The launch retro lists what was dropped.")],
        callback_id=Callback.ITEM_DROP,
        submit="Drop",
        private_metadata=metadata.encode(),
    )


def add_item_modal(launch: LaunchView, metadata: ItemFormMetadata, *, default_owner: str) -> dict[str, Any]:
    title = bk.text_input(Action.INPUT, max_length=ITEM_TITLE_MAX, placeholder="Partner newsletter slot booked")
    side = {
        "type": "static_select",
        "action_id": Action.INPUT.value,
        "options": [bk.option(s.label, s.value) for s in SIDES],
    }
    owner = {"type": "users_select", "action_id": Action.INPUT.value}
    if default_owner:
        owner["initial_user"] = default_owner
    due = {"type": "datepicker", "action_id": Action.INPUT.value, "initial_date": launch.launch_on.isoformat()}
    return bk.modal(
        "Add item",
        [
            bk.input_block("What needs doing", title, block_id=Block.ITEM_TITLE),
            bk.input_block("Side", side, block_id=Block.ITEM_SIDE),
            bk.input_block("Owner", owner, block_id=Block.ITEM_OWNER),
            bk.input_block(
                "Due date", due, block_id=Block.ITEM_DUE_ON, hint="It moves with the launch date it hangs on."
            ),
        ],
        callback_id=Callback.ITEM_ADD,
        submit="Add",
        private_metadata=metadata.encode(),
    )


def notice_modal(text: str) -> dict[str, Any]:
    """A modal that only says something (an answer where there is no message to reply beside)."""
    return bk.modal("Launch checklist", [bk.section(text)], callback_id=Callback.NOTICE, submit=None, close="OK")
