"""Pure view builders for the weekly digest: the message, its terminal rendering, the setup modal."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.digest import data
from bot.digest.data import DigestLine
from bot.digest.forms import SetupMetadata
from bot.digest.goal_views import goals_blocks
from bot.digest.ids import ALL_SECTIONS, Action, Block, Callback, Section
from bot.digest.launch_views import launches_blocks
from bot.insights.ids import STATUS_LABELS, Status
from bot.slack import blocks as bk
from bot.slack.channels import confirmation_block
from bot.slack.text import escape, mention, plain, slack_date, truncate
from bot.summaries.views import summary_mrkdwn

TITLE = "Weekly digest: product and marketing"
MORE_IN_HOME = "…and {n} more in Tandem's Home tab"
QUOTE_CHARS = 280
LINE_CHARS = 200
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Message = dict[str, Any]


def chart_comment() -> str:
    return (
        "This week's chart: insights per category, stand-up participation and partnership health per side "
        "(last 8 weeks), and the shared goals' progress toward their targets."
    )


def _trend(trend: data.Trend, unit: str = "") -> str:
    if trend.delta > 0:
        change = f"▲{trend.delta} vs last week"
    elif trend.delta < 0:
        change = f"▼{-trend.delta} vs last week"
    else:
        change = "same as last week"
    return f"*{trend.current}*{unit} ({change})"


def _day(moment: datetime) -> str:
    return slack_date(moment, "{date_short_pretty}", fallback=moment.strftime("%a %d %b"))


def _day_and_time(moment: datetime) -> str:
    return slack_date(moment, "{date_short_pretty} {time}", fallback=moment.strftime("%a %d %b %H:%M UTC"))


def _quote(text: str, limit: int = LINE_CHARS) -> str:
    return plain(truncate(" ".join(text.split()), limit))


def _lines(title: str, lines: Sequence[str], *, total: int | None = None) -> str:
    """A section text within Slack's 3000 characters; lines that do not fit (and ``total`` beyond
    the lines given) end as "…and N more in Tandem's Home tab"."""
    return bk.capped_lines(title, lines, total=total, more=MORE_IN_HOME)


def _standups(section: data.StandupSection) -> list[bk.Block]:
    out: list[bk.Block] = []
    rows = []
    for p in section.participation:
        rate = f" of {p.prompted} asked ({p.rate:.0%})" if p.rate is not None else ""
        rows.append(f"• {_side(p.side)}: {_trend(p.answers, ' answers')}{rate}")
    out.append(bk.section(_lines(f"*:busts_in_silhouette: Stand-ups* — {_trend(section.answers, ' answers')}", rows)))
    if section.blockers_total:
        lines = [f"• {mention(b.user_id)} ({escape(b.standup)}): {_quote(b.text)}" for b in section.blockers]
        out.append(bk.section(_lines("*Still blocked*", lines, total=section.blockers_total)))
    if section.asks_total:
        lines = [
            f"• {mention(a.to_user)} owes {mention(a.from_user)}: {_quote(a.text)} _(since {_day(a.at)}{_age(a)})_"
            for a in section.asks
        ]
        out.append(bk.section(_lines("*Open asks*", lines, total=section.asks_total)))
    if section.off:
        lines = [f"• {mention(o.user_id)}: {escape(o.holiday)} ({o.day:%a %d %b})" for o in section.off]
        out.append(bk.section(_lines("*:palm_tree: Off for a holiday*", lines)))
    return out


def _age(ask: data.Ask) -> str:
    if ask.working_days is None:
        return ""
    return f", {ask.working_days} working day{'s' if ask.working_days != 1 else ''} open"


def _side(side: str) -> str:
    return side.capitalize() if side else "Other"


def _insights(section: data.InsightsSection) -> list[bk.Block]:
    out: list[bk.Block] = [bk.section(f"*:bulb: Customer insights* — {_trend(section.new, ' new')}")]
    for group in section.groups:
        lines = [
            f"• #{i.number} {_quote(i.text)}"
            + (f" _(+{i.plus_ones})_" if i.plus_ones else "")
            + (f" — {plain(i.segment)}" if i.segment else "")
            for i in group.top
        ]
        out.append(bk.section(_lines(f"*{escape(group.label)}* ({group.count})", lines, total=group.count)))
    if section.quotes:
        lines = [f"> “{_quote(q.text, QUOTE_CHARS)}” — _{plain(q.segment)}_ (#{q.number})" for q in section.quotes]
        out.append(bk.section(_lines("*In their words*", lines)))
    return out


def _status(value: str) -> str:
    try:
        return f"{Status(value).emoji} {STATUS_LABELS[Status(value)]}"
    except ValueError:
        return escape(value)


def _loop(section: data.LoopSection) -> list[bk.Block]:
    lines = [
        f"• #{c.number} {_quote(c.text, 120)}: {_status(c.from_status)} → *{_status(c.to_status)}*"
        f" (shared by {mention(c.submitted_by)})"
        for c in section.changes
    ]
    title = f"*:arrows_counterclockwise: Loop closed* — {_trend(section.total, ' status changes')}"
    return [bk.section(_lines(title, lines, total=section.total.current))]


def _actions(section: data.ActionsSection) -> list[bk.Block]:
    title = (
        f"*:white_check_mark: Retro action items* — {_trend(section.done, ' done')}, "
        f"*{section.open_total + section.overdue_total}* open, *{section.overdue_total}* overdue"
    )
    out = [bk.section(title)]
    if section.open_items:
        lines = [
            f"• {':warning: ' if a.overdue else ''}{_quote(a.text, 150)} — {mention(a.owner_id)}, "
            f"due {a.due_on:%a %d %b}"
            for a in section.open_items
        ]
        out.append(bk.section(_lines("*Open*", lines, total=section.open_total + section.overdue_total)))
    if section.done_items:
        lines = [f"• ~{_quote(a.text, 150)}~ — {mention(a.owner_id)}" for a in section.done_items]
        out.append(bk.section(_lines("*Done this week*", lines, total=section.done.current)))
    return out


def _health(section: data.HealthSection) -> list[bk.Block]:
    lines = []
    for side in section.sides:
        latest = side.latest
        if latest is None:
            lines.append(f"• {_side(side.side)}: too few ratings to show without revealing anyone")
            continue
        scores = " → ".join(f"{p.score:.1f}" for p in side.points if p.score is not None)
        change = f" ({side.change:+.1f})" if side.change is not None else ""
        strands = " · ".join(f"{name} {value:.1f}" for name, value in latest.strands.items())
        lines.append(f"• {_side(side.side)}: {scores}{change} — {strands} _({escape(latest.retro)})_")
    return [bk.section(_lines("*:handshake: Partnership health* (1 to 5, last 8 weeks)", lines))]


def _upcoming(section: data.UpcomingSection) -> list[bk.Block]:
    lines = [
        f"• {'Stand-up' if r.kind == 'standup' else 'Retro'} *{escape(r.name)}* — {_day_and_time(r.first_at)}"
        + (f", {r.times} days" if r.times > 1 else "")
        for r in section.rituals
    ]
    return [bk.section(_lines("*:calendar: Coming next week*", lines))]


def build_digest_blocks(digest: data.Digest) -> list[bk.Block]:
    period = f"{_day(digest.start)} to {_day(digest.end)}"
    blocks: list[bk.Block] = [bk.header(TITLE), bk.context(f"The week of {period}, compared with the week before")]
    if digest.in_three_lines is not None:
        blocks.append(bk.section(summary_mrkdwn("This week in three lines", digest.in_three_lines)))
    parts: list[list[bk.Block]] = []
    if digest.goals:
        parts.append(goals_blocks(digest.goals))
    if digest.launches:
        parts.append(launches_blocks(digest.launches))
    if digest.standups:
        parts.append(_standups(digest.standups))
    if digest.insights:
        parts.append(_insights(digest.insights))
    if digest.loop:
        parts.append(_loop(digest.loop))
    if digest.actions:
        parts.append(_actions(digest.actions))
    if digest.health:
        parts.append(_health(digest.health))
    if digest.upcoming:
        parts.append(_upcoming(digest.upcoming))
    if not parts:
        blocks.append(bk.section("A quiet week: no stand-up answers, insights, retro updates or rituals to report."))
    for part in parts:
        blocks.append(bk.divider())
        blocks.extend(part)
    return bk.cap_blocks(blocks, bk.MESSAGE_BLOCK_LIMIT, MORE_IN_HOME)


def digest_fallback_text(digest: data.Digest) -> str:
    figures = []
    if digest.standups:
        figures.append(f"{digest.standups.answers.current} stand-up answers")
    if digest.insights:
        figures.append(f"{digest.insights.new.current} new insights")
    if digest.actions:
        figures.append(f"{digest.actions.done.current} action items done")
    return "Weekly digest" + (": " + ", ".join(figures) if figures else "")


def build_digest_message(digest: data.Digest) -> Message:
    return {"text": digest_fallback_text(digest), "blocks": build_digest_blocks(digest), "unfurl_links": False}


# --- terminal --------------------------------------------------------------------------------

_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_USER = re.compile(r"<@([A-Z0-9]+)>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|[^>]*)?>")


def mrkdwn_to_text(text: str) -> str:
    text = _DATE.sub(r"\1", text)
    text = _USER.sub(r"@\1", text)
    text = _CHANNEL.sub(r"#\1", text)
    text = text.replace("\u200b", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def blocks_to_text(blocks: Sequence[bk.Block]) -> str:
    """A readable plain-text rendering (``tandem digest --preview``)."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = block["text"]["text"]
            lines += [title, "=" * len(title)]
        elif kind == "divider":
            lines.append("")
        elif kind == "section" and "text" in block:
            lines.append(mrkdwn_to_text(block["text"]["text"]))
        elif kind == "context":
            lines.append(" ".join(mrkdwn_to_text(e.get("text", "")) for e in block.get("elements", [])))
    return "\n".join(lines).rstrip() + "\n"


