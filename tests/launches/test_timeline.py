"""A plan's timers (service level, both databases): each date of the plan fires at 09:00 in the
zone of the person it is for, the launch day in the launch's zone, and only instants ahead."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.db import Database
from bot.goals import setup as goal_setup
from bot.launches import plan, timeline
from bot.launches.ids import JobKind, LaunchStatus
from bot.launches.models import Launch, LaunchItem
from bot.scheduling.models import Schedule
from tests.goals.conftest import goal_input
from tests.launches.conftest import MARKETING_LEAD, NOW, PRODUCT_LEAD, TEAM, TODAY, ZONES, launch_input


def _timers(session, kind: JobKind) -> list[tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    rows = session.scalars(select(Schedule).where(Schedule.kind == kind.value)).all()
    return sorted((s.ref_id, s.subject, s.next_run_at.isoformat()) for s in rows)


def test_every_date_of_the_plan_is_a_timer_in_the_right_zone(db: Database) -> None:
    with db.unit_of_work() as session:
        goal = goal_setup.create_goal(
            session, team_id=TEAM, data=goal_input(product_owners=(PRODUCT_LEAD,), marketing_owners=(MARKETING_LEAD,)),
            created_by=PRODUCT_LEAD, today=TODAY, now=NOW, directory=ZONES, creator_tz="Europe/Berlin",
        )  # fmt: skip
        launch = plan.create_launch(
            session, team_id=TEAM, data=launch_input(goal_ids=(goal.id,)), created_by=PRODUCT_LEAD, today=TODAY,
            now=NOW, directory=ZONES, creator_tz="Europe/Berlin",
        )  # fmt: skip
        items = {i.template_key: i for i in launch.items}
        phase = launch.phases[0]
        positioning = str(items["positioning"].id)
        enablement = str(items["enablement"].id)
        due = _timers(session, JobKind.ITEM_DUE)
        # Positioning (Mon 21 Dec, product lead in Berlin); enablement (Fri 1 Jan, marketing lead in New York).
        assert (positioning, PRODUCT_LEAD, "2026-12-21T08:00:00+00:00") in due
        assert (enablement, MARKETING_LEAD, "2027-01-01T14:00:00+00:00") in due
        # No due-day DM for the go/no-go (both leads are asked) or the retro (it opens itself).
        assert str(items["go_no_go"].id) not in {ref for ref, _, _ in due}
        assert str(items["retro"].id) not in {ref for ref, _, _ in due}
        # Overdue by a whole working day: due Friday 1 Jan -> Monday 4th was the day -> Tuesday 5th, to each lead.
        overdue = [t for t in _timers(session, JobKind.OVERDUE) if t[0] == enablement]
        assert overdue == [
            (enablement, MARKETING_LEAD, "2027-01-05T14:00:00+00:00"),
            (enablement, PRODUCT_LEAD, "2027-01-05T08:00:00+00:00"),
        ]
        assert _timers(session, JobKind.GO_NO_GO) == [
            (str(phase.id), MARKETING_LEAD, "2027-01-10T14:00:00+00:00"),
            (str(phase.id), PRODUCT_LEAD, "2027-01-10T08:00:00+00:00"),
        ]
        assert _timers(session, JobKind.LAUNCH_DAY) == [(str(phase.id), "", "2027-01-11T08:00:00+00:00")]
        link = str(launch.goal_links[0].id)
        # T+7 and T+30 at the goal's check-in time (09:30) in each owner's zone.
        assert _timers(session, JobKind.GOAL_CHECKIN) == [
            (link, MARKETING_LEAD, "2027-01-18T14:30:00+00:00"),
            (link, MARKETING_LEAD, "2027-02-10T14:30:00+00:00"),
            (link, PRODUCT_LEAD, "2027-01-18T08:30:00+00:00"),
            (link, PRODUCT_LEAD, "2027-02-10T08:30:00+00:00"),
        ]
        assert _timers(session, JobKind.RETRO_BRIEF) == [(str(launch.id), "", "2027-01-25T08:00:00+00:00")]


def test_replanning_keeps_only_instants_ahead_and_a_cancelled_launch_has_none(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = plan.create_launch(
            session, team_id=TEAM, data=launch_input(), created_by=PRODUCT_LEAD, today=TODAY, now=NOW,
            directory=ZONES, creator_tz="Europe/Berlin",
        )  # fmt: skip
        later = NOW.replace(year=2027, month=1, day=9)
        timeline.replan(session, launch, ZONES, later)
        due_items = {int(ref) for ref, _, _ in _timers(session, JobKind.ITEM_DUE)}
        dates = {session.get(LaunchItem, i).due_on for i in due_items}  # type: ignore[union-attr]
        assert dates and min(dates) >= date(2027, 1, 9)
        launch.status = LaunchStatus.CANCELLED.value
        timeline.replan(session, launch, ZONES, later)
        assert session.scalars(select(Schedule).where(Schedule.kind.like("launches.%"))).all() == []
        assert session.get(Launch, launch.id) is not None


def test_overdue_counts_working_days() -> None:
    assert timeline.overdue_on(date(2027, 1, 1)) == date(2027, 1, 5)  # Fri -> Mon was the day -> Tue
    assert timeline.overdue_on(date(2027, 1, 4)) == date(2027, 1, 6)  # Mon -> Tue -> Wed
    assert timeline.overdue_on(date(2027, 1, 2)) == date(2027, 1, 5)  # a Saturday date
