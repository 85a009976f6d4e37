"""Moving a date in Block Kit: the move modal, the DM each affected owner gets (their items'
new dates), and the short reply in the launch message's thread. Pure builders."""

from __future__ import annotations

from typing import Any

from bot.launches.data import REASON_MAX, LaunchView, PhaseView, t_label
from bot.launches.ids import Action, Block, Callback, LaunchKind
from bot.launches.move_data import Move
from bot.launches.views import date_token
from bot.slack import blocks as bk
from bot.slack.text import mention, plain

MAX_DM_ITEMS = 30  # an owner's moved items listed in one DM (a launch has at most 80)


def phase_option_text(phase: PhaseView) -> str:
    return f"{phase.name} · {phase.launch_on.isoformat()}"


def movable_phases(launch: LaunchView) -> list[PhaseView]:
    """The phases a date can still be moved for: those not shipped yet."""
    return [p for p in launch.phases if not p.shipped]


def move_modal(launch: LaunchView, *, phase_id: int | None, metadata: str) -> dict[str, Any]:
    """Which phase (a staggered launch; else the launch date), the new date, an optional reason."""
    phases = movable_phases(launch)
    chosen = next((p for p in phases if p.id == phase_id), phases[0])
    intro = (
        f"📅 *{plain(launch.name)}*: the phases after the one you move keep their spacing, "
        "and every open checklist item moves with its phase."
    )
    blocks: list[dict[str, Any]] = [bk.section(intro)]
    if launch.kind is LaunchKind.STAGGERED and len(phases) > 1:
        options = [bk.option(phase_option_text(p), str(p.id)) for p in phases]
        select = {
            "type": "static_select",
            "action_id": Action.INPUT,
            "options": options,
            "initial_option": options[phases.index(chosen)],
        }
        blocks.append(bk.input_block("Which phase", select, block_id=Block.MOVE_PHASE))
    else:
        what = f"*{plain(chosen.name)}*" if launch.kind is LaunchKind.STAGGERED else "The launch date"
        blocks.append(bk.section(f"{what} is {date_token(chosen.launch_on)}."))
    picker = {"type": "datepicker", "action_id": Action.INPUT, "initial_date": chosen.launch_on.isoformat()}
    blocks.append(bk.input_block("New date", picker, block_id=Block.MOVE_DATE))
    reason = bk.text_input(Action.INPUT, multiline=True, max_length=REASON_MAX)
    blocks.append(bk.input_block("Why (optional)", reason, block_id=Block.MOVE_REASON, optional=True))
    return bk.modal("Move a date", blocks, callback_id=Callback.MOVE, submit="Move", private_metadata=metadata)


def _phase_change(move: Move) -> str:
    first = move.phases[0]
    what = f"*{plain(move.launch_name)}*"
    if move.staggered:
        what += f" · {plain(first.name)}"
    days = abs(move.days)
    direction = "later" if move.days > 0 else "earlier"
    text = (
        f"{what} moved from {date_token(first.old)} to {date_token(first.new)} "
        f"({days} day{'s' if days != 1 else ''} {direction})"
    )
    if len(move.phases) > 1:
        text += ", and the phases after it with it"
    return text + f", by {mention(move.moved_by)}."


def moved_dm(move: Move, owner_id: str) -> dict[str, Any]:
    """An affected owner's one DM: their items' new dates."""
    mine = move.items_of(owner_id)
    lines = [
        f"▫️ {plain(i.title)} · {t_label(i.offset)} · now {date_token(i.new, '{date_short}')} "
        f"(was {date_token(i.old, '{date_short}')})"
        for i in mine[:MAX_DM_ITEMS]
    ]
    if len(mine) > MAX_DM_ITEMS:
        lines.append(f"…and {len(mine) - MAX_DM_ITEMS} more: see the launch's checklist.")
    body: list[dict[str, Any]] = [bk.section(f"📅 {_phase_change(move)}")]
    if move.reason:
        body.append(bk.section(f"Why: {plain(move.reason)}"))
    body.append(bk.section("*Your items' new dates*\n" + "\n".join(lines)))
    return {"text": f"{plain(move.launch_name)} moved: your items' new dates", "blocks": body}


def moved_reply(move: Move) -> dict[str, Any]:
    """The move in the launch message's thread: the new dates and why (no @channel)."""
    text = f"📅 {_phase_change(move)}"
    if move.reason:
        text += f"\nWhy: {plain(move.reason)}"
    return {"text": text, "blocks": [bk.section(text)]}
