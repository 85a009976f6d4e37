"""A goal's channel message is rendered when its update is sent, not by each change (both
databases): a burst of pushes leaves one pending ``chat.update`` and renders nothing; the update
sent shows the latest value and is recorded as sent; a renderer that fails retries the row (no
traceback, nothing lost); a goal deleted while its update was in flight fails that row quietly
(no DM to anyone) and its "deleted" message still goes out; a reused goal id never gets an old
goal's message."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.goals import outbox, setup, values
from bot.goals.endpoint import values_endpoint
from bot.goals.ids import Hook
from bot.goals.models import Goal
from bot.runtime import build_services
from bot.services import Services
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.drainer import Drainer, DrainPolicy
from bot.slack.outbox import RENDER, DeliveryHooks
from bot.slack.sender import Outcome
from bot.wsgi import WSGIApp
from tests.goals.conftest import TEAM, FakeDirectory, goal_input
from tests.scheduling.fixtures import make_settings

POSTED_TS = "1700000000.000100"
OWNER = "U0PRODUCT1"
FAST = DrainPolicy(backoff_base=0.01, backoff_cap=0.05)
SLOW_RETRY = DrainPolicy(backoff_base=1.0, backoff_cap=1.0)  # a retry due 0.5-1 s later


class FakeSlack:
    """The Web API as the drainer sees it: every call answered ok and remembered."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, team_id: str, method: str, args: dict[str, Any]) -> Outcome:
        self.calls.append((method, args))
        if method == "conversations.info":
            return Outcome("ok", data={"ok": True, "channel": {"id": args["channel"], "is_shared": False}})
        return Outcome("ok", data={"ok": True, "channel": args.get("channel"), "ts": args.get("ts") or POSTED_TS})

    def updates(self) -> list[dict[str, Any]]:
        return [args for method, args in self.calls if method == "chat.update"]


@pytest.fixture
def services(database_url: str) -> Iterator[Services]:
    services = build_services(make_settings(database_url))  # every feature's hooks and renderers
    try:
        yield services
    finally:
        services.db.dispose()


def posted_goal(services: Services, slack: FakeSlack) -> tuple[int, str]:
    """A goal with a push token whose channel message was posted (the post drained)."""
    now = datetime.now(UTC)
    with services.db.unit_of_work() as session:
        goal = setup.create_goal(
            session, team_id=TEAM, data=goal_input(), created_by=OWNER, today=now.date(), now=now,
            directory=FakeDirectory(), creator_tz="UTC",
        )  # fmt: skip
        token = values.issue_token(session, goal, now)
        goal_id = goal.id
    Drainer(services, sender=slack, policy=FAST).drain()
    with services.db.unit_of_work() as session:
        assert session.get(Goal, goal_id).message_ts == POSTED_TS  # type: ignore[union-attr]
    slack.calls.clear()
    return goal_id, token


def push(app: WSGIApp, goal_id: int, token: str, value: float, key: str) -> str:
    body = json.dumps({"value": value}).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/goals/{goal_id}/values",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_IDEMPOTENCY_KEY": key,
        "wsgi.input": io.BytesIO(body),
    }
    status: list[str] = []
    b"".join(app(environ, lambda answer, _headers, *_: status.append(answer)))
    return status[0]


def update_rows(services: Services, goal_id: int) -> list[OutboxMessage]:
    with services.db.unit_of_work() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.key.like(f"%goal:{goal_id}:update:%"))
                .order_by(OutboxMessage.id)
            )
        )


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> bool:
    return all(record.exc_info is None and record.levelno < logging.ERROR for record in caplog.records)