# --- setup modal -----------------------------------------------------------------------------


def build_setup_modal(
    *,
    channel_id: str,
    weekday: int,
    local_time: str,
    timezone: str,
    sections: Sequence[Section],
    digest_id: int = 0,
    external_ok: bool = False,
) -> dict[str, Any]:
    channel: dict[str, Any] = {"type": "conversations_select", "action_id": Action.CHANNEL,
                               "filter": {"include": ["public", "private"], "exclude_bot_users": True}}  # fmt: skip
    if channel_id:
        channel["initial_conversation"] = channel_id
    days = [bk.option(name, str(i)) for i, name in enumerate(WEEKDAYS)]
    section_options = [bk.option(s.label, s.value) for s in ALL_SECTIONS]
    chosen = [o for o in section_options if o["value"] in {s.value for s in sections}]
    checkboxes: dict[str, Any] = {"type": "checkboxes", "action_id": Action.SECTIONS, "options": section_options}
    if chosen:
        checkboxes["initial_options"] = chosen
    blocks = [
        bk.input_block("Post to", channel, block_id=Block.CHANNEL),
        confirmation_block(Block.EXTERNAL, Action.EXTERNAL, confirmed=external_ok),
        bk.input_block(
            "Day",
            {"type": "static_select", "action_id": Action.WEEKDAY, "options": days, "initial_option": days[weekday]},
            block_id=Block.WEEKDAY,
        ),
        bk.input_block(
            "Time", {"type": "timepicker", "action_id": Action.TIME, "initial_time": local_time}, block_id=Block.TIME
        ),
        bk.input_block(
            "Time zone",
            bk.text_input(Action.TIMEZONE, initial=timezone, max_length=64, placeholder="Europe/Berlin"),
            block_id=Block.TIMEZONE,
            hint="An IANA zone name. Each reader still sees dates in their own time.",
        ),
        bk.input_block("Sections", checkboxes, block_id=Block.SECTIONS),
    ]
    return bk.modal(
        "Weekly digest",
        blocks,
        callback_id=Callback.SETUP,
        submit="Save",
        private_metadata=SetupMetadata(digest_id=digest_id).encode() if digest_id else "",
    )


