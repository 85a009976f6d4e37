"""Values of a goal (service level, both databases): the push token (issue, verify, rotate, stored
hashed), recording a value of any source and the channel message updated when the current value
changes, pushes stored once however often they are retried (also concurrently), the pull source
stored sealed, and `tandem rotate-keys` re-encrypting it."""

from __future__ import annotations

import hashlib
import logging
import threading
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.db import Database
from bot.goals import setup, values
from bot.goals.data import GoalClosed, GoalError, SourceInput
from bot.goals.ids import Status, ValueSource
from bot.goals.models import Goal, GoalValue
from bot.goals.push import PushRequest
from bot.goals.secrets import rotate_pull_tokens
from bot.logs import RedactingFilter
from bot.slack.delivery_models import OutboxMessage
from bot.slack.installations import make_fernet
from tests.goals.conftest import NOW, OTHER_TEAM, TEAM, TODAY, FakeDirectory, goal_input
from tests.goals.helpers import as_sent

ZONES = FakeDirectory({"U0PRODUCT1": "Europe/Berlin", "U0MARKET01": "America/New_York"})


def make_goal(db: Database, team_id: str = TEAM) -> int:
    with db.unit_of_work() as session:
        goal = setup.create_goal(
            session, team_id=team_id, data=goal_input(), created_by="U0PRODUCT1", today=TODAY, now=NOW,
            directory=ZONES, creator_tz="UTC",
        )  # fmt: skip
        return goal.id


def updates(db: Database, goal_id: int) -> list[OutboxMessage]:
    with db.unit_of_work() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.key.like(f"goal:{goal_id}:update:%"))
                .order_by(OutboxMessage.id)
            )
        )


def count_values(db: Database, goal_id: int) -> int:
    with db.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(GoalValue).where(GoalValue.goal_id == goal_id)) or 0)


def test_token_is_shown_once_stored_hashed_verified_and_rotated(db: Database) -> None:
    goal_id = make_goal(db)
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None and not values.token_matches(goal, "anything")  # no token yet
        first = values.issue_token(session, goal, NOW)
    assert len(first) >= 47 and first.startswith("tgv_")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "pushed with %s", (first,), None)
    RedactingFilter().filter(record)
    assert first not in record.getMessage() and "[redacted]" in record.getMessage()  # a leaked token is redacted
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        assert goal.push_token_hash == hashlib.sha256(first.encode()).hexdigest()  # only the digest is stored
        assert first not in repr(goal.__dict__)
        assert goal.push_token_created_at == NOW
        assert values.token_matches(goal, first)
        assert not values.token_matches(goal, first[:-1] + ("A" if first[-1] != "A" else "B"))
        assert not values.token_matches(goal, "") and not values.token_matches(goal, None)
        assert not values.token_matches(None, first)
        second = values.issue_token(session, goal, NOW + timedelta(hours=1))
    assert second != first
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        assert values.token_matches(goal, second) and not values.token_matches(goal, first)  # rotating invalidates
        assert values.authenticate(session, goal_id, second).id == goal_id
        for wrong_id, token in ((goal_id, first), (goal_id + 999, second), (0, second), (goal_id, None)):
            with pytest.raises(values.Unauthorized):
                values.authenticate(session, wrong_id, token)


def test_bearer_header_parsing() -> None:
    assert values.bearer_token("Bearer abc") == "abc"
    assert values.bearer_token("bearer   abc  ") == "abc"
    for bad in (None, "", "Bearer", "Bearer  ", "Basic abc", "abc"):
        assert values.bearer_token(bad) is None


