"""Managing a launch (service level, both databases): who may (the leads, the creator, admins),
editing (the old lead's open items go to the new lead; the dates, kind and channel stay; goal
check-in timers follow the metrics), cancelling (no timer left, the message updated, each other
lead told once, nothing more taken), and the list."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.goals import setup as goal_setup
from bot.launches import plan
from bot.launches.data import LaunchCancelled, LaunchError, LaunchNotFound, NotLaunchLead, PhaseInput
from bot.launches.ids import ItemStatus, JobKind, LaunchStatus
from bot.launches.models import Launch, LaunchItem, LaunchNotice
from bot.scheduling.models import Schedule
from bot.slack.delivery_models import OutboxMessage
from tests.goals.conftest import goal_input
from tests.launches.conftest import (
    MARKETING_LEAD,
    NOW,
    OTHER_TEAM,
    PRODUCT_LEAD,
    TEAM,
    TODAY,
    FakeDirectory,
    staggered_input,
)

NEW_LEAD = "U0NEWMKT01"
ADMIN = "U0ADMIN001"
STRANGER = "U0STRANGER"
DIRECTORY = FakeDirectory(
    {PRODUCT_LEAD: "Europe/Berlin", MARKETING_LEAD: "America/New_York", NEW_LEAD: "Asia/Kolkata", ADMIN: "UTC",
     STRANGER: "UTC"},
    admins=frozenset({ADMIN}),
)  # fmt: skip


def _launch(db: Database, **changes: object) -> int:
    with db.unit_of_work() as session:
        goal = goal_setup.create_goal(
            session, team_id=TEAM, data=goal_input(), created_by=PRODUCT_LEAD, today=TODAY, now=NOW,
            directory=DIRECTORY, creator_tz="Europe/Berlin",
        )  # fmt: skip
        launch = plan.create_launch(
            session, team_id=TEAM, data=staggered_input(goal_ids=(goal.id,), **changes), created_by=PRODUCT_LEAD,
            today=TODAY, now=NOW, directory=DIRECTORY, creator_tz="Europe/Berlin", view_id="V1",
        )  # fmt: skip
        return launch.id


def _timers(session, kind: JobKind | None = None) -> int:  # type: ignore[no-untyped-def]
    query = select(func.count()).select_from(Schedule).where(Schedule.kind.like("launches.%"))
    if kind is not None:
        query = query.where(Schedule.kind == kind.value)
    return int(session.scalar(query) or 0)


def test_who_may_manage_a_launch(db: Database) -> None:
    launch_id = _launch(db)
    with db.unit_of_work() as session:
        for user in (PRODUCT_LEAD, MARKETING_LEAD, ADMIN):
            found = plan.managed_launch(session, DIRECTORY, team_id=TEAM, launch_id=launch_id, user_id=user)
            assert found.id == launch_id
        with pytest.raises(NotLaunchLead, match="two leads"):
            plan.managed_launch(session, DIRECTORY, team_id=TEAM, launch_id=launch_id, user_id=STRANGER)
        with pytest.raises(LaunchNotFound):  # another workspace's id is simply not found
            plan.managed_launch(session, DIRECTORY, team_id=OTHER_TEAM, launch_id=launch_id, user_id=ADMIN)


def test_edit_hands_the_side_over_and_keeps_the_dates(db: Database) -> None:
    launch_id = _launch(db)
    with db.unit_of_work() as session:
        data = plan.edit_form(session, DIRECTORY, team_id=TEAM, launch_id=launch_id, user_id=MARKETING_LEAD)
        before_items = {i.id: (i.owner_id, i.due_on) for i in session.scalars(select(LaunchItem))}
        checkins = _timers(session, JobKind.GOAL_CHECKIN)
    assert [p.name for p in data.phases] == ["Beta", "GA"] and len(data.goal_ids) == 1
    # The modal sends other dates (it shows none to change): the saved dates stay.
    typed = replace(
        data,
        name="Shared inbox 2",
        marketing_lead=NEW_LEAD,
        phases=(PhaseInput("Private beta", date(2030, 1, 1), "10 partners"), PhaseInput("GA", date(2030, 2, 1))),
        goal_ids=(),
    )
    with db.unit_of_work() as session:
        launch = plan.edit_launch(
            session, team_id=TEAM, launch_id=launch_id, data=typed, user_id=MARKETING_LEAD, today=TODAY,
            now=NOW + timedelta(hours=1), directory=DIRECTORY,
        )  # fmt: skip
        assert launch.version == 1
    with db.unit_of_work() as session:
        launch = session.get(Launch, launch_id)
        assert launch is not None
        assert (launch.name, launch.marketing_lead) == ("Shared inbox 2", NEW_LEAD)
        assert [(p.name, p.audience, p.launch_on) for p in launch.phases] == [
            ("Private beta", "10 partners", date(2027, 1, 11)),
            ("GA", "", date(2027, 2, 1)),
        ]
        after = {i.id: (i.owner_id, i.due_on) for i in launch.items}
        for item_id, (owner, due_on) in before_items.items():
            assert after[item_id][1] == due_on
            assert after[item_id][0] == (NEW_LEAD if owner == MARKETING_LEAD else owner)
        assert launch.goal_links == [] and checkins > 0 and _timers(session, JobKind.GOAL_CHECKIN) == 0
        # The new lead's timers are in their zone.
        zones = session.scalars(
            select(Schedule.timezone).where(Schedule.kind == JobKind.OVERDUE.value, Schedule.subject == NEW_LEAD)
        ).all()
        assert zones and set(zones) == {"Asia/Kolkata"}
        update = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"launch:{launch_id}:update:1"))
        assert update is not None and "Private beta" in str(update.args["blocks"])


def test_edit_refuses_a_problem_and_saves_nothing(db: Database) -> None:
    launch_id = _launch(db)
    with db.unit_of_work() as session:
        data = plan.edit_form(session, DIRECTORY, team_id=TEAM, launch_id=launch_id, user_id=PRODUCT_LEAD)
    with pytest.raises(LaunchError, match="someone other"), db.unit_of_work() as session:
        plan.edit_launch(
            session, team_id=TEAM, launch_id=launch_id, data=replace(data, marketing_lead=PRODUCT_LEAD),
            user_id=PRODUCT_LEAD, today=TODAY, now=NOW, directory=DIRECTORY,
        )  # fmt: skip
    with db.unit_of_work() as session:
        launch = session.get(Launch, launch_id)
        assert launch is not None and launch.marketing_lead == MARKETING_LEAD and launch.version == 0
        assert _timers(session) > 0


def test_cancel_stops_every_timer_and_tells_the_other_lead_once(db: Database) -> None:
    launch_id = _launch(db)
    with db.unit_of_work() as session:
        assert _timers(session) > 10
        plan.cancel_launch(
            session, team_id=TEAM, launch_id=launch_id, user_id=PRODUCT_LEAD, now=NOW, directory=DIRECTORY
        )
    with db.unit_of_work() as session:
        launch = session.get(Launch, launch_id)
        assert launch is not None and launch.status == LaunchStatus.CANCELLED and launch.cancelled_by == PRODUCT_LEAD
        assert _timers(session) == 0
        assert [n.user_id for n in session.scalars(select(LaunchNotice))] == [MARKETING_LEAD]
        dms = session.scalars(select(OutboxMessage).where(OutboxMessage.key.like(f"launch:{launch_id}:dm:%"))).all()
        assert [m.args["channel"] for m in dms] == [MARKETING_LEAD] and "was cancelled" in str(dms[0].args["blocks"])
        update = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"launch:{launch_id}:update:1"))
        assert update is not None and "was cancelled" in str(update.args["blocks"])
        # Items keep their state (the retro shows the plan as it stood).
        assert {i.status for i in launch.items} == {ItemStatus.OPEN.value}
    for attempt in ("cancel", "edit"):
        with pytest.raises(LaunchCancelled), db.unit_of_work() as session:
            if attempt == "cancel":
                plan.cancel_launch(
                    session, team_id=TEAM, launch_id=launch_id, user_id=MARKETING_LEAD, now=NOW, directory=DIRECTORY
                )
            else:
                plan.edit_form(session, DIRECTORY, team_id=TEAM, launch_id=launch_id, user_id=MARKETING_LEAD)
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(LaunchNotice)) == 1
        assert plan.listed_launches(session, TEAM) == []


def test_an_admin_who_cancels_tells_both_leads(db: Database) -> None:
    launch_id = _launch(db)
    with db.unit_of_work() as session:
        plan.cancel_launch(session, team_id=TEAM, launch_id=launch_id, user_id=ADMIN, now=NOW, directory=DIRECTORY)
        assert sorted(n.user_id for n in session.scalars(select(LaunchNotice))) == sorted(
            [PRODUCT_LEAD, MARKETING_LEAD]
        )


def test_the_list_and_the_goal_choices_stay_in_their_workspace(db: Database) -> None:
    launch_id = _launch(db)
    with db.unit_of_work() as session:
        shown = plan.listed_launches(session, TEAM)
        assert [v.id for v in shown] == [launch_id] and shown[0].goals == ()
        assert plan.listed_launches(session, OTHER_TEAM) == []
        choices = plan.goal_choices(session, TEAM)
        assert len(choices) == 1
        goal_id = choices[0][0]
        assert plan.picked_goals(session, TEAM, [goal_id, goal_id, 999]) == choices
        assert plan.goal_choices(session, OTHER_TEAM) == [] and plan.picked_goals(session, OTHER_TEAM, [goal_id]) == []