def test_a_burst_leaves_one_pending_update_and_the_sent_one_shows_the_latest_value(services: Services) -> None:
    slack = FakeSlack()
    goal_id, token = posted_goal(services, slack)
    app = values_endpoint(services)
    rendered: list[int] = []
    real = services.hooks.renderers[Hook.MESSAGE]

    def counting(session: Session, team_id: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
        rendered.append(goal_id)
        return real(session, team_id, args)

    services.hooks = DeliveryHooks(services.hooks.results, services.hooks.failures, {Hook.MESSAGE: counting})
    for n in range(25):
        assert push(app, goal_id, token, 10.25 + n, f"burst-{n}").startswith("201")
    [pending] = update_rows(services, goal_id)  # one pending update for the whole burst
    assert pending.status == OutboxStatus.PENDING and pending.method == "chat.update"
    marker = {RENDER: {"renderer": Hook.MESSAGE, "goal_id": goal_id}}
    assert pending.args == {"channel": "C0GOALS001", "ts": POSTED_TS, **marker}
    assert rendered == []  # no push rendered the message

    Drainer(services, sender=slack, policy=FAST).drain()
    [sent] = slack.updates()
    assert sent["ts"] == POSTED_TS and sent["channel"] == "C0GOALS001" and RENDER not in sent
    assert "34.25%" in json.dumps(sent["blocks"]) and "33.25%" not in json.dumps(sent["blocks"])  # the last push
    assert rendered == [goal_id]  # rendered once, when sent
    [row] = update_rows(services, goal_id)
    assert row.status == OutboxStatus.SENT and row.args == sent  # the row records what was sent

    # The next push after the send is a new version, showing its own value when sent.
    assert push(app, goal_id, token, 50.5, "after").startswith("201")
    first, second = update_rows(services, goal_id)
    assert (first.id, second.status) == (row.id, OutboxStatus.PENDING)
    Drainer(services, sender=slack, policy=FAST).drain()
    assert "50.5%" in json.dumps(slack.updates()[-1]["blocks"])


def test_a_renderer_that_fails_retries_the_row_without_a_traceback(
    services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    slack = FakeSlack()
    goal_id, token = posted_goal(services, slack)
    real = services.hooks.renderers[Hook.MESSAGE]
    failures = [RuntimeError("the database blinked")]

    def flaky(session: Session, team_id: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
        if failures:
            raise failures.pop()
        return real(session, team_id, args)

    services.hooks = DeliveryHooks(services.hooks.results, services.hooks.failures, {Hook.MESSAGE: flaky})
    assert push(values_endpoint(services), goal_id, token, 7.25, "one").startswith("201")
    caplog.set_level(logging.INFO)
    report = Drainer(services, sender=slack, policy=SLOW_RETRY).drain()  # returns: the retry is not due yet
    assert (report.sent, report.failed, report.retried) == (0, 0, 1) and slack.updates() == []
    [row] = update_rows(services, goal_id)
    assert (row.status, row.error, row.attempts) == (OutboxStatus.PENDING, "render_failed", 1)
    assert RENDER in row.args  # still to be rendered
    said = [r.getMessage() for r in caplog.records]
    assert any("rendering it failed" in line and "the database blinked" in line for line in said)
    assert no_tracebacks(caplog)

    report = Drainer(services, sender=slack, policy=SLOW_RETRY).drain(deadline=5)  # the retry comes due
    assert report.sent == 1
    [sent] = slack.updates()
    assert "7.25%" in json.dumps(sent["blocks"])
    [row] = update_rows(services, goal_id)
    assert row.status == OutboxStatus.SENT and row.error is None


def test_a_goal_deleted_while_its_update_was_in_flight(services: Services, caplog: pytest.LogCaptureFixture) -> None:
    slack = FakeSlack()
    goal_id, token = posted_goal(services, slack)
    assert push(values_endpoint(services), goal_id, token, 5.5, "one").startswith("201")
    # A drainer claimed the update and died before sending it: its lease ran out.
    with services.db.unit_of_work() as session:
        [row] = session.scalars(select(OutboxMessage).where(OutboxMessage.key == f"goal:{goal_id}:update:1"))
        row.status = OutboxStatus.SENDING.value
        row.lease_until = datetime.now(UTC) - timedelta(seconds=1)
        row.lease_owner = "drainer-gone"
        row.attempts = 1
        stuck = row.id
    with services.db.unit_of_work() as session:
        setup.delete_goal(
            session, team_id=TEAM, goal_id=goal_id, user_id=OWNER, now=datetime.now(UTC), directory=FakeDirectory()
        )
    caplog.set_level(logging.INFO)
    report = Drainer(services, sender=slack, policy=FAST).drain()
    with services.db.unit_of_work() as session:
        row = session.get(OutboxMessage, stuck)
        assert row is not None and row.key.startswith("goal-deleted:")
        assert (row.status, row.error) == (OutboxStatus.FAILED, "nothing_to_render")
        alerts = session.scalars(select(OutboxMessage).where(OutboxMessage.key.startswith("alert:"))).all()
    assert alerts == []  # nobody has anything to fix
    [deleted] = slack.updates()  # only the "deleted" message went out, not the old goal's
    assert "was deleted by" in json.dumps(deleted) and deleted["ts"] == POSTED_TS
    assert report.failed == 1 and no_tracebacks(caplog)


def test_an_update_for_another_message_is_not_rendered(services: Services) -> None:
    """SQLite hands a deleted goal's id to the next new goal: an update left for the old goal's
    message (its ts) renders nothing rather than the new goal into the old message."""
    slack = FakeSlack()
    goal_id, _token = posted_goal(services, slack)
    render = outbox.RENDERERS[Hook.MESSAGE]
    marker = {RENDER: {"renderer": Hook.MESSAGE, "goal_id": goal_id}}
    with services.db.unit_of_work() as session:
        assert render(session, TEAM, {"channel": "C0GOALS001", "ts": "1600000000.000001", **marker}) is None
        assert render(session, "T0SOMEONE", {"channel": "C0GOALS001", "ts": POSTED_TS, **marker}) is None
        shown = render(session, TEAM, {"channel": "C0GOALS001", "ts": POSTED_TS, **marker})
    assert shown is not None and "Lift trial-to-paid" in shown["text"]
