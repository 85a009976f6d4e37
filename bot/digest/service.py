"""Weekly digest: set up, compile a week into plain data, and post it (with its chart).

``compile_digest`` is the heart: read-only queries (``bot.digest.queries``) turned into a
``data.Digest``; ``views`` renders it. Posting goes through the outbox (the digest message,
then the chart shared into its thread, referencing the message's ``ts``), so a Slack outage or
a failed chart never loses the digest.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.digest import data, queries
from bot.digest.ids import (
    ALL_SECTIONS,
    CHART_SHARED_HOOK,
    POSTED_HOOK,
    RITUAL_KIND,
    ChartStatus,
    JobKind,
    RunKind,
    RunStatus,
    Section,
)
from bot.digest.models import Digest, DigestRun
from bot.insights.ids import CATEGORY_LABELS, Category
from bot.scheduling.cadence import Cadence, InvalidCadence, zone
from bot.scheduling.service import (
    create_schedule,
    delete_schedules_for,
    next_occurrences,
    schedules_for,
    set_paused_for,
    update_schedule,
)
from bot.slack.channels import Confirmation, settle_confirmation
from bot.slack.delivery import Ritual, enqueue, register_failure_hook, register_result_hook, result_ref
from bot.slack.delivery_models import OutboxMessage
from bot.slack.text import escape, truncate
from bot.standup.ids import Side

log = logging.getLogger(__name__)

WEEK = timedelta(days=7)
CHART_WEEKS = 8
HEALTH_WEEKS = 8
MIN_RATERS_PER_SIDE = 2  # as the retro's own summary: one rater's averages would be their scores
DEFAULT_WEEKDAY = 0
DEFAULT_TIME = "09:00"

# How many lines of each list the message shows; the rest is "…and N more" (App Home).
LIST_LIMIT = 5
TOP_PER_CATEGORY = 3
QUOTES = 3
INSIGHTS_FETCHED = 60


class DigestError(Exception):
    """Something the user can fix; ``str()`` is user-presentable."""


class NotAllowed(DigestError):
    pass


# --- setup -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSettings:
    channel_id: str
    weekday: int
    local_time: str  # "HH:MM"
    timezone: str
    sections: tuple[Section, ...]
    external_ok: bool = False  # "post there anyway" ticked / confirmed (a channel shared with another organisation)
    channel_external: bool = False  # the channel is shared with another organisation (checked at submit)


def default_settings(channel_id: str, timezone: str) -> DigestSettings:
    return DigestSettings(channel_id, DEFAULT_WEEKDAY, DEFAULT_TIME, timezone, ALL_SECTIONS)


def default_timezone(workspace_tz: str | None, user_tz: str | None) -> str:
    """The workspace's zone, else the person setting it up. ``Workspace.timezone`` defaults to
    "UTC" when nobody chose one, so "UTC" there counts as unset."""
    for candidate in (workspace_tz, user_tz):
        if candidate and candidate != "UTC":
            try:
                zone(candidate)
            except InvalidCadence:
                continue
            return candidate
    return "UTC"


def validate_settings(settings: DigestSettings) -> dict[str, str]:
    """Block id -> message for the setup modal; empty when valid."""
    from bot.digest.ids import Block

    errors: dict[str, str] = {}
    if not settings.channel_id:
        errors[Block.CHANNEL] = "Pick the channel the digest goes to."
    if not 0 <= settings.weekday <= 6:
        errors[Block.WEEKDAY] = "Pick a day of the week."
    try:
        time.fromisoformat(settings.local_time)
    except ValueError:
        errors[Block.TIME] = "Pick a time, like 09:00."
    try:
        zone(settings.timezone)
    except InvalidCadence:
        errors[Block.TIMEZONE] = "That is not a time zone I know. Try a name like Europe/Berlin or America/New_York."
    if not settings.sections:
        errors[Block.SECTIONS] = "Pick at least one section."
    return errors


def get_digest(session: Session, team_id: str, digest_id: int) -> Digest | None:
    return session.scalar(select(Digest).where(Digest.team_id == team_id, Digest.id == digest_id))


def digest_for_channel(session: Session, team_id: str, channel_id: str) -> Digest | None:
    return session.scalar(select(Digest).where(Digest.team_id == team_id, Digest.channel_id == channel_id))


def list_digests(session: Session, team_id: str) -> list[Digest]:
    return list(session.scalars(select(Digest).where(Digest.team_id == team_id).order_by(Digest.id)))


def can_manage(digest: Digest | None, user_id: str, is_admin: bool) -> bool:
    return is_admin or digest is None or digest.owner_id == user_id


def settings_of(digest: Digest) -> DigestSettings:
    return DigestSettings(
        digest.channel_id,
        digest.weekday,
        digest.local_time,
        digest.timezone,
        sections_of(digest.sections),
        external_ok=bool(digest.external_confirmed_by),
    )


def sections_of(values: Iterable[str]) -> tuple[Section, ...]:
    chosen = {v for v in values}
    return tuple(s for s in Section if s.value in chosen)


def save_digest(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    is_admin: bool,
    settings: DigestSettings,
    now: datetime,
    digest_id: int | None = None,
) -> tuple[Digest, bool]:
    """Create or edit a digest and its ``digest.post`` schedule; returns (digest, created).

    A channel has at most one digest: setting one up again for the same channel edits it.
    """
    digest = get_digest(session, team_id, digest_id) if digest_id else None
    if digest is None:
        digest = digest_for_channel(session, team_id, settings.channel_id)
    elif digest.channel_id != settings.channel_id:
        other = digest_for_channel(session, team_id, settings.channel_id)
        if other is not None:
            raise DigestError(f"<#{settings.channel_id}> already has a digest. Edit that one instead.")
    if digest is not None and not can_manage(digest, user_id, is_admin):
        raise NotAllowed("Only the person who set up this digest or a workspace admin can change it.")
    created = digest is None
    if digest is None:
        digest = Digest(team_id=team_id, owner_id=user_id, paused=False, created_at=now)
        session.add(digest)
    confirmation = settle_confirmation(
        external=settings.channel_external,
        ticked=settings.external_ok,
        previous=Confirmation(digest.external_confirmed_by, digest.external_confirmed_at),
        channel_changed=created or digest.channel_id != settings.channel_id,
        user_id=user_id,
        now=now,
    )
    digest.external_confirmed_by, digest.external_confirmed_at = confirmation.by, confirmation.at
    digest.channel_id = settings.channel_id
    digest.weekday = settings.weekday
    digest.local_time = settings.local_time
    digest.timezone = settings.timezone
    digest.sections = [s.value for s in settings.sections]
    digest.updated_at = now
    session.flush()
    cadence = Cadence.weekly(settings.weekday)
    at = time.fromisoformat(settings.local_time)
    existing = schedules_for(session, team_id, JobKind.POST, digest.id)
    if existing:
        update_schedule(session, existing[0], now=now, cadence=cadence, local_time=at, timezone=settings.timezone)
    else:
        create_schedule(
            session, team_id=team_id, kind=JobKind.POST, ref_id=digest.id, cadence=cadence,
            local_time=at, timezone=settings.timezone, now=now,
        )  # fmt: skip
    return digest, created


# --- compile ---------------------------------------------------------------------------------


def category_label(category: str | None) -> str:
    try:
        return CATEGORY_LABELS[Category(category)] if category else "Uncategorised"
    except ValueError:
        return str(category)


def side_label(side: str) -> str:
    try:
        return Side(side).label
    except ValueError:
        return side.capitalize()


def compile_digest(
    session: Session,
    team_id: str,
    *,
    end: datetime,
    sections: Sequence[Section] = ALL_SECTIONS,
    timezone: str = "UTC",
) -> data.Digest:
    """The week ``[end - 7 days, end)`` of ``team_id`` as plain data, with the week before for
    comparison. ``timezone`` decides which day is "today" for overdue action items."""
    start = end - WEEK
    chosen = set(sections)
    return data.Digest(
        team_id=team_id,
        start=start,
        end=end,
        standups=_standups(session, team_id, start, end) if Section.STANDUPS in chosen else None,
        insights=_insights(session, team_id, start, end) if Section.INSIGHTS in chosen else None,
        loop=_loop(session, team_id, start, end) if Section.LOOP in chosen else None,
        actions=_actions(session, team_id, start, end, timezone) if Section.ACTIONS in chosen else None,
        health=_health(session, team_id, end) if Section.HEALTH in chosen else None,
        upcoming=_upcoming(session, team_id, end) if Section.UPCOMING in chosen else None,
    )


def _side_order(side: str) -> tuple[int, str]:
    order = [s.value for s in Side]
    return (order.index(side) if side in order else len(order), side)


def _standups(session: Session, team_id: str, start: datetime, end: datetime) -> data.StandupSection | None:
    current = queries.answers_by_side(session, team_id, start, end)
    previous = queries.answers_by_side(session, team_id, start - WEEK, start)
    prompted = queries.prompts_by_side(session, team_id, start, end)
    blockers = [
        data.Blocker(user, name, text, at)
        for user, name, text, at in queries.latest_answers_with_blockers(session, team_id, start, end)
    ]
    asks_total, asks = queries.open_asks(session, team_id, LIST_LIMIT)
    sides = sorted(set(current) | set(prompted), key=_side_order)
    if not sides and not blockers and not asks_total:
        return None
    return data.StandupSection(
        participation=tuple(
            data.SideParticipation(side, data.Trend(current.get(side, 0), previous.get(side, 0)), prompted.get(side, 0))
            for side in sides
        ),
        blockers=tuple(blockers[-LIST_LIMIT:]),
        blockers_total=len(blockers),
        asks=tuple(data.Ask(f, t, text, at, name) for f, t, text, at, name in asks),
        asks_total=asks_total,
    )


def _insights(session: Session, team_id: str, start: datetime, end: datetime) -> data.InsightsSection | None:
    counts = queries.new_insights_by_category(session, team_id, start, end)
    total = sum(counts.values())
    if not total:
        return None
    previous = queries.count_new_insights(session, team_id, start - WEEK, start)
    rows = queries.new_insights(session, team_id, start, end, INSIGHTS_FETCHED)
    top: dict[str, list[data.InsightLine]] = defaultdict(list)
    quotes: list[data.Quote] = []
    quoted_segments: set[str] = set()
    for number, text, category, segment, customer, submitted_by, plus_ones in rows:
        line = data.InsightLine(int(number), str(text), segment or "", customer or "", int(plus_ones), submitted_by)
        key = category or ""
        if len(top[key]) < TOP_PER_CATEGORY:
            top[key].append(line)
        # Rows come most +1'd first: the first insight of each segment is its quote.
        if line.segment and line.segment not in quoted_segments and len(quotes) < QUOTES:
            quoted_segments.add(line.segment)
            quotes.append(data.Quote(line.segment, line.number, line.text))
    groups = sorted(
        (
            data.CategoryGroup(category or "", category_label(category), count, tuple(top.get(category or "", ())))
            for category, count in counts.items()
        ),
        key=lambda g: (-g.count, g.label),
    )
    return data.InsightsSection(data.Trend(total, previous), tuple(groups), tuple(quotes))


def _loop(session: Session, team_id: str, start: datetime, end: datetime) -> data.LoopSection | None:
    total, rows = queries.status_changes(session, team_id, start, end, LIST_LIMIT)
    if not total:
        return None
    previous = queries.count_status_changes(session, team_id, start - WEEK, start)
    changes = tuple(
        data.StatusChange(int(number), str(text), str(by), str(before), str(after), at)
        for number, text, by, before, after, at, _note in rows
    )
    return data.LoopSection(changes, data.Trend(total, previous))


def _actions(
    session: Session, team_id: str, start: datetime, end: datetime, timezone: str
) -> data.ActionsSection | None:
    today = end.astimezone(ZoneInfo(timezone)).date()
    done_total, done_rows = queries.actions_done(session, team_id, start, end, LIST_LIMIT)
    overdue_total, open_total, open_rows = queries.open_actions(session, team_id, today, LIST_LIMIT)
    if not (done_total or overdue_total or open_total):
        return None
    previous = queries.count_actions_done(session, team_id, start - WEEK, start)
    return data.ActionsSection(
        done=data.Trend(done_total, previous),
        done_items=tuple(data.ActionLine(str(text), str(owner), due) for text, owner, due, _at in done_rows),
        overdue_total=overdue_total,
        open_total=open_total,
        open_items=tuple(data.ActionLine(str(text), str(owner), due, due < today) for text, owner, due in open_rows),
    )


def _health(session: Session, team_id: str, end: datetime) -> data.HealthSection | None:
    rows = queries.health_ratings(session, team_id, end - HEALTH_WEEKS * WEEK, end)
    by_side: dict[str, list[data.HealthPoint]] = defaultdict(list)
    for _id, closed_at, title, number, side, raters, trust, ownership, planning in rows:
        shown = int(raters) >= MIN_RATERS_PER_SIDE
        strands = {"trust": float(trust), "ownership": float(ownership), "planning": float(planning)}
        by_side[str(side)].append(
            data.HealthPoint(
                retro=f"{title} #{number}",
                closed_at=closed_at,
                raters=int(raters),
                score=sum(strands.values()) / 3 if shown else None,
                strands=strands if shown else {},
            )
        )
    sides = tuple(
        data.SideHealth(side, tuple(points))
        for side, points in sorted(by_side.items(), key=lambda i: _side_order(i[0]))
    )
    if not any(s.latest is not None for s in sides):
        return None
    return data.HealthSection(sides)


def _upcoming(session: Session, team_id: str, end: datetime) -> data.UpcomingSection | None:
    found: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    # Per-participant prompt schedules (stand-ups at each person's local time) count once per day.
    for kind, prefix, per_subject in (("standup", "standup.prompt", True), ("retro", "retro.open", False)):
        for upcoming in next_occurrences(
            session, team_id, start=end, end=end + WEEK, kind_prefix=prefix, include_per_subject=per_subject
        ):
            found[(kind, upcoming.ref_id)].append(upcoming.at)
    if not found:
        return None
    standups = queries.standup_names(session, team_id, [int(r) for k, r in found if k == "standup" and r.isdigit()])
    retros = queries.retro_series_titles(session, team_id, [int(r) for k, r in found if k == "retro" and r.isdigit()])
    rituals: list[data.UpcomingRitual] = []
    for (kind, ref), instants in found.items():
        names = standups if kind == "standup" else retros
        name = names.get(int(ref)) if ref.isdigit() else None
        if name is None:
            continue
        days = {at.date() for at in instants}
        rituals.append(data.UpcomingRitual(kind, name, min(instants), len(days)))
    rituals.sort(key=lambda r: (r.first_at, r.name))
    return data.UpcomingSection(tuple(rituals)) if rituals else None


def compile_chart(session: Session, team_id: str, *, end: datetime) -> data.ChartData:
    """Insights per category and stand-up answers per side, for each of the last 8 weeks."""
    edges = [end - (CHART_WEEKS - i) * WEEK for i in range(CHART_WEEKS + 1)]
    insights = queries.weekly_insights_by_category(session, team_id, edges)
    answers = queries.weekly_answers_by_side(session, team_id, edges)
    return data.ChartData(
        week_starts=tuple(edges[:-1]),
        insights={category_label(c): tuple(v) for c, v in sorted(insights.items(), key=lambda i: category_label(i[0]))},
        answers={side_label(s): tuple(v) for s, v in sorted(answers.items(), key=lambda i: _side_order(i[0]))},
    )


# --- posting ---------------------------------------------------------------------------------

# (png bytes, filename, title) -> Slack file id; raises on failure. See chart.upload_file.
Uploader = Callable[[bytes, str, str], str]
ChartRenderer = Callable[[data.ChartData], bytes]


def post_digest(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    digest_id: int | None,
    owner_id: str,
    sections: Sequence[Section],
    timezone: str,
    end: datetime,
    now: datetime,
    kind: RunKind,
    key: str,
    render_chart: ChartRenderer | None,
    upload: Uploader | None,
    allow_external: bool = False,
) -> DigestRun:
    """Compile the week ending ``end`` and enqueue it for ``channel_id``; idempotent on ``key``.

    ``allow_external``: the owner confirmed posting it in a channel shared with another
    organisation (``bot.slack.channels``); otherwise the drainer holds it back there.

    The chart (when asked for and there is something to draw) is rendered and its bytes uploaded
    now; sharing it into the digest's thread is an outbox row that waits for the digest's ``ts``.
    Any chart failure is recorded on the run and the digest goes out regardless.
    """
    from bot.digest import views

    existing = session.scalar(select(DigestRun).where(DigestRun.team_id == team_id, DigestRun.message_key == key))
    if existing is not None:
        return existing
    digest = compile_digest(session, team_id, end=end, sections=sections, timezone=timezone)
    run = DigestRun(
        team_id=team_id,
        digest_id=digest_id,
        channel_id=channel_id,
        kind=kind.value,
        period_start=digest.start,
        period_end=digest.end,
        message_key=key,
        status=RunStatus.QUEUED.value,
        chart_status=ChartStatus.NONE.value,
        created_at=now,
    )
    session.add(run)
    session.flush()
    ritual = Ritual(RITUAL_KIND, run.id, owner_id)
    message = views.build_digest_message(digest)
    enqueue(
        session, team_id=team_id, method="chat.postMessage", args={"channel": channel_id, **message},
        key=key, now=now, ritual=ritual, on_result=POSTED_HOOK, allow_external=allow_external,
    )  # fmt: skip
    if Section.CHART in sections and render_chart is not None and upload is not None:
        _attach_chart(
            session, run, ritual, end=end, now=now, render_chart=render_chart, upload=upload,
            allow_external=allow_external,
        )  # fmt: skip
    return run


def _attach_chart(
    session: Session,
    run: DigestRun,
    ritual: Ritual,
    *,
    end: datetime,
    now: datetime,
    render_chart: ChartRenderer,
    upload: Uploader,
    allow_external: bool,
) -> None:
    from bot.digest import views

    chart = compile_chart(session, run.team_id, end=end)
    if chart.empty:
        return
    filename = f"tandem-digest-{end:%Y-%m-%d}.png"
    try:
        png = render_chart(chart)
        file_id = upload(png, filename, views.CHART_TITLE)
    # The digest must go out whatever happens to its chart (matplotlib, network, Slack errors):
    # the failure is recorded on the run and logged with its traceback, not swallowed.
    except Exception as error:
        log.warning("digest %s: chart upload failed, posting without it", run.id, exc_info=True)
        run.chart_status = ChartStatus.FAILED.value
        run.chart_error = f"{type(error).__name__}: {error}"[:1000]
        session.flush()
        return
    run.chart_status = ChartStatus.QUEUED.value
    run.chart_file_id = file_id
    session.flush()
    enqueue(
        session,
        team_id=run.team_id,
        method="files.completeUploadExternal",
        args={
            "files": [{"id": file_id, "title": views.CHART_TITLE}],
            "channel_id": run.channel_id,
            "thread_ts": result_ref(run.message_key),
            "initial_comment": views.chart_comment(),
        },
        key=f"{run.message_key}:chart",
        now=now,
        ritual=ritual,
        on_result=CHART_SHARED_HOOK,
        allow_external=allow_external,
    )


def run_key(digest_id: int | None, channel_id: str, at: datetime, kind: RunKind) -> str:
    if kind is RunKind.SCHEDULED:
        return f"digest:{digest_id}:{at:%Y%m%dT%H%M}"
    return f"digest:now:{channel_id}:{at:%Y%m%dT%H%M}"


def _run_of(session: Session, row: OutboxMessage) -> DigestRun | None:
    if not row.ritual_id or not row.ritual_id.isdigit():
        return None
    return session.scalar(select(DigestRun).where(DigestRun.team_id == row.team_id, DigestRun.id == int(row.ritual_id)))


def _on_posted(session: Session, row: OutboxMessage, result: dict[str, object]) -> None:
    run = _run_of(session, row)
    if run is not None:
        run.status = RunStatus.POSTED.value
        run.message_ts = str(result.get("ts") or "") or None
        session.flush()


def _on_chart_shared(session: Session, row: OutboxMessage, result: dict[str, object]) -> None:
    run = _run_of(session, row)
    if run is not None:
        run.chart_status = ChartStatus.SHARED.value
        session.flush()


def _on_failed(session: Session, row: OutboxMessage, error: str) -> None:
    run = _run_of(session, row)
    if run is None:
        return
    if row.key.endswith(":chart"):
        run.chart_status = ChartStatus.FAILED.value
        run.chart_error = error
    else:
        run.status = RunStatus.FAILED.value
        run.error = error
    session.flush()


register_result_hook(POSTED_HOOK, _on_posted)
register_result_hook(CHART_SHARED_HOOK, _on_chart_shared)
register_failure_hook(RITUAL_KIND, _on_failed)


# --- on demand (slash command, CLI) ----------------------------------------------------------


@dataclass(frozen=True)
class SetupForm:
    settings: DigestSettings
    digest_id: int  # 0: a new digest


def setup_form(
    session: Session, *, team_id: str, channel_id: str, user_tz: str | None, digest_id: int = 0
) -> SetupForm:
    """What the setup modal starts with: the digest being edited (by id, else this channel's), or
    the defaults — Monday 09:00 in the workspace's zone (the person's own if it has none)."""
    from bot.workspaces import Workspace

    digest = get_digest(session, team_id, digest_id) if digest_id else None
    digest = digest or (digest_for_channel(session, team_id, channel_id) if channel_id else None)
    if digest is not None:
        return SetupForm(settings_of(digest), digest.id)
    workspace_tz = session.scalar(select(Workspace.timezone).where(Workspace.team_id == team_id))
    return SetupForm(default_settings(channel_id, default_timezone(workspace_tz, user_tz)), 0)


def digest_for_preview(session: Session, *, team_id: str, channel_id: str, now: datetime) -> data.Digest:
    """This week (ending now) as the channel's digest would show it (all sections if none is set up)."""
    digest = digest_for_channel(session, team_id, channel_id) if channel_id else None
    sections = sections_of(digest.sections) if digest else ALL_SECTIONS
    timezone = digest.timezone if digest else "UTC"
    return compile_digest(session, team_id, end=now, sections=sections, timezone=timezone)


