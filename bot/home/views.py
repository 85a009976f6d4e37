"""Pure builder of the App Home view from ``home.data.HomeData`` (data in, Block Kit out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.digest.ids import Action as DigestAction
from bot.goals.ids import Action as GoalAction
from bot.goals.views import status_line, value_summary
from bot.home.data import HomeData
from bot.home.ids import Action
from bot.insights.ids import STATUS_LABELS, Status
from bot.launches.ids import Action as LaunchAction
from bot.launches.views import date_token, readiness_text
from bot.slack import blocks as bk
from bot.slack.text import channel_link, escape, mention, plain, slack_date, truncate
from bot.standup.ids import Action as StandupAction

MORE = "…and {n} more"


def _when(moment: datetime) -> str:
    return slack_date(moment, "{date_short_pretty} {time}", fallback=moment.strftime("%a %d %b %H:%M UTC"))


def _status(value: str) -> str:
    try:
        return f"{Status(value).emoji} {STATUS_LABELS[Status(value)]}"
    except ValueError:
        return escape(value)


def _short(text: str, limit: int = 200) -> str:
    return plain(truncate(" ".join(text.split()), limit))


def build_home_view(data: HomeData) -> dict[str, Any]:
    blocks: list[bk.Block] = [bk.header("Your week in Tandem")]
    nothing = not (data.standups or data.asks or data.actions or data.launch_items)
    if data.standups:
        blocks.append(bk.section("*:busts_in_silhouette: Stand-ups waiting for your answer*"))
        for s in data.standups:
            blocks.append(
                bk.section(
                    f"*{escape(s.name)}* — open until {_when(s.closes_at)}",
                    accessory=bk.button(
                        "Answer stand-up", StandupAction.OPEN_ANSWER, str(s.occurrence_id), style="primary"
                    ),
                )
            )
    if data.asks:
        blocks.append(bk.section("*:raising_hand: Asks for you*"))
        for a in data.asks:
            blocks.append(
                bk.section(
                    f"{mention(a.from_user)} asked in {escape(a.standup)}: {_short(a.text)}",
                    accessory=bk.button("Mark handled", Action.ASK_DONE, str(a.ask_id)),
                )
            )
    if data.actions:
        blocks.append(bk.section("*:white_check_mark: Your action items*"))
        for item in data.actions:
            due = f"{':warning: overdue, ' if item.overdue else ''}due {item.due_on:%a %d %b}"
            blocks.append(
                bk.section(
                    f"{_short(item.text)} — _{escape(item.series)}_, {due}",
                    accessory=bk.button("Done", Action.ACTION_DONE, str(item.action_id), style="primary"),
                )
            )
    if data.launch_items:
        blocks.append(bk.section("*:rocket: My launch items*"))
        for launch_item in data.launch_items:
            due = f"due {date_token(launch_item.due_on, '{date_short_pretty}')}"
            if launch_item.overdue:
                due = f":warning: overdue, {due}"
            if launch_item.blocked:
                due += f" · blocked: {_short(launch_item.blocked_reason, 120)}"
            blocks.append(
                bk.section(
                    f"{_short(launch_item.title, 150)} — _{_short(launch_item.launch_name, 80)}_, {due}",
                    accessory=bk.button("Done", LaunchAction.ITEM_DONE, str(launch_item.item_id), style="primary"),
                )
            )
        if data.launch_items_total > len(data.launch_items):
            more = data.launch_items_total - len(data.launch_items)
            blocks.append(bk.context(MORE.format(n=more) + ": see each launch's checklist"))
    if nothing:
        blocks.append(bk.section("Nothing is waiting for you. :sparkles:"))
    if data.insights:
        blocks += [bk.divider(), bk.section("*:bulb: Insights you shared*")]
        lines = [f"• #{i.number} {_short(i.text, 120)} — {_status(i.status)}" for i in data.insights]
        blocks.append(bk.section("\n".join(lines)))
    if data.goals:
        blocks += [bk.divider(), bk.section("*:dart: Our shared goals*")]
        for shared in data.goals:
            goal = shared.goal
            text = (
                f"*{_short(goal.title, 120)}* {channel_link(goal.channel_id)}\n"
                f"{status_line(goal)}  ·  {plain(goal.metric_name)}: {value_summary(goal)}"
            )
            update = bk.button("Update", GoalAction.UPDATE, str(goal.id)) if shared.mine else None
            blocks.append(bk.section(text, accessory=update))
        if data.goals_total > len(data.goals):
            blocks.append(bk.context(MORE.format(n=data.goals_total - len(data.goals)) + ": see `/goal list`"))
    if data.launches_led:
        blocks += [bk.divider(), bk.section("*:rocket: Launches I lead*")]
        for led in data.launches_led:
            state = "shipped" if led.shipped else date_token(led.next_on, "{date_short_pretty}")
            blocks.append(
                bk.section(
                    f"*{_short(led.name, 120)}* — {state} · you lead {led.side.lower()} "
                    f"{channel_link(led.channel_id)}\n"
                    f"Product: {readiness_text(led.product)}  ·  Marketing: {readiness_text(led.marketing)}"
                )
            )
    if data.upcoming:
        blocks += [bk.divider(), bk.section("*:calendar: Coming up*")]
        lines = [
            f"• {'Stand-up' if r.kind == 'standup' else 'Retro'} *{escape(r.name)}* — {_when(r.at)}"
            for r in data.upcoming
        ]
        blocks.append(bk.section("\n".join(lines)))
    if data.holidays:
        blocks += [
            bk.divider(),
            bk.section(
                f"*:palm_tree: My public holidays*: {escape(data.holidays)}\n"
                "No stand-up prompt or reminder reaches you on them.",
                accessory=bk.button("My public holidays", StandupAction.OPEN_HOLIDAYS),
            ),
        ]
    if data.can_manage:
        blocks += [bk.divider(), bk.section("*:gear: Set up rituals*")]
        blocks.append(
            bk.actions(
                bk.button("New stand-up", Action.NEW_STANDUP),
                bk.button("New retro", Action.NEW_RETRO),
                bk.button("New digest", DigestAction.OPEN_SETUP),
            )
        )
        for ritual in data.managed:
            value = str(ritual.ref_id)
            if ritual.kind == "standup":
                label, button = f"Stand-up *{escape(ritual.name)}*", bk.button("Edit", Action.EDIT_STANDUP, value)
            elif ritual.kind == "retro":
                label, button = f"Retro *{escape(ritual.name)}*", bk.button("Edit", Action.EDIT_RETRO, value)
            else:
                label, button = f"*{ritual.name}*", bk.button("Edit", DigestAction.OPEN_SETUP, value)  # names are ours
            blocks.append(bk.section(label, accessory=button))
    blocks.append(bk.context("Updated when you open this tab and after you change something here."))
    return {"type": "home", "blocks": bk.cap_blocks(blocks, bk.VIEW_BLOCK_LIMIT, MORE)}
