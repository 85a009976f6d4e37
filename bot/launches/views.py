"""Launches in Block Kit: pure builders from ``data`` view-models to message and modal dicts.

User text (names, audiences, item titles, reasons) is escaped with ``bot.slack.text.plain``;
people and channels appear as mentions the reader's client renders; dates as ``<!date>`` tokens.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from bot.goals.views import value_summary
from bot.launches.data import ItemView, LaunchView, PhaseView, Readiness, t_label
from bot.launches.ids import Action, Block, Decision, ItemStatus, LaunchKind, LaunchStatus, Side
from bot.slack import blocks as bk
from bot.slack.text import mention, plain, slack_date

NEXT_ITEMS = 5


def date_token(day: date, token: str = "{date_long_pretty}") -> str:
    """A local date as a Slack token (noon UTC keeps the day the same in every zone)."""
    return slack_date(datetime.combine(day, time(12, 0), tzinfo=UTC), token, day.isoformat())


def countdown(day: date, today: date) -> str:
    days = (day - today).days
    if days > 1:
        return f"in {days} days"
    if days == 1:
        return "tomorrow"
    if days == 0:
        return "today"
    return f"{-days} day{'s' if days != -1 else ''} ago"


def readiness_text(readiness: Readiness) -> str:
    parts = [f"{readiness.done}/{readiness.total} done", f"{readiness.due} due"]
    if readiness.overdue:
        parts.append(f"*{readiness.overdue} overdue*")
    return " · ".join(parts)


def item_line(item: ItemView, today: date) -> str:
    """``• Docs and release notes — @owner · T-7 · <date>`` with its state."""
    due = f"{t_label(item.offset)} · {date_token(item.due_on, '{date_short}')}"
    line = f"{plain(item.title)} — {mention(item.owner_id)} · {due}"
    if item.status is ItemStatus.DONE:
        return f"✅ ~{line}~"
    if item.status is ItemStatus.DROPPED:
        return f"✖️ ~{line}~ (dropped)"
    if item.status is ItemStatus.BLOCKED:
        return f"⛔ {line} · blocked: {plain(item.blocked_reason)}"
    if item.overdue(today):
        return f"🔴 {line} · *overdue*"
    return f"▫️ {line}"


def phase_line(phase: PhaseView, kind: LaunchKind, today: date) -> str:
    name = f"*{plain(phase.name)}* · " if kind is LaunchKind.STAGGERED else ""
    line = f"{name}{date_token(phase.launch_on)} ({countdown(phase.launch_on, today)})"
    if phase.audience:
        line += f" · for {plain(phase.audience)}"
    if phase.shipped:
        line += " · 🚀 shipped"
    elif phase.decision is Decision.GO:
        line += f" · ✅ go ({mention(phase.decided_by or '')})" if phase.decided_by else " · ✅ go"
    elif phase.decision is Decision.NO_GO:
        reason = f": {plain(phase.decision_reason)}" if phase.decision_reason else ""
        line += f" · ✋ no-go{reason}"
    return line


def launch_message(launch: LaunchView, today: date) -> dict[str, Any]:
    """The launch's one message in its channel, updated in place."""
    if launch.status is LaunchStatus.CANCELLED:
        by = f" by {mention(launch.cancelled_by)}" if launch.cancelled_by else ""
        text = f"~{plain(launch.name)}~ was cancelled{by}."
        return {"text": f"Launch cancelled: {plain(launch.name)}", "blocks": [bk.section(f"🚫 {text}")]}
    shipped = launch.status is LaunchStatus.SHIPPED
    body: list[dict[str, Any]] = [bk.header(f"🚀 {launch.name}" + (" — shipped" if shipped else ""))]
    if launch.what:
        body.append(bk.section(plain(launch.what)))
    body.append(bk.section(days_to_launch(launch, today)))
    phases = "\n".join(phase_line(p, launch.kind, today) for p in launch.phases)
    body.append(bk.section(f"*{launch.kind.label}*\n{phases}"))
    body.append(
        bk.fields_section(
            [
                f"*Product* · {mention(launch.product_lead)}\n{readiness_text(launch.readiness(Side.PRODUCT, today))}",
                f"*Marketing* · {mention(launch.marketing_lead)}\n"
                f"{readiness_text(launch.readiness(Side.MARKETING, today))}",
            ]
        )
    )
    upcoming = launch.next_due(today, NEXT_ITEMS)
    if upcoming:
        body.append(bk.section("*Next up*\n" + "\n".join(item_line(i, today) for i in upcoming)))
    if launch.goals:
        metrics = "\n".join(f"🎯 {plain(g.title)}: {value_summary(g)}" for g in launch.goals)
        body.append(bk.section(f"*Success metrics*\n{metrics}"))
    buttons = [bk.button("Checklist", Action.OPEN_CHECKLIST, str(launch.id))]
    if not shipped:
        buttons.append(bk.button("Move a date", Action.OPEN_MOVE, str(launch.id)))
    body.append(bk.actions(*buttons, block_id=Block.LAUNCH_ACTIONS))
    body.append(bk.context(f"Launch {launch.id} · `/launch list` for every launch"))
    text = f"Launch: {plain(launch.name)} on {launch.launch_on.isoformat()}"
    return {"text": text, "blocks": body}


def days_to_launch(launch: LaunchView, today: date) -> str:
    """``🗓️ Launch day: <date> · *in 35 days*``; a staggered launch names its next phase."""
    upcoming = next((p for p in launch.phases if not p.shipped and p.launch_on >= today), None)
    if upcoming is None:
        last = launch.phases[-1]
        return f"🗓️ Launched {date_token(launch.launch_on)}" + (
            f" · last phase {date_token(last.launch_on)}" if len(launch.phases) > 1 else ""
        )
    label = "Launch day" if upcoming.position == 0 else f"Next phase, {plain(upcoming.name)}"
    return f"🗓️ {label}: {date_token(upcoming.launch_on)} · *{countdown(upcoming.launch_on, today)}*"
