"""After the launch (service level, both databases): the launch retro set up with the plan,
moved with it and called off with it; the retro's opening brief (metrics against targets, late
and dropped items, insights since the launch); the success metrics' T+7 check-in rounds."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.goals import setup as goal_setup
from bot.goals.checkins import record_checkin
from bot.goals.data import CheckinInput
from bot.goals.ids import Confidence, Kind, RoundStatus, Unit, ValueSource
from bot.goals.lookups import get_goal
from bot.goals.models import GoalPrompt, GoalRound
from bot.goals.values import record_value
from bot.insights.models import Insight
from bot.launches import brief, goal_checkins, plan, retro_link
from bot.launches.ids import ItemStatus, LaunchStatus
from bot.launches.models import Launch
from bot.retro.ids import JobKind as RetroJob
from bot.retro.ids import RetroTemplate
from bot.retro.models import RetroSeries
from bot.retro.runs import open_retro
from bot.scheduling.models import Schedule
from bot.slack.delivery_models import OutboxMessage
from tests.goals.conftest import goal_input
from tests.launches.conftest import (
    CHANNEL,
    MARKETING_LEAD,
    NOW,
    OTHER_TEAM,
    PRODUCT_LEAD,
    TEAM,
    TODAY,
    ZONES,
    launch_input,
)

# launch_input: a full launch on Monday 2027-01-11 planned from Berlin; its retro item is T+14.
RETRO_DAY = date(2027, 1, 25)
RETRO_OPENS = datetime(2027, 1, 25, 9, 0, tzinfo=UTC)  # 10:00 in Berlin (CET)
BRIEF_AT = datetime(2027, 1, 25, 8, 0, tzinfo=UTC)  # 09:00 in Berlin


def _goal(session: Session, **changes: object) -> int:
    data = goal_input(product_owners=(PRODUCT_LEAD,), marketing_owners=(MARKETING_LEAD,), **changes)
    goal = goal_setup.create_goal(
        session, team_id=TEAM, data=data, created_by=PRODUCT_LEAD, today=TODAY, now=NOW, directory=ZONES,
        creator_tz="Europe/Berlin",
    )  # fmt: skip
    return goal.id


def _launch(session: Session, **changes: object) -> Launch:
    return plan.create_launch(
        session, team_id=TEAM, data=launch_input(**changes), created_by=PRODUCT_LEAD, today=TODAY, now=NOW,
        directory=ZONES, creator_tz="Europe/Berlin",
    )  # fmt: skip


def _open_at(session: Session, series: RetroSeries) -> list[str]:
    rows = session.scalars(
        select(Schedule).where(Schedule.kind == RetroJob.OPEN.value, Schedule.ref_id == str(series.id))
    ).all()
    return sorted(s.next_run_at.isoformat() for s in rows if s.next_run_at is not None)


def _series(session: Session, launch: Launch) -> RetroSeries:
    series = session.get(RetroSeries, launch.retro_series_id)
    assert series is not None
    return series


def test_the_launch_retro_is_set_up_with_the_plan(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        second = _launch(session)  # the same name: the id keeps the titles apart
        series = _series(session, launch)
        assert series.title == f"Launch retro: Shared inbox (#{launch.id})"
        assert _series(session, second).title == f"Launch retro: Shared inbox (#{second.id})"
        assert series.template == RetroTemplate.LAUNCH.value
        assert series.facilitator_id == PRODUCT_LEAD and series.channel_id == CHANNEL
        assert (series.launch_on, series.days_after_launch, series.timezone) == (RETRO_DAY, 0, "Europe/Berlin")
        assert _open_at(session, series) == [RETRO_OPENS.isoformat()]
        # Setting it up again changes nothing.
        assert retro_link.schedule_retro(session, launch, NOW) is series
        assert session.scalar(select(func.count()).select_from(RetroSeries)) == 2


def test_a_long_name_still_fits_the_retro_title_and_keeps_the_id(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session, name="Shared inbox " * 9)
        title = _series(session, launch).title
        assert len(title) <= 80 and title.endswith(f"… (#{launch.id})")


def test_the_retro_moves_with_the_plan_and_is_called_off_with_it(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        # What moving the launch date a week later does to the plan (ldates' moving service).
        launch.phases[0].launch_on += timedelta(days=7)
        for item in launch.items:
            item.due_on += timedelta(days=7)
        session.flush()
        series = retro_link.move_retro(session, launch, NOW)
        assert series is not None and series.id == launch.retro_series_id
        assert series.launch_on == RETRO_DAY + timedelta(days=7)
        assert _open_at(session, series) == [(RETRO_OPENS + timedelta(days=7)).isoformat()]
        assert series.template == RetroTemplate.LAUNCH.value and series.facilitator_id == PRODUCT_LEAD

        launch.status = LaunchStatus.CANCELLED.value
        retro_link.cancel_retro(session, launch, NOW)
        assert series.archived and _open_at(session, series) == []
        # A cancelled launch's retro does not come back when the plan is touched again.
        retro_link.move_retro(session, launch, NOW)
        assert series.archived and _open_at(session, series) == []


def test_a_retro_that_already_ran_is_not_moved(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        series = _series(session, launch)
        open_retro(session, series, RETRO_OPENS)
        for item in launch.items:
            item.due_on += timedelta(days=7)
        retro_link.move_retro(session, launch, RETRO_OPENS + timedelta(hours=1))
        assert series.launch_on == RETRO_DAY


def _insight(session: Session, team_id: str, number: int, text: str, at: datetime, customer: str = "") -> None:
    session.add(
        Insight(
            team_id=team_id, number=number, text=text, customer=customer, segment="", source=None, category=None,
            impact=None, evidence_url="", status="new", status_note="", roadmap_url="", submitted_by=PRODUCT_LEAD,
            message_ts=None, created_at=at, updated_at=at,
        )
    )  # fmt: skip


def _planned_brief_case(session: Session) -> Launch:
    """A launch with a target goal (5.1% of 6%), one item done late, one dropped, one still open
    past its date, and insights before and after the launch date (and another workspace's)."""
    goal_id = _goal(session)
    kpi_id = _goal(session, title="Keep support load sane", kind=Kind.KPI, metric_name="Tickets per 100 users",
                   unit=Unit.COUNT, target=None, due_on=None, range_low=2.0, range_high=5.0)  # fmt: skip
    launch = _launch(session, goal_ids=(goal_id, kpi_id))
    goal = get_goal(session, TEAM, goal_id)
    assert goal is not None
    record_value(session, goal, value=5.1, source=ValueSource.CHECKIN, now=datetime(2027, 1, 20, tzinfo=UTC))
    items = {i.template_key: i for i in launch.items}
    items["docs"].status, items["docs"].was_late = ItemStatus.DONE.value, True
    items["enablement"].status = ItemStatus.DROPPED.value
    items["metrics"].status = ItemStatus.OPEN.value  # due T+7 (2027-01-18), still open on the retro day
    for key in ("positioning", "pricing", "campaign", "announcement", "go_no_go"):
        items[key].status = ItemStatus.DONE.value
    _insight(session, TEAM, 1, "Before the launch: not counted", datetime(2027, 1, 10, 12, tzinfo=UTC))
    _insight(session, TEAM, 2, "Love the <shared> inbox", datetime(2027, 1, 12, 9, tzinfo=UTC), "Acme & Co")
    _insight(session, TEAM, 3, "Wants assignment rules", datetime(2027, 1, 19, 9, tzinfo=UTC))
    _insight(session, OTHER_TEAM, 1, "Another workspace's insight", datetime(2027, 1, 19, 9, tzinfo=UTC))
    session.flush()
    return launch


def test_the_brief_has_the_metrics_what_was_late_or_dropped_and_the_insights_since_the_launch(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _planned_brief_case(session)
        got = brief.compute_brief(session, launch, BRIEF_AT)
        notes = brief.brief_notes(got)
    titles = [n.title for n in notes]
    assert titles == [
        "Success metrics against their targets",
        "Late on the checklist",
        "Dropped from the checklist",
        "Customer insights since the launch (2027-01-11)",
    ]
    metrics, late, dropped, insights = (list(n.lines) for n in notes)
    assert metrics == [
        "Lift trial-to-paid for self-serve teams — Trial-to-paid conversion: 5.1% against a target of 6%, "
        "55% of the way",
        "Keep support load sane — Tickets per 100 users: no value yet (healthy range 2 to 5)",
    ]
    assert late == [
        "Docs and release notes (Product) — due 2027-01-04, done late",
        "First metrics check (Both) — due 2027-01-18, still open",
    ]
    assert dropped == ["Sales enablement ready (Marketing) — due 2027-01-01, dropped"]
    assert insights == ["#3 Wants assignment rules", "#2 Love the <shared> inbox (Acme & Co)"]  # newest first


def test_the_brief_is_what_the_retro_opens_with(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _planned_brief_case(session)
        written = brief.write_brief(session, launch, BRIEF_AT)
        assert written is not None
        series = _series(session, launch)
        assert series.opening_notes is not None and len(series.opening_notes) == 4
        retro = open_retro(session, series, RETRO_OPENS)
        post = session.scalar(
            select(OutboxMessage).where(OutboxMessage.key.like(f"retro:{retro.id}:%")).order_by(OutboxMessage.id)
        )
        assert post is not None and post.method == "chat.postMessage"
        blocks = json.dumps(post.args["blocks"], ensure_ascii=False)
        # The brief comes first, right after the intro, escaped.
        assert blocks.index("Success metrics against their targets") < blocks.index("Goals and success metrics")
        assert "5.1% against a target of 6%" in blocks
        assert "Docs and release notes (Product) — due 2027-01-04, done late" in blocks
        assert "Sales enablement ready" in blocks
        assert "Love the &lt;shared&gt; inbox (Acme &amp; Co)" in blocks
        assert "Another workspace" not in blocks and "Before the launch" not in blocks


def test_a_brief_written_after_the_retro_opened_updates_its_message(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _planned_brief_case(session)
        retro = open_retro(session, _series(session, launch), RETRO_OPENS)
        brief.write_brief(session, launch, RETRO_OPENS + timedelta(minutes=5))
        update = session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.key.like(f"retro:{retro.id}:%"), OutboxMessage.method == "chat.update"
            )
        )
        assert update is not None and "Late on the checklist" in json.dumps(update.args["blocks"])


def test_no_brief_for_a_cancelled_launch(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _planned_brief_case(session)
        launch.status = LaunchStatus.CANCELLED.value
        assert brief.write_brief(session, launch, BRIEF_AT) is None
        assert _series(session, launch).opening_notes is None


T7_BERLIN = datetime(2027, 1, 18, 8, 30, tzinfo=UTC)  # 09:30 in Berlin on T+7
T7_NEW_YORK = datetime(2027, 1, 18, 14, 30, tzinfo=UTC)  # 09:30 in New York on T+7


def test_the_t7_check_in_opens_one_round_and_asks_each_owner_once(db: Database) -> None:
    with db.unit_of_work() as session:
        goal_id = _goal(session)
        launch = _launch(session, goal_ids=(goal_id,))
        link_id = launch.goal_links[0].id

        def fire(user: str, at: datetime, tz: str) -> goal_checkins.PromptRun:
            return goal_checkins.run_goal_checkin(
                session, team_id=TEAM, link_id=link_id, user_id=user, scheduled_for=at, tz=tz, now=at
            )

        first = fire(PRODUCT_LEAD, T7_BERLIN, "Europe/Berlin")
        assert first.opened and first.prompted
        again = fire(PRODUCT_LEAD, T7_BERLIN, "Europe/Berlin")  # a second tick (or replica)
        assert not again.opened and not again.prompted and again.why_not == "prompted already"
        rounds = session.scalars(select(GoalRound).where(GoalRound.goal_id == goal_id)).all()
        assert [(r.due_on, r.status) for r in rounds] == [(date(2027, 1, 18), RoundStatus.OPEN.value)]

        record_checkin(
            session, team_id=TEAM, goal_id=goal_id, user_id=PRODUCT_LEAD,
            data=CheckinInput(value=5.4, confidence=Confidence.ON_TRACK, note=""), now=T7_BERLIN + timedelta(hours=1),
            is_admin=lambda: False,
        )  # fmt: skip
        later = fire(MARKETING_LEAD, T7_NEW_YORK, "America/New_York")  # same local date, same round
        assert later.round_id == first.round_id and not later.prompted and later.why_not == "answered"
        prompts = session.scalars(select(GoalPrompt).where(GoalPrompt.round_id == first.round_id)).all()
        assert [p.user_id for p in prompts] == [PRODUCT_LEAD]


def test_a_forged_or_cancelled_link_asks_nobody(db: Database) -> None:
    with db.unit_of_work() as session:
        goal_id = _goal(session)
        launch = _launch(session, goal_ids=(goal_id,))
        link_id = launch.goal_links[0].id
        forged = goal_checkins.run_goal_checkin(
            session, team_id=OTHER_TEAM, link_id=link_id, user_id=PRODUCT_LEAD, scheduled_for=T7_BERLIN,
            tz="Europe/Berlin", now=T7_BERLIN,
        )  # fmt: skip
        assert forged.round_id is None and not forged.prompted
        launch.status = LaunchStatus.CANCELLED.value
        cancelled = goal_checkins.run_goal_checkin(
            session, team_id=TEAM, link_id=link_id, user_id=PRODUCT_LEAD, scheduled_for=T7_BERLIN,
            tz="Europe/Berlin", now=T7_BERLIN,
        )  # fmt: skip
        assert cancelled.why_not == "launch cancelled"
        assert session.scalar(select(func.count()).select_from(GoalRound)) == 0
