"""Go/no-go, moving a date and launch day (service level, both databases): one DM per lead and
date even from two replicas, the decision on the phase and in every DM, a move that shifts the
later phases and re-dates their open items (one DM per owner), errors that save nothing, and a
phase shipped exactly once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.launches import decisions, launch_day, moving, plan
from bot.launches.data import LaunchCancelled, LaunchError, LaunchNotFound, NotLaunchLead
from bot.launches.decisions import PhaseShipped
from bot.launches.ids import Action, Block, Decision, ItemStatus, JobKind, LaunchStatus
from bot.launches.models import Launch, LaunchItem, LaunchNotice, LaunchPhase
from bot.runtime import build_services
from bot.scheduling.models import Schedule
from bot.scheduling.tick import run_due
from bot.slack.delivery_models import OutboxMessage
from tests.launches.conftest import (
    MARKETING_LEAD,
    NOW,
    OTHER_TEAM,
    PRODUCT_LEAD,
    TEAM,
    TODAY,
    ZONES,
    launch_input,
    staggered_input,
)
from tests.scheduling.fixtures import MutableClock, make_settings

OUTSIDER = "U0OUTSIDE1"
# The day before Beta (2027-01-11): 09:00 in Berlin and in New York.
T_MINUS_1_BERLIN = datetime(2027, 1, 10, 8, 0, tzinfo=UTC)
T_MINUS_1_NEW_YORK = datetime(2027, 1, 10, 14, 0, tzinfo=UTC)
BETA_DAY = datetime(2027, 1, 11, 8, 0, tzinfo=UTC)  # 09:00 in Berlin (the launch's zone)


def never_admin() -> bool:
    return False


def always_admin() -> bool:
    return True


def make_launch(db: Database, staggered: bool = True) -> int:
    with db.unit_of_work() as session:
        launch = plan.create_launch(
            session, team_id=TEAM, data=staggered_input() if staggered else launch_input(), created_by=PRODUCT_LEAD,
            today=TODAY, now=NOW, directory=ZONES, creator_tz="Europe/Berlin",
        )  # fmt: skip
        return launch.id


def rows(session: Session, prefix: str) -> list[OutboxMessage]:
    return list(
        session.scalars(select(OutboxMessage).where(OutboxMessage.key.like(f"{prefix}%")).order_by(OutboxMessage.id))
    )


def phases(session: Session, launch_id: int) -> list[LaunchPhase]:
    return list(
        session.scalars(select(LaunchPhase).where(LaunchPhase.launch_id == launch_id).order_by(LaunchPhase.position))
    )


def text(row: OutboxMessage) -> str:
    return str(row.args.get("text")) + " " + str(row.args.get("blocks"))


def concurrently(db: Database, work: Callable[[Session], Any]) -> list[Any]:
    """``work`` in two units of work started together (two replicas ticking at once)."""
    start = threading.Barrier(2)
    results: list[Any] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            with db.unit_of_work() as session:
                start.wait(timeout=10)
                results.append(work(session))
        except BaseException as error:  # noqa: BLE001 - reported to the test thread below
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    return results


def ask(session: Session, phase_id: int, lead: str, day: date = date(2027, 1, 10)) -> bool:
    return decisions.ask_go_no_go(session, team_id=TEAM, phase_id=phase_id, lead=lead, day=day, now=T_MINUS_1_BERLIN)


# --- go / no-go -----------------------------------------------------------------------------------


def test_each_lead_is_asked_once_per_phase_and_date_even_from_two_replicas(db: Database) -> None:
    launch_id = make_launch(db)
    with db.unit_of_work() as session:
        beta = phases(session, launch_id)[0].id
    assert sorted(concurrently(db, lambda s: ask(s, beta, PRODUCT_LEAD))) == [False, True]
    with db.unit_of_work() as session:
        assert ask(session, beta, PRODUCT_LEAD) is False  # a later run of the same timer
        assert ask(session, beta, MARKETING_LEAD) is True
        assert ask(session, beta, OUTSIDER) is False  # not a lead (any more)
        assert ask(session, beta, MARKETING_LEAD, day=date(2027, 1, 9)) is False  # not the day before
    with db.unit_of_work() as session:
        dms = rows(session, f"launch:{launch_id}:dm:gonogo:")
        assert [row.args["channel"] for row in dms] == [PRODUCT_LEAD, MARKETING_LEAD]
        assert [row.key for row in dms] == [
            f"launch:{launch_id}:dm:gonogo:{beta}:2027-01-11:{PRODUCT_LEAD}",
            f"launch:{launch_id}:dm:gonogo:{beta}:2027-01-11:{MARKETING_LEAD}",
        ]
        assert all(Action.GO in text(row) and Action.NO_GO in text(row) and "Beta" in text(row) for row in dms)
        assert session.scalar(select(func.count()).select_from(LaunchNotice)) == 2


def test_two_ticks_of_the_real_tick_send_one_dm(database_url: str) -> None:
    clock = MutableClock(T_MINUS_1_BERLIN)
    services = build_services(make_settings(database_url), clock=clock)
    try:
        launch_id = make_launch(services.db)
        run_due(services, T_MINUS_1_BERLIN)
        run_due(services, T_MINUS_1_BERLIN + timedelta(minutes=1))
        with services.db.unit_of_work() as session:
            assert [r.args["channel"] for r in rows(session, f"launch:{launch_id}:dm:gonogo:")] == [PRODUCT_LEAD]
        run_due(services, T_MINUS_1_NEW_YORK)
        with services.db.unit_of_work() as session:
            dms = rows(session, f"launch:{launch_id}:dm:gonogo:")
            assert [r.args["channel"] for r in dms] == [PRODUCT_LEAD, MARKETING_LEAD]
    finally:
        services.db.dispose()


def test_no_dm_once_decided_shipped_or_cancelled(db: Database) -> None:
    launch_id = make_launch(db)
    with db.unit_of_work() as session:
        beta, ga = phases(session, launch_id)
        decisions.decide(
            session, team_id=TEAM, phase_id=beta.id, user_id=PRODUCT_LEAD, decision=Decision.GO, reason="",
            now=T_MINUS_1_BERLIN, directory=ZONES, is_admin=never_admin,
        )  # fmt: skip
        assert ask(session, beta.id, MARKETING_LEAD) is False  # decided already
        session.get(Launch, launch_id).status = LaunchStatus.CANCELLED.value  # type: ignore[union-attr]
        assert ask(session, ga.id, PRODUCT_LEAD, day=date(2027, 1, 31)) is False
        assert rows(session, f"launch:{launch_id}:dm:gonogo:") == []


def test_a_no_go_needs_a_reason_is_stored_and_shown_in_both_dms_and_the_message(db: Database) -> None:
    launch_id = make_launch(db)
    with db.unit_of_work() as session:
        beta = phases(session, launch_id)[0].id
        ask(session, beta, PRODUCT_LEAD)
        ask(session, beta, MARKETING_LEAD)
    with pytest.raises(LaunchError) as missing, db.unit_of_work() as session:
        decisions.decide(
            session, team_id=TEAM, phase_id=beta, user_id=MARKETING_LEAD, decision=Decision.NO_GO, reason="  ",
            now=T_MINUS_1_NEW_YORK, directory=ZONES, is_admin=never_admin,
        )  # fmt: skip
    assert missing.value.block_id == Block.DECISION_REASON
    with pytest.raises(NotLaunchLead), db.unit_of_work() as session:
        decisions.decide(
            session, team_id=TEAM, phase_id=beta, user_id=OUTSIDER, decision=Decision.GO, reason="",
            now=T_MINUS_1_NEW_YORK, directory=ZONES, is_admin=never_admin,
        )  # fmt: skip
    with db.unit_of_work() as session:
        assert phases(session, launch_id)[0].decision is None
        decisions.decide(
            session, team_id=TEAM, phase_id=beta, user_id=MARKETING_LEAD, decision=Decision.NO_GO,
            reason="Press embargo <!channel> until Thursday", now=T_MINUS_1_NEW_YORK, directory=ZONES,
            is_admin=never_admin,
        )  # fmt: skip
    with db.unit_of_work() as session:
        phase = phases(session, launch_id)[0]
        assert (phase.decision, phase.decided_by, phase.decided_at) == ("no_go", MARKETING_LEAD, T_MINUS_1_NEW_YORK)
        assert phase.decision_reason == "Press embargo <!channel> until Thursday"
        updates = rows(session, f"launch:{launch_id}:dm:gonogo:{beta}:2027-01-11:")
        updates = [u for u in updates if u.method == "chat.update"]
        assert len(updates) == 2  # both leads' DMs, in place
        for update in updates:
            shown = text(update)
            assert f"<@{MARKETING_LEAD}> said no-go" in shown and "&lt;!channel&gt;" in shown
            assert "<!channel>" not in shown and Action.MOVE_PHASE in shown
        message = rows(session, f"launch:{launch_id}:update:")
        assert message and "no-go: Press embargo" in text(message[-1])
        timers = session.scalars(
            select(Schedule).where(Schedule.kind == JobKind.GO_NO_GO.value, Schedule.ref_id == str(beta))
        ).all()
        assert timers == []  # decided: nobody else is asked for this date


def test_the_other_lead_disagreeing_replaces_the_decision_and_updates_both_dms_again(db: Database) -> None:
    launch_id = make_launch(db)
    with db.unit_of_work() as session:
        beta = phases(session, launch_id)[0].id
        ask(session, beta, PRODUCT_LEAD)
        ask(session, beta, MARKETING_LEAD)
    for who, decision, reason in (
        (PRODUCT_LEAD, Decision.GO, ""),
        (PRODUCT_LEAD, Decision.GO, ""),  # the same modal submitted twice: nothing new
        (MARKETING_LEAD, Decision.NO_GO, "Embargo"),
    ):
        with db.unit_of_work() as session:
            decisions.decide(
                session, team_id=TEAM, phase_id=beta, user_id=who, decision=decision, reason=reason,
                now=T_MINUS_1_NEW_YORK, directory=ZONES, is_admin=never_admin, asked_on=date(2027, 1, 11),
            )  # fmt: skip
    with db.unit_of_work() as session:
        updates = [r for r in rows(session, f"launch:{launch_id}:dm:gonogo:") if r.method == "chat.update"]
        assert sorted(r.key.rsplit(":", 1)[-1] for r in updates) == ["1", "1", "2", "2"]
        latest_updates = [r for r in updates if r.key.endswith(":decided:2")]
        assert all(f"<@{MARKETING_LEAD}> said no-go" in text(r) for r in latest_updates)
        phase = phases(session, launch_id)[0]
        assert (phase.decision, phase.decided_by, phase.decision_reason) == ("no_go", MARKETING_LEAD, "Embargo")


# --- moving ---------------------------------------------------------------------------------------


def test_moving_beta_a_week_moves_ga_and_every_open_item_and_tells_each_owner_once(db: Database) -> None:
    launch_id = make_launch(db)
    with db.unit_of_work() as session:
        beta, ga = phases(session, launch_id)
        ask(session, beta.id, PRODUCT_LEAD)
        decisions.decide(
            session, team_id=TEAM, phase_id=beta.id, user_id=PRODUCT_LEAD, decision=Decision.NO_GO,
            reason="Docs are not ready", now=T_MINUS_1_BERLIN, directory=ZONES, is_admin=never_admin,
        )  # fmt: skip
        items = {i.template_key + ":" + str(i.phase_id): i for i in session.get(Launch, launch_id).items}  # type: ignore[union-attr]
        items[f"positioning:{beta.id}"].status = ItemStatus.DONE.value
        items[f"pricing:{beta.id}"].status = ItemStatus.DROPPED.value
        before = {i.id: (i.due_on, i.offset_days, i.status) for i in items.values()}
        beta_id, ga_id = beta.id, ga.id
    with db.unit_of_work() as session:
        move = moving.move_phase(
            session, team_id=TEAM, launch_id=launch_id, phase_id=beta_id, new_date=date(2027, 1, 18),
            reason="Docs need a week", user_id=MARKETING_LEAD, is_admin=never_admin, today=date(2027, 1, 10),
            now=T_MINUS_1_NEW_YORK, directory=ZONES,
        )  # fmt: skip
        assert [(p.old, p.new) for p in move.phases] == [
            (date(2027, 1, 11), date(2027, 1, 18)),
            (date(2027, 2, 1), date(2027, 2, 8)),
        ]
    with db.unit_of_work() as session:
        beta, ga = phases(session, launch_id)
        assert (beta.launch_on, ga.launch_on) == (date(2027, 1, 18), date(2027, 2, 8))
        assert (beta.decision, beta.decision_reason, beta.decided_by, beta.decided_at) == (None, "", None, None)
        for item in session.scalars(select(LaunchItem).where(LaunchItem.launch_id == launch_id)):
            due_on, offset, status = before[item.id]
            assert item.offset_days == offset
            if status in (ItemStatus.DONE, ItemStatus.DROPPED):
                assert item.due_on == due_on  # done and dropped items keep their dates
            else:
                assert item.due_on == due_on + timedelta(days=7), item.title
                assert item.due_on == (beta if item.phase_id == beta_id else ga).launch_on + timedelta(days=offset)
        dms = rows(session, f"launch:{launch_id}:dm:moved:")
        assert sorted(row.args["channel"] for row in dms) == sorted([PRODUCT_LEAD, MARKETING_LEAD])
        product = next(row for row in dms if row.args["channel"] == PRODUCT_LEAD)
        assert "Docs and release notes" in text(product) and "Enablement" not in text(product)
        assert "Positioning" not in text(product)  # done: it did not move
        assert "Docs need a week" in text(product)
        assert len(rows(session, f"launch:{launch_id}:thread:moved:")) == 1
        # The timers follow: the go/no-go asks again the day before the new dates.
        gonogo = session.scalars(select(Schedule).where(Schedule.kind == JobKind.GO_NO_GO.value)).all()
        assert {(s.ref_id, s.starts_on) for s in gonogo} == {
            (str(beta_id), date(2027, 1, 17)),
            (str(ga_id), date(2027, 2, 7)),
        }
    # The go/no-go DM sent for the old date cannot decide the new one.
    with pytest.raises(decisions.DateMoved) as moved, db.unit_of_work() as session:
        decisions.decide(
            session, team_id=TEAM, phase_id=beta_id, user_id=PRODUCT_LEAD, decision=Decision.GO, reason="",
            now=T_MINUS_1_NEW_YORK, directory=ZONES, is_admin=never_admin, asked_on=date(2027, 1, 11),
        )  # fmt: skip
    assert "2027-01-18" in str(moved.value)
    # Moving only GA (the later phase) leaves Beta where it is.
    with db.unit_of_work() as session:
        moving.move_phase(
            session, team_id=TEAM, launch_id=launch_id, phase_id=ga_id, new_date=date(2027, 2, 15), reason="",
            user_id=OUTSIDER, is_admin=always_admin, today=date(2027, 1, 10), now=T_MINUS_1_NEW_YORK,
            directory=ZONES,
        )  # fmt: skip
    with db.unit_of_work() as session:
        assert [p.launch_on for p in phases(session, launch_id)] == [date(2027, 1, 18), date(2027, 2, 15)]


def test_unanswered_go_no_go_dms_lose_their_buttons_when_the_date_moves(db: Database) -> None:
    launch_id = make_launch(db)
    with db.unit_of_work() as session:
        beta = phases(session, launch_id)[0].id
        ask(session, beta, PRODUCT_LEAD)
        ask(session, beta, MARKETING_LEAD)
        moving.move_phase(
            session, team_id=TEAM, launch_id=launch_id, phase_id=beta, new_date=date(2027, 1, 18), reason="",
            user_id=PRODUCT_LEAD, is_admin=never_admin, today=date(2027, 1, 10), now=T_MINUS_1_NEW_YORK,
            directory=ZONES,
        )  # fmt: skip
    with db.unit_of_work() as session:
        updates = [r for r in rows(session, f"launch:{launch_id}:dm:gonogo:") if r.method == "chat.update"]
        assert sorted(r.key.rsplit(":", 2)[-2] for r in updates) == sorted([PRODUCT_LEAD, MARKETING_LEAD])
        assert all(r.key.endswith(":moved") for r in updates)
        for update in updates:
            assert "asked again the day before" in text(update)
            assert Action.GO not in text(update) and Action.NO_GO not in text(update)


@pytest.mark.parametrize(
    ("case", "error", "block"),
    [
        ("past", LaunchError, Block.MOVE_DATE),
        ("before the previous phase", LaunchError, Block.MOVE_DATE),
        ("same date", LaunchError, Block.MOVE_DATE),
        ("not a lead", NotLaunchLead, None),
        ("cancelled", LaunchCancelled, None),
        ("shipped", PhaseShipped, None),
    ],
)
def test_a_bad_move_is_a_clear_error_and_saves_nothing(
    db: Database, case: str, error: type[Exception], block: str | None
) -> None:
    launch_id = make_launch(db)
    with db.unit_of_work() as session:
        beta, ga = phases(session, launch_id)
        ids = {"beta": beta.id, "ga": ga.id}
        if case == "cancelled":
            session.get(Launch, launch_id).status = LaunchStatus.CANCELLED.value  # type: ignore[union-attr]
        if case == "shipped":
            beta.shipped_at = BETA_DAY
    with db.unit_of_work() as session:
        before_dates = [p.launch_on for p in phases(session, launch_id)]
        before_items = sorted((i.id, i.due_on) for i in session.scalars(select(LaunchItem)))
        before_rows = session.scalar(select(func.count()).select_from(OutboxMessage))
    phase, new_date, user = {
        "past": ("beta", date(2027, 1, 9), PRODUCT_LEAD),
        "before the previous phase": ("ga", date(2027, 1, 11), PRODUCT_LEAD),
        "same date": ("beta", date(2027, 1, 11), PRODUCT_LEAD),
        "not a lead": ("beta", date(2027, 1, 18), OUTSIDER),
        "cancelled": ("beta", date(2027, 1, 18), PRODUCT_LEAD),
        "shipped": ("beta", date(2027, 1, 18), PRODUCT_LEAD),
    }[case]
    with pytest.raises(error) as raised, db.unit_of_work() as session:
        moving.move_phase(
            session, team_id=TEAM, launch_id=launch_id, phase_id=ids[phase], new_date=new_date, reason="",
            user_id=user, is_admin=never_admin, today=date(2027, 1, 10), now=T_MINUS_1_BERLIN, directory=ZONES,
        )  # fmt: skip
    assert str(raised.value)
    if block:
        assert raised.value.block_id == block  # type: ignore[attr-defined]
    with db.unit_of_work() as session:
        assert [p.launch_on for p in phases(session, launch_id)] == before_dates
        assert sorted((i.id, i.due_on) for i in session.scalars(select(LaunchItem))) == before_items
        assert session.scalar(select(func.count()).select_from(OutboxMessage)) == before_rows


def test_a_full_launch_moves_its_one_date(db: Database) -> None:
    launch_id = make_launch(db, staggered=False)
    with db.unit_of_work() as session:
        (phase,) = phases(session, launch_id)
        move = moving.move_phase(
            session, team_id=TEAM, launch_id=launch_id, phase_id=phase.id, new_date=date(2027, 1, 4), reason="",
            user_id=PRODUCT_LEAD, is_admin=never_admin, today=TODAY, now=NOW, directory=ZONES,
        )  # fmt: skip
        assert move.days == -7 and len(move.phases) == 1
        retro = next(i for i in session.get(Launch, launch_id).items if i.template_key == "retro")  # type: ignore[union-attr]
        assert retro.due_on == date(2027, 1, 18)  # T+14 of the new date


# --- launch day -----------------------------------------------------------------------------------


def test_launch_day_ships_each_phase_once_and_the_last_one_ships_the_launch(db: Database) -> None:
    launch_id = make_launch(db)
    with db.unit_of_work() as session:
        beta, ga = phases(session, launch_id)
        beta_id, ga_id = beta.id, ga.id
        assert not launch_day.ship_phase(session, team_id=TEAM, phase_id=beta_id, day=date(2027, 1, 10), now=NOW)

    def ship(session: Session) -> bool:
        return launch_day.ship_phase(session, team_id=TEAM, phase_id=beta_id, day=date(2027, 1, 11), now=BETA_DAY)

    assert sorted(concurrently(db, ship)) == [False, True]
    with db.unit_of_work() as session:
        assert phases(session, launch_id)[0].shipped_at == BETA_DAY
        assert session.get(Launch, launch_id).status == LaunchStatus.PLANNED.value  # type: ignore[union-attr]
        replies = rows(session, f"launch:{launch_id}:thread:shipped:")
        assert len(replies) == 1 and "Beta shipped today" in text(replies[0])
        assert "<!channel>" not in text(replies[0]) and "<!here>" not in text(replies[0])
        assert rows(session, f"launch:{launch_id}:dm:") == []  # no DMs
        assert "🚀 shipped" in text(rows(session, f"launch:{launch_id}:update:")[-1])
    ga_day = datetime(2027, 2, 1, 8, 0, tzinfo=UTC)
    with db.unit_of_work() as session:
        assert launch_day.ship_phase(session, team_id=TEAM, phase_id=ga_id, day=date(2027, 2, 1), now=ga_day)
    with db.unit_of_work() as session:
        assert session.get(Launch, launch_id).status == LaunchStatus.SHIPPED.value  # type: ignore[union-attr]
        assert "— shipped" in text(rows(session, f"launch:{launch_id}:update:")[-1])
        assert len(rows(session, f"launch:{launch_id}:thread:shipped:")) == 2


def test_a_standing_no_go_does_not_ship(db: Database) -> None:
    launch_id = make_launch(db, staggered=False)
    with db.unit_of_work() as session:
        (phase,) = phases(session, launch_id)
        decisions.decide(
            session, team_id=TEAM, phase_id=phase.id, user_id=PRODUCT_LEAD, decision=Decision.NO_GO,
            reason="Not ready", now=T_MINUS_1_BERLIN, directory=ZONES, is_admin=never_admin,
        )  # fmt: skip
        assert not launch_day.ship_phase(session, team_id=TEAM, phase_id=phase.id, day=date(2027, 1, 11), now=BETA_DAY)
        assert phase.shipped_at is None


# --- tenancy --------------------------------------------------------------------------------------


def test_ids_from_another_workspace_are_not_found(db: Database) -> None:
    launch_id = make_launch(db)
    with db.unit_of_work() as session:
        beta = phases(session, launch_id)[0].id
        # The timers' and buttons' ids, forged into another workspace: nothing is asked, shipped or read.
        assert not decisions.ask_go_no_go(
            session, team_id=OTHER_TEAM, phase_id=beta, lead=PRODUCT_LEAD, day=date(2027, 1, 10), now=NOW
        )
        assert not launch_day.ship_phase(session, team_id=OTHER_TEAM, phase_id=beta, day=date(2027, 1, 11), now=NOW)
        with pytest.raises(decisions.PhaseNotFound):
            decisions.decide(
                session, team_id=OTHER_TEAM, phase_id=beta, user_id=PRODUCT_LEAD, decision=Decision.GO, reason="",
                now=NOW, directory=ZONES, is_admin=always_admin,
            )  # fmt: skip
        with pytest.raises(LaunchNotFound):
            moving.move_form(session, team_id=OTHER_TEAM, launch_id=launch_id, user_id=PRODUCT_LEAD,
                             is_admin=always_admin)  # fmt: skip
        with pytest.raises(decisions.PhaseNotFound):
            moving.launch_of_phase(session, team_id=OTHER_TEAM, phase_id=beta)
        with pytest.raises(LaunchNotFound):
            moving.move_phase(
                session, team_id=OTHER_TEAM, launch_id=launch_id, phase_id=beta, new_date=date(2027, 1, 18),
                reason="", user_id=PRODUCT_LEAD, is_admin=always_admin, today=TODAY, now=NOW, directory=ZONES,
            )  # fmt: skip
        # A phase of the launch picked in another launch's modal (a forged metadata) is a field error.
        other = plan.create_launch(
            session, team_id=TEAM, data=launch_input(), created_by=PRODUCT_LEAD, today=TODAY, now=NOW,
            directory=ZONES, creator_tz="Europe/Berlin",
        )  # fmt: skip
        with pytest.raises(LaunchError) as raised:
            moving.move_phase(
                session, team_id=TEAM, launch_id=other.id, phase_id=beta, new_date=date(2027, 1, 18), reason="",
                user_id=PRODUCT_LEAD, is_admin=never_admin, today=TODAY, now=NOW, directory=ZONES,
            )  # fmt: skip
        assert raised.value.block_id == Block.MOVE_PHASE
    with db.unit_of_work() as session:
        beta_row = phases(session, launch_id)[0]
        assert (beta_row.launch_on, beta_row.decision, beta_row.shipped_at) == (date(2027, 1, 11), None, None)
        assert session.scalar(select(func.count()).select_from(LaunchNotice)) == 0