def post_now(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    is_admin: bool,
    now: datetime,
    render_chart: ChartRenderer | None,
    upload: Uploader | None,
    channel_external: bool = False,
) -> DigestRun:
    """``/digest now``: this week, ending now, posted to the channel. Only the digest's owner or a
    workspace admin may post to a channel that has a digest; without one, only admins (so a
    channel never gets digests nobody asked for). A channel shared with another organisation
    (``channel_external``) gets it only if its digest was set up there with the confirmation."""
    digest = digest_for_channel(session, team_id, channel_id)
    if not (is_admin or (digest is not None and digest.owner_id == user_id)):
        raise NotAllowed(
            "Only the person who set up this channel's digest or a workspace admin can post it. "
            "`/digest preview` shows it to you alone."
        )
    confirmed = digest is not None and bool(digest.external_confirmed_by)
    if channel_external and not confirmed:
        raise DigestError(
            "This channel includes people outside your organisation, so I won't post the digest here "
            "unasked. Set it up with `/digest setup` and tick “post there anyway”, or use "
            "`/digest preview` to see it yourself."
        )
    return post_digest(
        session,
        team_id=team_id,
        channel_id=channel_id,
        digest_id=digest.id if digest else None,
        owner_id=digest.owner_id if digest else user_id,
        sections=sections_of(digest.sections) if digest else ALL_SECTIONS,
        timezone=digest.timezone if digest else "UTC",
        end=now,
        now=now,
        kind=RunKind.NOW,
        key=run_key(digest.id if digest else None, channel_id, now, RunKind.NOW),
        render_chart=render_chart,
        upload=upload,
        allow_external=confirmed,
    )


