"""Compiling a week into plain data: read-only queries (``bot.digest.queries``) -> ``data.Digest``
and ``data.ChartData``. The heart of the digest; no Slack, no writes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from itertools import pairwise
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.digest import data, goal_queries, launch_queries, queries
from bot.digest.data import (
    CHART_WEEKS,
    HEALTH_WEEKS,
    INSIGHTS_FETCHED,
    LIST_LIMIT,
    MIN_RATERS_PER_SIDE,
    QUOTES,
    TOP_PER_CATEGORY,
    WEEK,
)
from bot.digest.ids import ALL_SECTIONS, Section
from bot.insights.ids import CATEGORY_LABELS, Category
from bot.scheduling.service import next_occurrences
from bot.standup import daysoff
from bot.standup.ids import Side


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
        goals=goal_queries.compile_goals(session, team_id, start, end) if Section.GOALS in chosen else None,
        launches=(
            launch_queries.compile_launches(session, team_id, end, timezone) if Section.LAUNCHES in chosen else None
        ),
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
        asks=tuple(_open_ask(session, team_id, row, end) for row in asks),
        asks_total=asks_total,
        off=tuple(data.Off(u, h, d) for u, h, d in queries.off_in_period(session, team_id, start, end)[:LIST_LIMIT]),
    )


def _open_ask(session: Session, team_id: str, row: tuple[str, str, str, datetime, str], end: datetime) -> data.Ask:
    """An open ask with its age in the asked person's working days (their zone and holidays)."""
    from_user, to_user, text, at, name = row
    tz = daysoff.zone_of(session, team_id, to_user)
    return data.Ask(from_user, to_user, text, at, name, daysoff.working_age(session, team_id, to_user, tz, at, end))


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
    """For each of the last 8 weeks: insights per category, stand-up answers per side and their
    share of the answers expected (prompts), the partnership health per side; and the open
    goals' progress toward their targets now."""
    edges = [end - (CHART_WEEKS - i) * WEEK for i in range(CHART_WEEKS + 1)]
    insights = queries.weekly_insights_by_category(session, team_id, edges)
    answers = queries.weekly_answers_by_side(session, team_id, edges)
    prompts = (
        {
            side: [queries.prompts_by_side(session, team_id, lo, hi).get(side, 0) for lo, hi in pairwise(edges)]
            for side in answers
        }
        if answers
        else {}
    )
    participation = {
        side_label(s): tuple(
            min(1.0, a / p) if p else None
            for a, p in zip(answers[s], prompts.get(s, [0] * len(answers[s])), strict=True)
        )
        for s in sorted(answers, key=_side_order)
    }
    return data.ChartData(
        week_starts=tuple(edges[:-1]),
        insights={category_label(c): tuple(v) for c, v in sorted(insights.items(), key=lambda i: category_label(i[0]))},
        answers={side_label(s): tuple(v) for s, v in sorted(answers.items(), key=lambda i: _side_order(i[0]))},
        participation=participation,
        health=_weekly_health(session, team_id, edges),
        goals=goal_queries.chart_goals(session, team_id, end - WEEK, end),
    )


def _weekly_health(session: Session, team_id: str, edges: Sequence[datetime]) -> dict[str, tuple[float | None, ...]]:
    """Per side, the latest partnership health score (1 to 5) shown by the end of each week: the
    partnership-health-check retros' ratings, hidden when too few people rated (as in the digest)."""
    section = _health(session, team_id, edges[-1])
    if section is None:
        return {}
    found: dict[str, tuple[float | None, ...]] = {}
    for side in section.sides:
        weekly: list[float | None] = []
        for hi in edges[1:]:
            shown = [p.score for p in side.points if p.score is not None and p.closed_at < hi]
            weekly.append(shown[-1] if shown else None)
        found[side_label(side.side)] = tuple(weekly)
    return found