def test_a_new_current_value_updates_the_channel_message_and_an_old_or_equal_one_does_not(db: Database) -> None:
    goal_id = make_goal(db)
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        first = values.record_value(
            session, goal, value=4.5, source=ValueSource.CHECKIN, now=NOW, recorded_by="U0PRODUCT1"
        )
    assert first.created and first.current_changed
    [update] = updates(db, goal_id)
    assert "4.5%" in str(as_sent(db, update)["blocks"]) and update.method == "chat.update"
    assert "blocks" not in update.args  # the message is rendered when the update is sent
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        # Back-filled (older "at"): stored, not current, message unchanged.
        old = values.record_value(
            session, goal, value=3.0, source=ValueSource.PUSH, now=NOW, measured_at=NOW - timedelta(days=2)
        )
        # The same number again, later: current, but what the message shows did not change.
        same = values.record_value(session, goal, value=4.5, source=ValueSource.PULL, now=NOW + timedelta(minutes=1))
    assert old.created and not old.current_changed
    assert same.created and not same.current_changed
    assert len(updates(db, goal_id)) == 1
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        newer = values.record_value(session, goal, value=5.25, source=ValueSource.PUSH, now=NOW + timedelta(minutes=2))
    assert newer.current_changed
    # The first update still waits in the outbox: it will show the new value, nothing queued behind.
    [folded] = updates(db, goal_id)
    sent_args = as_sent(db, folded)
    assert folded.id == update.id and "5.25%" in str(sent_args["blocks"]) and "4.5%" not in str(sent_args["blocks"])
    with db.unit_of_work() as session:
        row = session.get(OutboxMessage, folded.id)
        assert row is not None
        row.status, row.args = "sent", sent_args  # sent, and recorded as the drainer records it
        goal = session.get(Goal, goal_id)
        assert goal is not None
        values.record_value(session, goal, value=6.75, source=ValueSource.PUSH, now=NOW + timedelta(minutes=3))
    # Once sent, the next change is a new update (a new version).
    shown = [str(as_sent(db, u)["blocks"]) for u in updates(db, goal_id)]
    assert [("5.25%" in blocks, "6.75%" in blocks) for blocks in shown] == [
        (True, False),
        (False, True),
    ]
    assert count_values(db, goal_id) == 5


def test_closed_goals_take_no_values_nor_tokens(db: Database) -> None:
    goal_id = make_goal(db)
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        goal.status = Status.CLOSED.value
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        with pytest.raises(GoalClosed):
            values.record_value(session, goal, value=1.0, source=ValueSource.PUSH, now=NOW)
        with pytest.raises(GoalClosed):
            values.issue_token(session, goal, NOW)
    assert count_values(db, goal_id) == 0


def push(db: Database, goal_id: int, token: str, request: PushRequest, now=NOW) -> values.Recorded:  # type: ignore[no-untyped-def]
    with db.unit_of_work() as session:
        goal = values.authenticate(session, goal_id, token)
        return values.push_value(session, goal, request, now)


def test_a_retried_push_is_stored_once_by_each_rule(db: Database) -> None:
    goal_id = make_goal(db)
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        token = values.issue_token(session, goal, NOW)
    # Idempotency-Key.
    keyed = PushRequest(value=5.0, at=None, note="", idempotency_key="run-42")
    a = push(db, goal_id, token, keyed)
    b = push(db, goal_id, token, keyed, NOW + timedelta(hours=5))
    assert a.created and not b.created and a.value.id == b.value.id
    with pytest.raises(values.KeyReused):
        push(db, goal_id, token, PushRequest(value=6.0, at=None, note="", idempotency_key="run-42"))
    # "at" given: the same measurement is one value, even days later.
    at = PushRequest(value=5.5, at=NOW - timedelta(hours=1), note="export")
    c = push(db, goal_id, token, at)
    d = push(db, goal_id, token, at, NOW + timedelta(days=2))
    assert c.created and not d.created and c.value.id == d.value.id
    # Neither: the same body within 10 minutes is one value; 20 minutes later it is a new one.
    bare = PushRequest(value=6.5, at=None, note="")
    e = push(db, goal_id, token, bare, NOW + timedelta(minutes=1))
    f = push(db, goal_id, token, bare, NOW + timedelta(minutes=10))  # the next window: a retry of the one before
    g = push(db, goal_id, token, bare, NOW + timedelta(minutes=31))
    assert e.created and not f.created and f.value.id == e.value.id and g.created
    assert count_values(db, goal_id) == 4
    with db.unit_of_work() as session:
        stored = session.get(GoalValue, c.value.id)
        assert stored is not None and stored.source == "push" and stored.team_id == TEAM
        assert stored.measured_at == NOW - timedelta(hours=1) and stored.note == "export"


