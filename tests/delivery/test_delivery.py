"""The outbox and its drainer against the Slack Web API emulator over real HTTP on loopback."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Workspace
from bot.runtime import build_services
from bot.services import Services
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.drainer import Drainer, DrainPolicy, use_drainer
from bot.slack.outbox import RENDER, Ritual, enqueue, get_message, render_at_send, result_ref
from bot.slack.ratelimit import Pacer, RateLimits
from bot.slack.sender import HttpSender
from tests.scheduling.fixtures import MutableClock, make_settings
from tests.support.conformance import REFERENCE_RULES

FAST = DrainPolicy(backoff_base=0.05, backoff_cap=0.2)


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator(rules=REFERENCE_RULES) as emulator:
        yield emulator


@pytest.fixture
def ws(emulator: SlackEmulator) -> Workspace:
    return emulator.workspace


@pytest.fixture
def slack_services(database_url: str, emulator: SlackEmulator, ws: Workspace) -> Iterator[Services]:
    settings = make_settings(database_url, emulator.base_url, slack_bot_token=ws.bot_token)
    services = build_services(settings)  # real clock: retries come due in real time
    try:
        yield services
    finally:
        use_drainer(services, None)
        services.db.dispose()


def drainer(services: Services, limits: RateLimits | None = None, timeout: float = 5.0) -> Drainer:
    sender = HttpSender(services, timeout=timeout)
    return Drainer(services, sender=sender.send, pacer=Pacer(limits or RateLimits(time_scale=0.01)), policy=FAST)


def now() -> datetime:
    return datetime.now(UTC)


def post(session: Session, ws: Workspace, key: str, channel: str, text: str = "hello", **kw: Any) -> OutboxMessage:
    return enqueue(
        session,
        team_id=ws.team_id,
        method="chat.postMessage",
        args={"channel": channel, "text": text, **kw.pop("extra", {})},
        key=key,
        now=now(),
        **kw,
    )


def rows(services: Services) -> dict[str, OutboxMessage]:
    with services.db.unit_of_work() as session:
        return {row.key: row for row in session.scalars(select(OutboxMessage))}


def test_enqueue_is_idempotent_per_team_key(slack_services: Services, ws: Workspace) -> None:
    with slack_services.db.unit_of_work() as session:
        first = post(session, ws, "k1", ws.channel_id("general"), "one")
    with slack_services.db.unit_of_work() as session:
        again = post(session, ws, "k1", ws.channel_id("general"), "two")
        other_team = enqueue(session, team_id="T_OTHER", method="chat.postMessage", args={}, key="k1", now=now())
    assert again.id == first.id and again.args["text"] == "one"
    assert other_team.id != first.id


def test_sends_resolves_references_and_runs_result_hooks(
    slack_services: Services, emulator: SlackEmulator, ws: Workspace
) -> None:
    seen: list[tuple[str, str]] = []

    def remember(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
        assert session.get(OutboxMessage, row.id) is row  # same unit of work
        seen.append((row.key, result["ts"]))

    slack_services.hooks = slack_services.hooks.plus(results={"test.remember": remember})
    general = ws.channel_id("general")
    pat = ws.user_id("pat")
    with slack_services.db.unit_of_work() as session:
        # The reply is enqueued first: it must still wait for its parent.
        post(session, ws, "reply", general, "in thread", extra={"thread_ts": result_ref("parent")})
        post(session, ws, "parent", general, "parent message", on_result="test.remember")
        enqueue(session, team_id=ws.team_id, method="conversations.open", args={"users": pat}, key="open", now=now())
        post(session, ws, "dm", "", "via opened DM", extra={"channel": result_ref("open", "channel.id")})
    report = drainer(slack_services).drain(deadline=10)
    assert report.sent == 4 and report.failed == 0
    sent = rows(slack_services)
    assert all(row.status == OutboxStatus.SENT for row in sent.values())
    parent_ts = sent["parent"].result["ts"]  # type: ignore[index]
    assert seen == [("parent", parent_ts)]
    assert [m.text for m in emulator.messages_in(general)] == ["parent message"]
    assert [m.text for m in emulator.thread(general, parent_ts)] == ["in thread"]
    assert [m.text for m in emulator.dms_to(pat)] == ["via opened DM"]


def test_reference_to_a_failed_row_fails_the_dependent(slack_services: Services, ws: Workspace) -> None:
    with slack_services.db.unit_of_work() as session:
        post(session, ws, "parent", ws.channel_id("random"))  # bot not in #random
        post(session, ws, "reply", ws.channel_id("random"), extra={"thread_ts": result_ref("parent")})
    drainer(slack_services).drain(deadline=5)
    sent = rows(slack_services)
    assert (sent["parent"].status, sent["parent"].error) == ("failed", "not_in_channel")
    assert (sent["reply"].status, sent["reply"].error) == ("failed", "dependency_failed")


def test_429_retry_after_is_honoured_and_nothing_is_lost_or_duplicated(
    slack_services: Services, emulator: SlackEmulator, ws: Workspace
) -> None:
    # Slack allows 5 chat.update per (scaled) minute here; our pacer believes 50: 429s must do the rest.
    emulator.rate_limits.enable(time_scale=0.02)
    emulator.rate_limits.set_limit("chat.update", 5)
    general = ws.channel_id("general")
    with slack_services.db.unit_of_work() as session:
        post(session, ws, "base", general, "v0")
        for i in range(12):
            enqueue(
                session,
                team_id=ws.team_id,
                method="chat.update",
                args={"channel": general, "ts": result_ref("base"), "text": f"v{i + 1}"},
                key=f"update-{i}",
                now=now(),
            )
    report = drainer(slack_services, RateLimits(time_scale=0.02, tier_per_minute={"Tier3": 50})).drain(deadline=20)
    assert report.sent == 13 and report.failed == 0
    assert report.rate_limited > 0
    updates = [c for c in emulator.calls("chat.update") if c.ok]
    assert len(updates) == 12
    assert sorted(c.args["text"] for c in updates) == sorted(f"v{i + 1}" for i in range(12))
    limited = [c for c in emulator.calls("chat.update") if c.status == 429]
    assert len(limited) == report.rate_limited


def test_client_side_pacing_avoids_429s_on_fan_out(slack_services: Services, emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    users = [ws.add_user(f"p{i}", f"Person {i}").id for i in range(40)]
    # 15 posts per (scaled) minute of 1.5 s: 40 posts need at least two full windows.
    emulator.rate_limits.enable(time_scale=0.025, workspace_posts_per_minute=15)
    with slack_services.db.unit_of_work() as session:
        for user in users:
            post(session, ws, f"dm-{user}", user, "stand-up time")
    limits = RateLimits(time_scale=0.025, post_message_per_minute=15)
    began = time.monotonic()
    report = drainer(slack_services, limits).drain(deadline=30)
    elapsed = time.monotonic() - began
    assert report.sent == 40
    # Paced, not hammered: an unpaced drainer gets 25+ 429s here. A couple may slip through when
    # the emulator stamps a call a few ms later than we did (a loaded machine).
    assert report.rate_limited <= 2
    assert elapsed >= 2 * 1.5
    assert sorted(len(emulator.dms_to(u)) for u in users) == [1] * 40


def test_5xx_timeouts_and_dropped_connections_are_retried(
    slack_services: Services, emulator: SlackEmulator, ws: Workspace
) -> None:
    emulator.faults.add("chat.postMessage", "5xx", count=2, status=503)
    emulator.faults.add("chat.postMessage", "drop", count=1)
    emulator.faults.add("chat.postMessage", "slow", count=1, delay=1.0)
    general = ws.channel_id("general")
    with slack_services.db.unit_of_work() as session:
        post(session, ws, "m1", general, "survives")
    report = drainer(slack_services, timeout=0.4).drain(deadline=20)
    assert report.sent == 1 and report.retried == 4
    # The slow call may have been processed by Slack after we timed out: a known at-least-once case.
    texts = [m.text for m in emulator.messages_in(general)]
    assert 1 <= texts.count("survives") <= 2
    assert rows(slack_services)["m1"].attempts == 5


def test_permanent_failures_call_the_hook_and_alert_the_owner_once_per_channel_and_error(
    slack_services: Services, emulator: SlackEmulator, ws: Workspace
) -> None:
    failures: list[tuple[str, str]] = []
    slack_services.hooks = slack_services.hooks.plus(
        failures={"test-ritual": lambda session, row, error: failures.append((row.key, error))}
    )
    owner = ws.user_id("max")
    ritual = Ritual("test-ritual", 42, owner)
    with slack_services.db.unit_of_work() as session:
        for day in range(3):  # three prompts to a channel Tandem was never invited to
            post(session, ws, f"prompt-{day}", ws.channel_id("random"), ritual=ritual)
        post(session, ws, "archived", ws.channel_id("old-campaign"), ritual=ritual)
        post(session, ws, "gone", ws.user_id("gone"), ritual=ritual)
    report = drainer(slack_services).drain(deadline=10)
    assert report.failed == 5
    assert sorted(failures) == [
        ("archived", "is_archived"),
        ("gone", "user_disabled"),  # what Slack (and the emulator) answer for a deactivated user
        ("prompt-0", "not_in_channel"),
        ("prompt-1", "not_in_channel"),
        ("prompt-2", "not_in_channel"),
    ]
    alerts = [m.text for m in emulator.dms_to(owner)]
    assert len(alerts) == 3
    random_alert = next(a for a in alerts if ws.channel_id("random") in a)
    assert "/invite @Tandem" in random_alert
    # A later failure of the same kind does not nag again.
    with slack_services.db.unit_of_work() as session:
        post(session, ws, "prompt-3", ws.channel_id("random"), ritual=ritual)
    drainer(slack_services).drain(deadline=5)
    assert len(emulator.dms_to(owner)) == 3
    with slack_services.db.unit_of_work() as session:
        row = get_message(session, ws.team_id, "prompt-3")
        assert row is not None and row.status == OutboxStatus.FAILED


def test_expired_lease_is_resumed_and_live_lease_is_not_stolen(
    slack_services: Services, emulator: SlackEmulator, ws: Workspace
) -> None:
    general = ws.channel_id("general")
    with slack_services.db.unit_of_work() as session:
        post(session, ws, "stuck", general, "crashed mid-send")
        post(session, ws, "busy", general, "another drainer has it")
    # Simulate a drainer that leased both and died (stuck) / is still working (busy).
    with slack_services.db.unit_of_work() as session:
        for row in session.scalars(select(OutboxMessage)):
            row.status = OutboxStatus.SENDING.value
            row.lease_owner = "dead"
            row.lease_until = now() if row.key == "stuck" else datetime(2100, 1, 1, tzinfo=UTC)
    report = drainer(slack_services).drain(deadline=2)
    assert report.sent == 1
    assert [m.text for m in emulator.messages_in(general)] == ["crashed mid-send"]
    assert rows(slack_services)["busy"].status == OutboxStatus.SENDING


def test_drain_with_fixed_now_does_not_send_future_rows(slack_services: Services, ws: Workspace) -> None:
    clock = MutableClock(datetime(2026, 3, 2, 8, tzinfo=UTC))
    with slack_services.db.unit_of_work() as session:
        enqueue(
            session,
            team_id=ws.team_id,
            method="chat.postMessage",
            args={"channel": ws.channel_id("general"), "text": "later"},
            key="later",
            now=clock(),
            not_before=clock.advance(hours=1),
        )
    d = drainer(slack_services)
    assert d.drain(datetime(2026, 3, 2, 8, 30, tzinfo=UTC)).sent == 0
    assert d.drain(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)).sent == 1


def test_rows_rendered_at_send_time_show_the_state_when_sent_and_fail_safely(
    slack_services: Services, emulator: SlackEmulator, ws: Workspace, caplog: pytest.LogCaptureFixture
) -> None:
    """A row enqueued with ``render_at_send`` is rendered by its registered renderer when the
    drainer sends it (after the reference it waits for); a renderer that raises (or a name nobody
    registered) retries the row; one with nothing to show fails it without alerting the owner."""
    general = ws.channel_id("general")
    state = {"score": 1, "broken": 0}
    seen_args: list[dict[str, Any]] = []

    def scoreboard(session: Session, team_id: str, args: Any) -> dict[str, Any] | None:
        seen_args.append(dict(args))
        if state["broken"]:
            state["broken"] -= 1
            raise ValueError("the scoreboard is unreadable")
        if state["score"] < 0:
            return None  # what it showed is gone
        return {"text": f"score {state['score']} ({args[RENDER]['board']})"}

    slack_services.hooks = slack_services.hooks.plus(renderers={"test.scoreboard": scoreboard})
    ritual = Ritual("test-ritual", 7, ws.user_id("max"))
    with slack_services.db.unit_of_work() as session:
        post(session, ws, "board", general, "the board")
        enqueue(
            session, team_id=ws.team_id, method="chat.update", key="board:update", now=now(), ritual=ritual,
            args={"channel": general, "ts": result_ref("board"), **render_at_send("test.scoreboard", board="main")},
        )  # fmt: skip
        state["score"] = 5  # changes after the enqueue show when it is sent
    caplog.set_level(logging.INFO)
    report = drainer(slack_services).drain(deadline=10)
    assert report.sent == 2 and report.failed == 0
    sent = rows(slack_services)
    board_ts = sent["board"].result["ts"]  # type: ignore[index]
    assert seen_args[0]["ts"] == board_ts  # rendered after the reference was resolved
    [message] = emulator.messages_in(general)
    assert message.text == "score 5 (main)"
    assert sent["board:update"].args == {"channel": general, "ts": board_ts, "text": "score 5 (main)"}

    with slack_services.db.unit_of_work() as session:
        for key, renderer in (("again", "test.scoreboard"), ("nobody", "test.unregistered")):
            enqueue(
                session, team_id=ws.team_id, method="chat.update", key=key, now=now(),
                args={"channel": general, "ts": board_ts, **render_at_send(renderer, board="main")},
            )  # fmt: skip
    state["broken"], state["score"] = 1, 6
    patient = Drainer(
        slack_services, sender=HttpSender(slack_services, timeout=5.0).send, pacer=Pacer(RateLimits(time_scale=0.01)),
        policy=DrainPolicy(backoff_base=1.0, backoff_cap=1.0),
    )  # fmt: skip
    report = patient.drain()  # both retried later (0.5-1 s), neither lost
    assert (report.sent, report.failed, report.retried) == (0, 0, 2)
    after = rows(slack_services)
    assert [(after[k].status, after[k].error) for k in ("again", "nobody")] == [("pending", "render_failed")] * 2
    said = " ".join(r.getMessage() for r in caplog.records)
    assert "the scoreboard is unreadable" in said and "no renderer named 'test.unregistered'" in said
    assert all(r.exc_info is None for r in caplog.records)  # a line each, no traceback
    with slack_services.db.unit_of_work() as session:
        nobody = get_message(session, ws.team_id, "nobody")
        assert nobody is not None
        session.delete(nobody)  # it would be retried for a day
    report = patient.drain(deadline=5)
    assert report.sent == 1 and emulator.messages_in(general)[0].text == "score 6 (main)"

    with slack_services.db.unit_of_work() as session:
        enqueue(
            session, team_id=ws.team_id, method="chat.update", key="gone", now=now(), ritual=ritual,
            args={"channel": general, "ts": board_ts, **render_at_send("test.scoreboard", board="main")},
        )  # fmt: skip
    state["score"] = -1
    drainer(slack_services).drain(deadline=2)
    gone = rows(slack_services)["gone"]
    assert (gone.status, gone.error) == ("failed", "nothing_to_render")
    assert emulator.dms_to(ws.user_id("max")) == []  # nothing for the owner to fix
