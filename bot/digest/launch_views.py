"""The digest's "Launches" section in Block Kit: pure, from ``data.LaunchesSection``.

Coming up (the next 30 days, soonest first): each launch with its date as a Slack date token, how
far away it is, each side's readiness (done, due, overdue) and its overdue items by owner; then
the launches of the past week. Every list ends "…and N more" rather than outgrowing a section.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from bot.digest import data
from bot.launches.views import countdown, date_token, readiness_text
from bot.slack import blocks as bk
from bot.slack.text import channel_link, mention, plain, truncate

NAME_CHARS = 80
ITEM_CHARS = 80
MORE = "…and {n} more: see `/launch list`"


def _name(line: data.LaunchLine) -> str:
    name = f"*{plain(truncate(' '.join(line.name.split()), NAME_CHARS))}*"
    if line.phase:
        name += f" ({plain(truncate(' '.join(line.phase.split()), 40))})"
    return name


def _when(line: data.LaunchLine) -> str:
    today = line.on - timedelta(days=line.days)
    return f"{date_token(line.on, '{date_short_pretty}')} ({countdown(line.on, today)})"


def upcoming_line(line: data.LaunchLine) -> str:
    text = (
        f"• :rocket: {_name(line)} — {_when(line)} {channel_link(line.channel_id)}\n"
        f"      Product: {readiness_text(line.product)} · Marketing: {readiness_text(line.marketing)}"
    )
    for item in line.overdue:
        title = plain(truncate(" ".join(item.title.split()), ITEM_CHARS))
        text += (
            f"\n      :red_circle: {title} — {mention(item.owner_id)}, due {date_token(item.due_on, '{date_short}')}"
        )
    if line.overdue_total > len(line.overdue):
        text += f"\n      _…and {line.overdue_total - len(line.overdue)} more overdue_"
    return text


def launched_line(line: data.LaunchLine) -> str:
    rest = f", {line.open_total} item{'s' if line.open_total != 1 else ''} still open" if line.open_total else ""
    return f"• :white_check_mark: {_name(line)} — {_when(line)}{rest} {channel_link(line.channel_id)}"


def _lines(title: str, lines: Sequence[str], total: int) -> str:
    return bk.capped_lines(title, lines, total=total, more=MORE)


def launches_blocks(section: data.LaunchesSection) -> list[bk.Block]:
    out: list[bk.Block] = []
    overdue = sum(1 for line in section.upcoming if line.overdue_total)
    heading = f"*:rocket: Launches* — *{section.upcoming_total}* in the next {data.LAUNCH_DAYS_AHEAD} days"
    if overdue:
        heading += f", *{overdue}* with overdue items"
    if section.upcoming:
        out.append(bk.section(_lines(heading, [upcoming_line(x) for x in section.upcoming], section.upcoming_total)))
    else:
        out.append(bk.section(heading))
    if section.launched:
        lines = [launched_line(x) for x in section.launched]
        out.append(bk.section(_lines("*Launched this week*", lines, section.launched_total)))
    return out