# --- managing: /digest list | pause | resume | delete ----------------------------------------

_CHANNEL_REF = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class DigestLine:
    """One line of ``/digest list``."""

    digest_id: int
    channel_id: str
    weekday: int
    local_time: str
    timezone: str
    owner_id: str
    paused: bool
    next_run_at: datetime | None


def digest_lines(session: Session, team_id: str) -> list[DigestLine]:
    lines = []
    for digest in list_digests(session, team_id):
        upcoming = [s.next_run_at for s in schedules_for(session, team_id, JobKind.POST, digest.id) if s.next_run_at]
        lines.append(
            DigestLine(
                digest_id=digest.id,
                channel_id=digest.channel_id,
                weekday=digest.weekday,
                local_time=digest.local_time,
                timezone=digest.timezone,
                owner_id=digest.owner_id,
                paused=digest.paused,
                next_run_at=None if digest.paused or not upcoming else min(upcoming),
            )
        )
    return lines


def find_digest(
    session: Session, *, team_id: str, argument: str, channel_id: str, name_of: Callable[[str], str | None]
) -> Digest:
    """The digest a command is about: the current channel's, or the one named by ``argument``
    (``<#C123|name>``, ``<#C123>``, ``#name`` or ``name``). ``name_of`` looks up a channel's
    name; it is only asked about channels that have a digest."""
    wanted = argument.strip()
    if not wanted:
        digest = digest_for_channel(session, team_id, channel_id) if channel_id else None
        if digest is None:
            raise DigestError(
                "This channel has no weekly digest. Name one, like `/digest pause #product-marketing`, "
                "or see `/digest list`."
            )
        return digest
    if match := _CHANNEL_REF.match(wanted):
        digest = digest_for_channel(session, team_id, match.group(1))
        if digest is None:
            raise DigestError(f"<#{match.group(1)}> has no weekly digest. `/digest list` shows the ones set up.")
        return digest
    name = wanted.lstrip("#").lower()
    for digest in list_digests(session, team_id):
        if (name_of(digest.channel_id) or "").lower() == name:
            return digest
    shown = escape(truncate(name, 80))
    raise DigestError(f"No weekly digest posts to #{shown}. `/digest list` shows the ones set up.")


