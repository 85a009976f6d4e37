"""What ``/launch`` answers (pure): the list, the help, the "saved" and "cancelled" notices, and the
DM the leads get when a launch is cancelled."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.launches.data import LaunchView
from bot.launches.ids import LaunchStatus, Side
from bot.launches.views import countdown, date_token, readiness_text
from bot.slack import blocks as bk
from bot.slack.text import channel_link, mention, plain

LIST_LIMIT = 20  # launches in /launch list (a message holds 50 blocks)

HELP_INTRO = (
    "*Launches* plan a release together: a checklist per side counted back from the launch date, "
    "one message in the channel kept up to date, due-day DMs to owners, a go/no-go the day before, "
    "and the launch retro afterwards."
)


def message_link(launch: LaunchView) -> str:
    """A link to the launch's message (Slack sends the archive link on to the workspace), or
    its channel while the message is still being posted."""
    if not launch.message_ts:
        return channel_link(launch.channel_id)
    ts = launch.message_ts.replace(".", "")
    return f"<https://slack.com/archives/{launch.channel_id}/p{ts}|See the plan> in {channel_link(launch.channel_id)}"


def launch_line(launch: LaunchView, today: date) -> str:
    dates = " → ".join(
        (f"{plain(p.name)} " if len(launch.phases) > 1 else "") + date_token(p.launch_on, "{date_short}")
        for p in launch.phases
    )
    state = {
        LaunchStatus.PLANNED: countdown(launch.launch_on, today),
        LaunchStatus.SHIPPED: "shipped",
        LaunchStatus.CANCELLED: "cancelled",
    }[launch.status]
    product = readiness_text(launch.readiness(Side.PRODUCT, today))
    marketing = readiness_text(launch.readiness(Side.MARKETING, today))
    return (
        f"*{plain(launch.name)}* (launch {launch.id}) · {launch.kind.label} · {dates} ({state})\n"
        f"Product {mention(launch.product_lead)}: {product} · Marketing {mention(launch.marketing_lead)}: "
        f"{marketing}\n{message_link(launch)}"
    )


def build_list_message(launches: list[LaunchView], today: date) -> dict[str, Any]:
    """``/launch list``: the workspace's launches, soonest first (ephemeral)."""
    if not launches:
        text = "No launches yet. `/launch new` plans one with a lead from each team."
        return {"text": text, "blocks": [bk.section(text)]}
    blocks: list[dict[str, Any]] = [bk.section(f"*Launches* ({len(launches)})")]
    for launch in launches[:LIST_LIMIT]:
        blocks.append(bk.section(launch_line(launch, today)))
    if len(launches) > LIST_LIMIT:
        blocks.append(bk.context(f"…and {len(launches) - LIST_LIMIT} more."))
    return {"text": f"{len(launches)} launches", "blocks": blocks}


def help_text(usage: str) -> str:
    return f"{HELP_INTRO}\n\n{usage}"


def saved_text(launch: LaunchView, *, created: bool) -> str:
    if created:
        items = sum(1 for i in launch.items)
        return (
            f"*{plain(launch.name)}* is planned (launch {launch.id}) with {items} checklist items. Its message is in "
            f"{channel_link(launch.channel_id)}; owners get a DM on each item's due day."
        )
    where = channel_link(launch.channel_id)
    return f"*{plain(launch.name)}* is saved (launch {launch.id}); its message in {where} shows it."


def cancelled_text(launch: LaunchView) -> str:
    return f"Cancelled *{plain(launch.name)}* (launch {launch.id}): its reminders stopped and the leads were told."


def cancelled_dm(launch: LaunchView) -> dict[str, Any]:
    """The DM each lead gets, once, when a launch they lead is cancelled."""
    by = f" by {mention(launch.cancelled_by)}" if launch.cancelled_by else ""
    text = (
        f"🚫 *{plain(launch.name)}* (launch {launch.id}, {date_token(launch.launch_on)}) was cancelled{by}. "
        "Its checklist reminders and go/no-go questions stop; its message in "
        f"{channel_link(launch.channel_id)} says so."
    )
    return {"text": f"Launch cancelled: {plain(launch.name)}", "blocks": [bk.section(text)]}