def test_concurrent_retries_store_one_value(db: Database) -> None:
    goal_id = make_goal(db)
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        token = values.issue_token(session, goal, NOW)
    request = PushRequest(value=7.0, at=NOW - timedelta(minutes=5), note="", idempotency_key="same")
    results: list[values.Recorded] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def send() -> None:
        try:
            start.wait()
            results.append(push(db, goal_id, token, request))
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert len(results) == 8 and sum(r.created for r in results) == 1
    assert len({r.value.id for r in results}) == 1
    assert count_values(db, goal_id) == 1
    assert len(updates(db, goal_id)) == 1


def test_concurrent_pushes_of_different_values_are_all_stored_with_one_pending_update(db: Database) -> None:
    """Eight systems pushing at once: every value is stored (PostgreSQL: no deadlock between the
    values' foreign-key locks and the goal's row lock) and the channel message has one update."""
    goal_id = make_goal(db)
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        token = values.issue_token(session, goal, NOW)
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def send(writer: int) -> None:
        try:
            start.wait()
            for n in range(10):
                request = PushRequest(value=writer * 100 + n, at=None, note="", idempotency_key=f"w{writer}-{n}")
                push(db, goal_id, token, request, NOW + timedelta(seconds=n))
        except BaseException as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=send, args=(writer,)) for writer in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert count_values(db, goal_id) == 80
    assert len(updates(db, goal_id)) == 1


def test_pull_source_is_validated_sealed_kept_replaced_and_removed(db: Database) -> None:
    key = Fernet.generate_key().decode()
    goal_id = make_goal(db)
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        with pytest.raises(GoalError) as caught:
            values.save_source(session, goal, SourceInput("ftp://x", "/a"), keys=key, now=NOW)
        assert caught.value.block_id == "goal_pull_url"
        values.save_source(
            session, goal, SourceInput("https://kpi.example/x.json", "/data/0", "s3cret"), keys=key, now=NOW
        )
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None and goal.pull_url == "https://kpi.example/x.json" and goal.pull_pointer == "/data/0"
        assert goal.pull_token and "s3cret" not in goal.pull_token  # sealed
        assert values.source_token(goal, key) == "s3cret"
        values.save_source(session, goal, SourceInput("https://kpi.example/y.json", "/v", None), keys=key, now=NOW)
        assert values.source_token(goal, key) == "s3cret"  # blank keeps it
        values.save_source(session, goal, SourceInput("https://kpi.example/y.json", "/v", "new"), keys=key, now=NOW)
        assert values.source_token(goal, key) == "new"
        values.save_source(session, goal, SourceInput("https://kpi.example/y.json", "/v", ""), keys=key, now=NOW)
        assert goal.pull_token is None  # removed
        values.save_source(session, goal, SourceInput("https://kpi.example/y.json", "/v", "again"), keys=key, now=NOW)
        values.save_source(session, goal, SourceInput("", "", None), keys=key, now=NOW)
        assert goal.pull_url == "" and goal.pull_token is None  # no source, no token


def test_rotate_keys_re_encrypts_pull_tokens(db: Database) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed_id, plain_id = make_goal(db), make_goal(db, OTHER_TEAM)
    with db.unit_of_work() as session:
        sealed = session.get(Goal, sealed_id)
        plain = session.get(Goal, plain_id)
        assert sealed is not None and plain is not None
        values.save_source(session, sealed, SourceInput("https://a.example/", "/v", "tok-a"), keys=old, now=NOW)
        values.save_source(session, plain, SourceInput("https://b.example/", "/v", "tok-b"), keys=None, now=NOW)
        before = sealed.pull_token
    assert plain.pull_token == "tok-b"  # stored as given without a key (the README says so)
    with db.engine.begin() as connection:
        assert rotate_pull_tokens(connection, make_fernet(f"{new},{old}")) == 2
    with db.unit_of_work() as session:
        sealed = session.get(Goal, sealed_id)
        plain = session.get(Goal, plain_id)
        assert sealed is not None and plain is not None
        assert sealed.pull_token != before and plain.pull_token != "tok-b"
        assert values.source_token(sealed, new) == "tok-a" and values.source_token(plain, new) == "tok-b"