def _require_manager(digest: Digest, user_id: str, is_admin: Callable[[], bool], verb: str) -> None:
    if digest.owner_id != user_id and not is_admin():
        raise NotAllowed(
            f"Only the person who set up this digest (<@{digest.owner_id}>) or a workspace admin can {verb} it."
        )


def set_digest_paused(
    session: Session, digest: Digest, *, user_id: str, is_admin: Callable[[], bool], paused: bool, now: datetime
) -> DigestLine:
    """Pause (no posts until resumed) or resume (from the next digest day; no catch-up)."""
    _require_manager(digest, user_id, is_admin, "pause" if paused else "resume")
    if digest.paused == paused:
        state = "already paused" if paused else "not paused"
        raise DigestError(f"The weekly digest for <#{digest.channel_id}> is {state}.")
    digest.paused = paused
    digest.updated_at = now
    set_paused_for(session, digest.team_id, JobKind.POST, digest.id, paused, now)
    session.flush()
    return next(line for line in digest_lines(session, digest.team_id) if line.digest_id == digest.id)


def delete_digest(session: Session, digest: Digest, *, user_id: str, is_admin: Callable[[], bool]) -> tuple[str, int]:
    """Stop the digest and forget its settings; the record of digests already sent is kept.
    Returns (channel id, digests sent)."""
    _require_manager(digest, user_id, is_admin, "delete")
    team_id, channel_id = digest.team_id, digest.channel_id
    delete_schedules_for(session, team_id, JobKind.POST, digest.id)
    runs = DigestRun.team_id == team_id, DigestRun.digest_id == digest.id
    sent = session.scalar(select(func.count()).select_from(DigestRun).where(*runs))
    session.execute(update(DigestRun).where(*runs).values(digest_id=None).execution_options(synchronize_session=False))
    session.delete(digest)
    session.flush()
    return channel_id, int(sent or 0)
