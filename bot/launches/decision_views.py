"""Go / no-go and launch day in Block Kit: the leads' DM the day before a phase's date, the same
DM once someone decided, the reason modal, and the launch day's reply in the launch's thread.

Pure builders from ``data`` view-models; user text is escaped (``plain``), people are mentions.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.launches.data import REASON_MAX, LaunchView, PhaseView
from bot.launches.ids import Action, Block, Callback, Decision, LaunchKind, Side
from bot.launches.move_forms import decision_value
from bot.launches.views import date_token, readiness_text
from bot.slack import blocks as bk
from bot.slack.text import mention, plain


def phase_title(launch: LaunchView, phase: PhaseView) -> str:
    """``*Shared inbox*`` or, for a staggered launch, ``*Shared inbox* · Beta`` (escaped)."""
    if launch.kind is LaunchKind.STAGGERED:
        return f"*{plain(launch.name)}* · {plain(phase.name)}"
    return f"*{plain(launch.name)}*"


def decision_line(phase: PhaseView) -> str:
    """``<@U1> said no-go: the reason`` (or go); "" while nobody decided."""
    if phase.decision is None:
        return ""
    said = "go ✅" if phase.decision is Decision.GO else "no-go ✋"
    who = mention(phase.decided_by) if phase.decided_by else "The leads"
    reason = f": {plain(phase.decision_reason)}" if phase.decision_reason else ""
    return f"{who} said {said}{reason}"


def go_no_go_prompt(launch: LaunchView, phase: PhaseView, today: date) -> dict[str, Any]:
    """The DM to each lead the day before the phase's date: Go / No-go."""
    title = phase_title(launch, phase)
    lines = [f"🚦 {title} goes out tomorrow, {date_token(phase.launch_on)}. Go or no-go?"]
    if phase.audience:
        lines.append(f"For {plain(phase.audience)}.")
    ready = (
        f"*Product*: {readiness_text(launch.readiness(Side.PRODUCT, today))}\n"
        f"*Marketing*: {readiness_text(launch.readiness(Side.MARKETING, today))}"
    )
    open_items = [i for i in launch.items if i.is_open and i.phase_id == phase.id and i.due_on < phase.launch_on]
    body: list[dict[str, Any]] = [bk.section("\n".join(lines)), bk.section(ready)]
    if open_items:
        shown = "\n".join(f"▫️ {plain(i.title)} — {mention(i.owner_id)}" for i in open_items[:8])
        more = f"\n…and {len(open_items) - 8} more" if len(open_items) > 8 else ""
        body.append(bk.section(f"*Still open before the date*\n{shown}{more}"))
    body.append(
        bk.actions(
            bk.button("Go", Action.GO, decision_value(phase.id, phase.launch_on), style="primary"),
            bk.button("No-go", Action.NO_GO, decision_value(phase.id, phase.launch_on), style="danger"),
            block_id=Block.DECISION_ACTIONS,
        )
    )
    body.append(bk.context("Both leads are asked; the first answer is shown in the launch's message."))
    return {"text": f"Go or no-go for {plain(launch.name)} tomorrow?", "blocks": body}


def decided_prompt(launch: LaunchView, phase: PhaseView) -> dict[str, Any]:
    """The same DM once decided: who said what and why; a no-go offers to move the date."""
    title = phase_title(launch, phase)
    text = f"🚦 {title} on {date_token(phase.launch_on)}: {decision_line(phase)}"
    body: list[dict[str, Any]] = [bk.section(text)]
    if phase.decision is Decision.NO_GO:
        body.append(
            bk.actions(bk.button("Move the date", Action.MOVE_PHASE, str(phase.id)), block_id=Block.DECISION_ACTIONS)
        )
    said = phase.decision.label if phase.decision else ""
    return {"text": f"Go/no-go for {plain(launch.name)}: {said}", "blocks": body}


def question_moved(launch: LaunchView, phase: PhaseView, asked_on: date) -> dict[str, Any]:
    """A go/no-go DM whose date moved before anyone answered: no buttons any more."""
    text = (
        f"🚦 {phase_title(launch, phase)} moved from {date_token(asked_on)} to {date_token(phase.launch_on)}: "
        "you'll be asked again the day before."
    )
    return {"text": f"{plain(launch.name)} moved: no go/no-go needed for the old date", "blocks": [bk.section(text)]}


def reason_modal(launch: LaunchView, phase: PhaseView, decision: Decision, *, metadata: str) -> dict[str, Any]:
    """Why go or no-go: optional for a go, required for a no-go."""
    title = phase_title(launch, phase)
    if decision is Decision.GO:
        intro = f"✅ Go for {title} on {date_token(phase.launch_on)}."
        label, optional = "Anything to add? (optional)", True
    else:
        intro = f"✋ No-go for {title} on {date_token(phase.launch_on)}."
        label, optional = "Why not?", False
    element = bk.text_input(Action.INPUT, multiline=True, max_length=REASON_MAX)
    return bk.modal(
        "Go" if decision is Decision.GO else "No-go",
        [bk.section(intro), bk.input_block(label, element, block_id=Block.DECISION_REASON, optional=optional)],
        callback_id=Callback.DECISION,
        submit="Send",
        private_metadata=metadata,
    )


def notice_modal(text: str) -> dict[str, Any]:
    """A modal that only says something (where a click has no message to answer beside)."""
    return bk.modal("Launch", [bk.section(text)], callback_id=Callback.NOTICE, submit=None, close="OK")


def shipped_reply(launch: LaunchView, phase: PhaseView, *, last: bool) -> dict[str, Any]:
    """The launch day's short reply in the launch message's thread (no @channel, no DM)."""
    if launch.kind is LaunchKind.STAGGERED and not last:
        text = f"🚀 {plain(phase.name)} shipped today."
    elif launch.kind is LaunchKind.STAGGERED:
        text = f"🚀 {plain(phase.name)} shipped today: *{plain(launch.name)}* is out to everyone planned."
    else:
        text = f"🚀 *{plain(launch.name)}* shipped today."
    return {"text": text, "blocks": [bk.section(text)]}