def build_saved_text(channel_id: str, weekday: int, local_time: str, timezone: str, created: bool) -> str:
    verb = "is set up" if created else "is updated"
    return (
        f"The weekly digest for <#{channel_id}> {verb}: every {WEEKDAYS[weekday]} at {local_time} "
        f"({escape(timezone)}). "
        "Try `/digest preview` to see this week's."
    )


def build_preview_message(digest: data.Digest) -> Message:
    blocks = build_digest_blocks(digest)
    note = bk.context("Preview, only you can see this. `/digest now` posts it to the channel.")
    return {
        "text": digest_fallback_text(digest),
        "blocks": bk.cap_blocks([*blocks, note], bk.MESSAGE_BLOCK_LIMIT, MORE_IN_HOME),
    }


def _schedule_text(weekday: int, local_time: str, timezone: str) -> str:
    return f"{WEEKDAYS[weekday]}s at {local_time} ({escape(timezone)})"


def build_list_text(lines: Sequence[DigestLine]) -> str:
    """``/digest list``: every digest of the workspace, its day, owner and state."""
    if not lines:
        return "No weekly digests yet. `/digest setup` in a channel sets one up for it."
    out = ["*Weekly digests in this workspace*"]
    for line in lines[:30]:
        if line.paused:
            state = "paused"
        elif line.next_run_at is not None:
            state = f"next {slack_date(line.next_run_at)}"
        else:
            state = "nothing scheduled"
        when = _schedule_text(line.weekday, line.local_time, line.timezone)
        out.append(f"• <#{line.channel_id}> — {when}, set up by {mention(line.owner_id)} — {state}")
    if len(lines) > 30:
        out.append(f"_…and {len(lines) - 30} more_")
    return "\n".join(out)


def build_managed_text(action: str, line: DigestLine | None, channel_id: str, sent: int = 0) -> str:
    """The ephemeral reply to ``/digest pause|resume|delete``."""
    where = f"<#{channel_id}>"
    if action == "pause":
        return f"Paused the weekly digest for {where}. Nothing is posted until `/digest resume`."
    if action == "resume":
        when = f" The next one posts {slack_date(line.next_run_at)}." if line and line.next_run_at else ""
        return f"Resumed the weekly digest for {where}.{when} Weeks that fell inside the pause are not posted late."
    kept = f" The {sent} digest{'s' if sent != 1 else ''} already posted stay in the channel." if sent else ""
    return f"Deleted the weekly digest for {where}: no more digests will be posted there.{kept}"


def build_notice_modal(title: str, text: str) -> dict[str, Any]:
    return bk.modal(title, [bk.section(text)], callback_id="digest_notice", submit=None, close="Close")
