"""The launch retro's brief: what the retro opens with.

On the retro's day (``JobKind.RETRO_BRIEF`` at ``DAY_START``, an hour before the retro opens at
``retro_link.RETRO_TIME``) the brief is computed from the plan and handed to the retro as its
opening notes (``bot.retro.series.set_opening_notes``):

- each success metric's latest value against its target (a KPI: against its healthy range);
- what was late on the checklist (done late, re-dated after its due date, or still open past
  it) and what was dropped;
- the customer insights captured since the (first) launch date, newest first.

The retro shows notes as plain text it escapes; it never knows they came from a launch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.goals.data import GoalView
from bot.goals.ids import Kind
from bot.insights.models import Insight
from bot.launches.ids import ItemKind, ItemStatus, LaunchStatus, Side
from bot.launches.lookups import launch_view
from bot.launches.models import Launch
from bot.retro.data import OpeningNote
from bot.retro.models import RetroSeries
from bot.retro.series import set_opening_notes
from bot.scheduling.cadence import local_to_utc, zone

BRIEF_INSIGHTS = 10  # the newest insights shown; the rest are counted


@dataclass(frozen=True)
class MetricLine:
    title: str
    metric: str
    current: str | None  # the latest value with its unit; None before any value
    target: str | None  # a target goal's target; None for a KPI
    progress: float | None  # 0..1+ towards the target
    healthy_range: str | None  # a KPI's range, "4% to 6%"
    healthy: bool | None


@dataclass(frozen=True)
class BriefItem:
    title: str
    side: Side
    due_on: date
    why: str  # "done late", "re-dated after its due date", "still open", "blocked: ...", "dropped"


@dataclass(frozen=True)
class InsightLine:
    number: int
    text: str
    customer: str


@dataclass(frozen=True)
class LaunchBrief:
    launch_id: int
    metrics: tuple[MetricLine, ...]
    late: tuple[BriefItem, ...]
    dropped: tuple[BriefItem, ...]
    insights: tuple[InsightLine, ...]  # newest first, at most BRIEF_INSIGHTS
    insights_total: int
    since: date  # the launch date the insights are counted from


def metric_line(goal: GoalView) -> MetricLine:
    current = goal.show(goal.current) if goal.current is not None else None
    if goal.kind is Kind.KPI:
        low = goal.show(goal.range_low) if goal.range_low is not None else "…"
        high = goal.show(goal.range_high) if goal.range_high is not None else "…"
        return MetricLine(goal.title, goal.metric_name, current, None, None, f"{low} to {high}", goal.healthy)
    target = goal.show(goal.target) if goal.target is not None else None
    return MetricLine(goal.title, goal.metric_name, current, target, goal.progress, None, None)


def compute_brief(session: Session, launch: Launch, now: datetime) -> LaunchBrief:
    """The brief as of ``now`` (the plan's "today" is the launch's zone's)."""
    view = launch_view(session, launch)
    tz = zone(launch.timezone)
    today = now.astimezone(tz).date()
    decided = {p.id for p in view.phases if p.decision is not None or p.shipped}
    late: list[BriefItem] = []
    dropped: list[BriefItem] = []
    for item in view.items:
        if item.kind is ItemKind.RETRO:
            continue
        if item.status is ItemStatus.DROPPED:
            dropped.append(BriefItem(item.title, item.side, item.due_on, "dropped"))
        elif item.status is ItemStatus.DONE:
            if item.was_late:
                late.append(BriefItem(item.title, item.side, item.due_on, "done late"))
        elif item.kind is ItemKind.GO_NO_GO and item.phase_id in decided:
            continue  # the decision lives on the phase: taken is taken
        elif item.overdue(today):
            why = f"blocked: {item.blocked_reason}" if item.status is ItemStatus.BLOCKED else "still open"
            late.append(BriefItem(item.title, item.side, item.due_on, why))
        elif item.was_late:
            late.append(BriefItem(item.title, item.side, item.due_on, "re-dated after its due date"))
    since = view.launch_on
    start = local_to_utc(since, time(0, 0), tz)
    window = (Insight.team_id == launch.team_id, Insight.created_at >= start, Insight.created_at <= now)
    total = session.scalar(select(func.count()).select_from(Insight).where(*window))
    rows = session.execute(
        select(Insight.number, Insight.text, Insight.customer)
        .where(*window)
        .order_by(Insight.created_at.desc(), Insight.id.desc())
        .limit(BRIEF_INSIGHTS)
    )
    return LaunchBrief(
        launch_id=launch.id,
        metrics=tuple(metric_line(g) for g in view.goals),
        late=tuple(late),
        dropped=tuple(dropped),
        insights=tuple(InsightLine(n, " ".join(t.split()), c) for n, t, c in rows),
        insights_total=int(total or 0),
        since=since,
    )


# --- the brief as the retro's opening notes (plain text: the retro escapes it) ---------------------


def metric_text(metric: MetricLine) -> str:
    now = metric.current or "no value yet"
    head = f"{metric.title} — {metric.metric}: {now}"
    if metric.healthy_range is not None:
        state = "" if metric.healthy is None else (", healthy" if metric.healthy else ", outside the range")
        return f"{head} (healthy range {metric.healthy_range}{state})"
    if metric.target is None:
        return head
    progress = f", {round(metric.progress * 100)}% of the way" if metric.progress is not None else ""
    return f"{head} against a target of {metric.target}{progress}"


def item_text(item: BriefItem) -> str:
    return f"{item.title} ({item.side.label}) — due {item.due_on.isoformat()}, {item.why}"


def insight_text(insight: InsightLine) -> str:
    customer = f" ({insight.customer})" if insight.customer else ""
    text = insight.text if len(insight.text) <= 200 else insight.text[:199].rstrip() + "…"
    return f"#{insight.number} {text}{customer}"


def brief_notes(brief: LaunchBrief) -> list[OpeningNote]:
    metrics = [metric_text(m) for m in brief.metrics] or ["No success metrics were set for this launch."]
    late = [item_text(i) for i in brief.late] or ["Nothing: every item was done on time."]
    dropped = [item_text(i) for i in brief.dropped] or ["Nothing was dropped."]
    insights = [insight_text(i) for i in brief.insights]
    if brief.insights_total > len(brief.insights):
        insights.append(f"…and {brief.insights_total - len(brief.insights)} more (see /insight list)")
    return [
        OpeningNote("Success metrics against their targets", tuple(metrics)),
        OpeningNote("Late on the checklist", tuple(late)),
        OpeningNote("Dropped from the checklist", tuple(dropped)),
        OpeningNote(
            f"Customer insights since the launch ({brief.since.isoformat()})",
            tuple(insights) or ("None were captured since the launch.",),
        ),
    ]


def write_brief(session: Session, launch: Launch, now: datetime) -> LaunchBrief | None:
    """Hand the launch's brief to its retro (None: no retro, or the launch was cancelled)."""
    if launch.status == LaunchStatus.CANCELLED or launch.retro_series_id is None:
        return None
    series = session.scalar(
        select(RetroSeries).where(RetroSeries.team_id == launch.team_id, RetroSeries.id == launch.retro_series_id)
    )
    if series is None or series.archived:
        return None
    brief = compute_brief(session, launch, now)
    set_opening_notes(session, series, brief_notes(brief), now)
    return brief
