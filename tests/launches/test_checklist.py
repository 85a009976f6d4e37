"""The checklist's services on both databases: done, blocked, new date, reassign, add, drop; who
may; tenancy and cancelled launches; the due-day DM and the overdue raise sent once; the DMs
updated in place after an answer."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.launches import checklist, checklist_outbox, plan, reminders
from bot.launches.checklist_data import (
    ChangeKind,
    ItemChange,
    ItemDone,
    ItemDropped,
    NewItem,
    NotAllowedOnItem,
    NoticeKind,
)
from bot.launches.checklist_outbox import NoticeKey
from bot.launches.data import ItemNotFound, LaunchCancelled, LaunchError
from bot.launches.ids import Block, Hook, ItemStatus, JobKind, LaunchStatus, Side
from bot.launches.models import Launch, LaunchItem, LaunchNotice
from bot.scheduling.models import Schedule
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from tests.launches.conftest import (
    MARKETING_LEAD,
    NOW,
    OTHER_TEAM,
    PRODUCT_LEAD,
    TEAM,
    TODAY,
    FakeDirectory,
    launch_input,
    staggered_input,
)

OWNER = "U0OWNER001"  # an item's owner who is not a lead (Europe/London)
STRANGER = "U0STRANGE1"
ADMIN = "U0ADMIN001"
CREATOR = "U0CREATOR1"
PEOPLE = FakeDirectory(
    {
        PRODUCT_LEAD: "Europe/Berlin",
        MARKETING_LEAD: "America/New_York",
        OWNER: "Europe/London",
        STRANGER: "Asia/Kolkata",
        ADMIN: "UTC",
        CREATOR: "Europe/Paris",
    },
    admins=frozenset({ADMIN}),
)


def _launch(session: Session, data: object = None, *, created_by: str = CREATOR) -> Launch:
    return plan.create_launch(
        session, team_id=TEAM, data=data or launch_input(), created_by=created_by, today=TODAY, now=NOW,  # type: ignore[arg-type]
        directory=PEOPLE, creator_tz="Europe/Berlin",
    )  # fmt: skip


def _item(launch: Launch, key: str) -> LaunchItem:
    return next(i for i in launch.items if i.template_key == key)


def _timers(session: Session, kind: JobKind, item: LaunchItem) -> list[tuple[str, str]]:
    rows = session.scalars(select(Schedule).where(Schedule.kind == kind.value, Schedule.ref_id == str(item.id)))
    return sorted((s.subject, s.next_run_at.isoformat()) for s in rows if s.next_run_at is not None)


def _outbox(session: Session, prefix: str) -> list[OutboxMessage]:
    # populate_existing: a folded update is written behind the ORM's back.
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.key.startswith(prefix))
        .order_by(OutboxMessage.id)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(query))


def _message_text(session: Session, launch: Launch) -> str:
    rows = _outbox(session, f"launch:{launch.id}:update:")
    return str(rows[-1].args) if rows else ""


def test_done_by_the_owner_stops_its_timers_and_shows_in_the_message(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        docs = _item(launch, "docs")  # T-7: Mon 4 Jan, product lead
        docs.owner_id = OWNER
        assert _timers(session, JobKind.ITEM_DUE, docs)
        change = checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=OWNER, item_id=docs.id, now=NOW)
        assert change.changed and change.by == OWNER
        assert docs.status == ItemStatus.DONE and docs.done_by == OWNER and docs.done_at == NOW
        assert not docs.was_late  # done early
        assert _timers(session, JobKind.ITEM_DUE, docs) == [] and _timers(session, JobKind.OVERDUE, docs) == []
        assert re.search(
            r"\*Product\* · <@U0PRODLEAD>\\n1/\d+ done", _message_text(session, launch)
        )  # readiness counts it
        again = checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=docs.id, now=NOW)
        assert not again.changed and again.by == OWNER  # a second click: still done by the owner
        assert docs.done_by == OWNER


def test_done_after_the_due_date_is_late(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        positioning = _item(launch, "positioning")  # due Mon 21 Dec
        on_time = datetime(2026, 12, 21, 22, 0, tzinfo=UTC)  # 23:00 in Berlin: still the 21st
        late = datetime(2026, 12, 22, 8, 0, tzinfo=UTC)
        pricing = _item(launch, "pricing")
        checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=positioning.id, now=on_time)
        assert not positioning.was_late
        pricing.due_on = date(2026, 12, 21)
        checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=pricing.id, now=late)
        assert pricing.was_late


def test_a_new_date_keeps_the_item_relative_and_moves_its_timers(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        enablement = _item(launch, "enablement")  # T-10, Fri 1 Jan, marketing lead (New York)
        change = checklist.set_due_on(
            session, PEOPLE, team_id=TEAM, user_id=MARKETING_LEAD, item_id=enablement.id, due_on=date(2027, 1, 6),
            now=NOW,
        )  # fmt: skip
        assert change.changed
        assert enablement.due_on == date(2027, 1, 6) and enablement.offset_days == -5
        assert _timers(session, JobKind.ITEM_DUE, enablement) == [(MARKETING_LEAD, "2027-01-06T14:00:00+00:00")]
        assert not enablement.was_late
        same = checklist.set_due_on(
            session, PEOPLE, team_id=TEAM, user_id=MARKETING_LEAD, item_id=enablement.id, due_on=date(2027, 1, 6),
            now=NOW,
        )  # fmt: skip
        assert not same.changed
        with pytest.raises(LaunchError) as passed:
            checklist.set_due_on(
                session, PEOPLE, team_id=TEAM, user_id=MARKETING_LEAD, item_id=enablement.id,
                due_on=TODAY - timedelta(days=1), now=NOW,
            )  # fmt: skip
        assert passed.value.block_id == Block.ITEM_DUE_ON and "has passed" in str(passed.value)
        # Re-dated once its due date has passed: late.
        after = datetime(2027, 1, 7, 15, 0, tzinfo=UTC)
        checklist.set_due_on(
            session, PEOPLE, team_id=TEAM, user_id=MARKETING_LEAD, item_id=enablement.id, due_on=date(2027, 1, 8),
            now=after,
        )  # fmt: skip
        assert enablement.was_late and enablement.offset_days == -3


def test_blocked_with_a_reason_shows_escaped_in_the_message(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        pricing = _item(launch, "pricing")
        checklist.mark_blocked(
            session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=pricing.id,
            reason="Legal <!channel> *review*", now=NOW,
        )  # fmt: skip
        assert pricing.status == ItemStatus.BLOCKED and pricing.blocked_reason == "Legal <!channel> *review*"
        shown = _message_text(session, launch)
        assert "blocked: Legal &lt;!channel&gt;" in shown and "<!channel>" not in shown
        assert _timers(session, JobKind.ITEM_DUE, pricing)  # still open: still asked on its day
        checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=pricing.id, now=NOW)
        assert pricing.blocked_reason == ""
        with pytest.raises(ItemDone):
            checklist.mark_blocked(
                session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=pricing.id, reason="x", now=NOW
            )


def test_reassign_moves_the_due_day_dm_to_the_new_owner_in_their_zone(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        docs = _item(launch, "docs")  # Mon 4 Jan
        checklist.reassign(
            session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=docs.id, owner_id=OWNER, now=NOW
        )
        assert docs.owner_id == OWNER
        assert _timers(session, JobKind.ITEM_DUE, docs) == [(OWNER, "2027-01-04T09:00:00+00:00")]  # London
        with pytest.raises(LaunchError) as nobody:
            checklist.reassign(
                session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=docs.id, owner_id="U0NOBODY01", now=NOW
            )
        assert nobody.value.block_id == Block.ITEM_OWNER


def test_add_item_hangs_on_the_nearest_phase_on_or_before_its_date(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session, staggered_input())  # Beta 11 Jan, GA 1 Feb
        beta, ga = launch.phases
        cases = [(date(2026, 12, 20), beta, -22), (date(2027, 1, 20), beta, 9), (date(2027, 2, 3), ga, 2)]
        for due_on, phase, offset in cases:
            change = checklist.add_item(
                session, PEOPLE, team_id=TEAM, user_id=MARKETING_LEAD, launch_id=launch.id,
                data=NewItem(title="  Partner <b>newsletter</b>  ", side=Side.MARKETING, owner_id=OWNER, due_on=due_on),
                now=NOW,
            )  # fmt: skip
            item = session.get_one(LaunchItem, change.item_id)
            assert (item.phase_id, item.offset_days, item.due_on) == (phase.id, offset, due_on)
            assert item.title == "Partner <b>newsletter</b>" and item.status == ItemStatus.OPEN
            assert item.template_key == "" and item.owner_id == OWNER
            assert _timers(session, JobKind.ITEM_DUE, item)[0][0] == OWNER
        # After the US clock change (14 Mar) and before Europe's (28 Mar): 09:00 EDT is 13:00 UTC,
        # 09:00 in Berlin still 08:00 UTC; overdue by a whole working day on Wednesday 17th.
        change = checklist.add_item(
            session, PEOPLE, team_id=TEAM, user_id=MARKETING_LEAD, launch_id=launch.id,
            data=NewItem(title="Case study", side=Side.MARKETING, owner_id=MARKETING_LEAD, due_on=date(2027, 3, 15)),
            now=NOW,
        )  # fmt: skip
        case_study = session.get_one(LaunchItem, change.item_id)
        assert (case_study.phase_id, case_study.offset_days) == (ga.id, 42)
        assert _timers(session, JobKind.ITEM_DUE, case_study) == [(MARKETING_LEAD, "2027-03-15T13:00:00+00:00")]
        assert _timers(session, JobKind.OVERDUE, case_study) == [
            (MARKETING_LEAD, "2027-03-17T13:00:00+00:00"), (PRODUCT_LEAD, "2027-03-17T08:00:00+00:00"),
        ]  # fmt: skip
        with pytest.raises(LaunchError) as empty:
            checklist.add_item(
                session, PEOPLE, team_id=TEAM, user_id=MARKETING_LEAD, launch_id=launch.id,
                data=NewItem(title=" ", side=Side.BOTH, owner_id=OWNER, due_on=date(2027, 1, 5)), now=NOW,
            )  # fmt: skip
        assert empty.value.block_id == Block.ITEM_TITLE
        with pytest.raises(NotAllowedOnItem):
            checklist.add_item(
                session, PEOPLE, team_id=TEAM, user_id=STRANGER, launch_id=launch.id,
                data=NewItem(title="Mine", side=Side.BOTH, owner_id=STRANGER, due_on=date(2027, 1, 5)), now=NOW,
            )  # fmt: skip


def test_drop_takes_the_item_off_the_plan(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        campaign = _item(launch, "campaign")
        checklist.drop_item(session, PEOPLE, team_id=TEAM, user_id=MARKETING_LEAD, item_id=campaign.id, now=NOW)
        assert campaign.status == ItemStatus.DROPPED and campaign.dropped_by == MARKETING_LEAD
        assert _timers(session, JobKind.ITEM_DUE, campaign) == [] and _timers(session, JobKind.OVERDUE, campaign) == []
        with pytest.raises(ItemDropped):
            checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=MARKETING_LEAD, item_id=campaign.id, now=NOW)


def test_who_may_change_an_item(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        items = [i for i in launch.items if i.kind == "task"]
        with pytest.raises(NotAllowedOnItem):
            checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=STRANGER, item_id=items[0].id, now=NOW)
        items[0].owner_id = STRANGER  # the owner may
        for who, item in zip((STRANGER, ADMIN, CREATOR, PRODUCT_LEAD, MARKETING_LEAD), items, strict=False):
            assert checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=who, item_id=item.id, now=NOW).changed


def test_another_workspace_and_a_cancelled_launch(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        docs = _item(launch, "docs")
        with pytest.raises(ItemNotFound):
            checklist.mark_done(session, PEOPLE, team_id=OTHER_TEAM, user_id=PRODUCT_LEAD, item_id=docs.id, now=NOW)
        with pytest.raises(ItemNotFound):
            checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=10**9, now=NOW)
        launch.status = LaunchStatus.CANCELLED.value
        with pytest.raises(LaunchCancelled):
            checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=docs.id, now=NOW)
        assert docs.status == ItemStatus.OPEN


# --- the due-day DM and the overdue raise ------------------------------------------------------

DOCS_DUE_BERLIN = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # Mon 4 Jan 09:00 in Berlin


def _due(session: Session, item: LaunchItem, at: datetime = DOCS_DUE_BERLIN, user: str = PRODUCT_LEAD) -> bool:
    return reminders.run_item_due(
        session, team_id=TEAM, item_id=item.id, user_id=user, scheduled_for=at, tz="Europe/Berlin", now=at
    )


def test_the_due_day_dm_goes_once_and_not_for_a_done_item(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        docs, pricing = _item(launch, "docs"), _item(launch, "pricing")
        assert _due(session, docs) and not _due(session, docs)  # a retry or a second replica: once
        dms = _outbox(session, f"launch:{launch.id}:dm:")
        assert [(m.key, m.method, m.args["channel"]) for m in dms] == [
            (f"launch:{launch.id}:dm:due:{docs.id}:2027-01-04:{PRODUCT_LEAD}", "chat.postMessage", PRODUCT_LEAD)
        ]
        assert dms[0].on_result == Hook.ITEM_DM_SENT
        actions = next(b for b in dms[0].args["blocks"] if b["type"] == "actions")["elements"]
        assert [(e["action_id"], e["value"]) for e in actions] == [
            ("launch_item_done", str(docs.id)), ("launch_item_new_date", str(docs.id)),
            ("launch_item_blocked", str(docs.id)),
        ]  # fmt: skip
        # Stale (re-dated since), someone else's timer, a done item, another workspace: nothing.
        pricing.due_on = date(2027, 1, 4)
        assert not _due(session, pricing, DOCS_DUE_BERLIN - timedelta(days=1))
        assert not _due(session, pricing, user=MARKETING_LEAD)
        pricing.status = ItemStatus.DONE.value
        assert not _due(session, pricing)
        assert not reminders.run_item_due(
            session, team_id=OTHER_TEAM, item_id=docs.id, user_id=PRODUCT_LEAD, scheduled_for=DOCS_DUE_BERLIN,
            tz="Europe/Berlin", now=DOCS_DUE_BERLIN,
        )  # fmt: skip
        assert len(session.scalars(select(LaunchNotice)).all()) == 1
        # Dropped by then, or the launch cancelled by then: nothing either.
        positioning = _item(launch, "positioning")
        positioning.due_on = date(2027, 1, 4)
        positioning.status = ItemStatus.DROPPED.value
        assert not _due(session, positioning)
        positioning.status = ItemStatus.BLOCKED.value  # blocked is still open: asked
        launch.status = LaunchStatus.CANCELLED.value
        assert not _due(session, positioning)
        launch.status = LaunchStatus.PLANNED.value
        assert _due(session, positioning)
        assert len(session.scalars(select(LaunchNotice)).all()) == 2


def test_overdue_reaches_each_lead_once_and_never_the_channel(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        docs = _item(launch, "docs")  # due Mon 4 Jan -> overdue on Wed 6 Jan
        wednesday = datetime(2027, 1, 6, 8, 0, tzinfo=UTC)
        for lead, tz in ((PRODUCT_LEAD, "Europe/Berlin"), (MARKETING_LEAD, "America/New_York")):
            for _ in range(2):
                reminders.run_overdue(
                    session, team_id=TEAM, item_id=docs.id, user_id=lead, scheduled_for=wednesday.replace(hour=15),
                    tz=tz, now=wednesday,
                )  # fmt: skip
        assert not reminders.run_overdue(
            session, team_id=TEAM, item_id=docs.id, user_id=OWNER, scheduled_for=wednesday, tz="UTC", now=wednesday
        )  # not a lead
        sent = _outbox(session, "launch:")
        dms = [m for m in sent if ":dm:" in m.key]
        assert sorted(m.args["channel"] for m in dms) == sorted([PRODUCT_LEAD, MARKETING_LEAD])
        assert all(m.key.split(":dm:")[1].startswith(f"overdue:{docs.id}:2027-01-04:") for m in dms)
        assert all(
            m.args["channel"] != launch.channel_id for m in sent if m.method == "chat.postMessage" and ":dm:" in m.key
        )
        assert "Overdue" in dms[0].args["text"]
        # Done by then: a later raise (another item, same day) sends nothing.
        pricing = _item(launch, "pricing")
        pricing.due_on = docs.due_on
        checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=pricing.id, now=NOW)
        assert not reminders.run_overdue(
            session, team_id=TEAM, item_id=pricing.id, user_id=PRODUCT_LEAD, scheduled_for=wednesday,
            tz="Europe/Berlin", now=wednesday,
        )  # fmt: skip


def test_dms_are_updated_in_place_after_an_answer(db: Database) -> None:
    with db.unit_of_work() as session:
        launch = _launch(session)
        docs = _item(launch, "docs")
        assert _due(session, docs)
        notice = session.scalars(select(LaunchNotice)).one()
        original = f"launch:{launch.id}:dm:{notice.key}"
        # The DM landed: the hook records where.
        row = _outbox(session, original)[0]
        checklist_outbox.RESULT_HOOKS[Hook.ITEM_DM_SENT](
            session, row, {"ok": True, "channel": "D0PRODLEAD", "ts": "1.5"}
        )
        assert (notice.channel_id, notice.message_ts) == ("D0PRODLEAD", "1.5")
        later = DOCS_DUE_BERLIN + timedelta(minutes=5)
        checklist.mark_blocked(
            session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=docs.id, reason="Waiting on <legal>",
            now=later,
        )  # fmt: skip
        updates = _outbox(session, f"{original}:answer:")
        assert len(updates) == 1 and updates[0].method == "chat.update"
        assert updates[0].args["channel"] == "D0PRODLEAD" and updates[0].args["ts"] == "1.5"
        assert "Blocked: Waiting on &lt;legal&gt;" in str(updates[0].args["blocks"])
        # Done while that update still waits: folded into the same chat.update.
        checklist.mark_done(session, PEOPLE, team_id=TEAM, user_id=PRODUCT_LEAD, item_id=docs.id, now=later)
        updates = _outbox(session, f"{original}:answer:")
        assert len(updates) == 1 and f"Done by <@{PRODUCT_LEAD}>" in str(updates[0].args["blocks"])
        assert not any(b["type"] == "actions" for b in updates[0].args["blocks"])  # nothing left to click
        updates[0].status = OutboxStatus.SENT.value
        session.flush()
        # A new change after that one was sent: a new update.
        assert checklist_outbox.update_item_dms(
            session, launch, docs, ItemChange(ChangeKind.DONE, ADMIN, docs.id, launch.id),
            later + timedelta(seconds=1),
        ) == 1  # fmt: skip
        assert len(_outbox(session, f"{original}:answer:")) == 2


def test_notice_keys_round_trip() -> None:
    key = NoticeKey(NoticeKind.OVERDUE, 12, date(2027, 1, 4), "U0MKTLEAD1")
    assert str(key) == "overdue:12:2027-01-04:U0MKTLEAD1" and NoticeKey.parse(str(key)) == key
    for bad in ("gonogo:1:2027-01-04:U1", "due:x:2027-01-04:U1", "due:1:2027-13-01:U1", "due:1:U1"):
        assert NoticeKey.parse(bad) is None
