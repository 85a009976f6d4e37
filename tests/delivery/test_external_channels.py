"""The drainer's one check for every ritual: nothing visible lands in a channel shared with another
organisation unless the row says a person chose it (``allow_external``), and a channel that
becomes shared after setup is noticed at delivery time (the owner is told once by DM)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Workspace
from bot.services import Services
from bot.slack.channels import (
    EXTERNAL_CHANNEL,
    AudienceCache,
    Confirmation,
    channel_choice_problem,
    is_external,
    post_target,
    settle_confirmation,
)
from bot.slack.delivery_models import OutboxStatus
from bot.slack.drainer import Drainer, DrainPolicy
from bot.slack.outbox import Ritual, enqueue
from bot.slack.ratelimit import Pacer, RateLimits
from bot.slack.sender import HttpSender
from tests.delivery.test_delivery import emulator, now, post, rows, slack_services, ws

__all__ = ["emulator", "slack_services", "ws"]


def make_drainer(services: Services, ttl: float = 60.0) -> Drainer:
    sender = HttpSender(services, timeout=5.0)
    policy = DrainPolicy(backoff_base=0.05, backoff_cap=0.2, audience_ttl=ttl)
    return Drainer(services, sender=sender.send, pacer=Pacer(RateLimits(time_scale=0.01)), policy=policy)


@pytest.mark.parametrize(
    ("flags", "external"),
    [
        ({"is_ext_shared": True, "is_shared": True}, True),
        ({"is_pending_ext_shared": True}, True),
        ({"is_shared": True, "is_org_shared": False}, True),  # another workspace, another organisation
        ({"is_shared": True, "is_org_shared": True}, False),  # our own Enterprise Grid organisation
        ({"is_shared": False, "is_ext_shared": False}, False),
        ({}, False),
    ],
)
def test_what_counts_as_external(flags: dict[str, bool], external: bool) -> None:
    assert is_external(flags) is external


def test_only_visible_calls_to_channels_are_checked() -> None:
    assert post_target("chat.postMessage", {"channel": "C123"}) == "C123"
    assert post_target("reactions.add", {"channel": "G123"}) == "G123"
    assert post_target("files.completeUploadExternal", {"channel_id": "C9"}) == "C9"
    assert post_target("chat.postMessage", {"channel": "U123"}) is None  # a DM by user id
    assert post_target("chat.postMessage", {"channel": "D123"}) is None
    assert post_target("chat.postEphemeral", {"channel": "C123"}) is None  # seen by its one addressee
    assert post_target("chat.delete", {"channel": "C123"}) is None


def test_audience_cache_expires() -> None:
    moment = [0.0]
    cache = AudienceCache(ttl=10, clock=lambda: moment[0])
    cache.put("T1", "C1", False)
    assert cache.get("T1", "C1") is False and cache.get("T1", "C2") is None
    moment[0] = 10.5
    assert cache.get("T1", "C1") is None


def test_external_channel_gets_only_what_a_person_chose(
    slack_services: Services, emulator: SlackEmulator, ws: Workspace
) -> None:
    acme, general, pat = ws.channel_id("customer-acme"), ws.channel_id("general"), ws.user_id("pat")
    with slack_services.db.unit_of_work() as session:
        post(session, ws, "unasked", acme, "internal numbers", ritual=Ritual("standup", 7, pat))
        post(session, ws, "unasked-too", acme, "more internal numbers", ritual=Ritual("standup", 7, pat))
        post(session, ws, "chosen", acme, "hello customer", allow_external=True)
        post(session, ws, "internal", general, "hello team")
        post(session, ws, "dm", pat, "hello pat")
    report = make_drainer(slack_services).drain()
    assert report.sent == 4 and report.failed == 2  # 3 posts + the owner's one alert; 2 held back
    outcome = rows(slack_services)
    assert outcome["unasked"].status == OutboxStatus.FAILED and outcome["unasked"].error == EXTERNAL_CHANNEL
    assert outcome["chosen"].status == outcome["internal"].status == OutboxStatus.SENT
    assert [m.text for m in emulator.messages_in(acme)] == ["hello customer"]
    # The owner hears once (not once per held-back message), with what to do.
    alerts = [m for m in emulator.dms_to(pat) if "outside your organisation" in m.text]
    assert len(alerts) == 1 and f"<#{acme}>" in alerts[0].text and "post there anyway" in alerts[0].text
    # One look-up for the channel, however many rows went there (the rest came from the cache).
    assert len(emulator.calls("conversations.info", channel=acme)) == 1
    assert len(emulator.calls("conversations.info", channel=general)) == 1
    assert not emulator.calls("conversations.info", channel=pat)  # DMs need no look-up


def test_a_channel_shared_after_setup_is_noticed_at_delivery(
    slack_services: Services, emulator: SlackEmulator, ws: Workspace
) -> None:
    room = ws.add_channel("launch-partners", members=["pat"]).id
    drainer = make_drainer(slack_services, ttl=0.0)  # no caching: every post looks again
    with slack_services.db.unit_of_work() as session:
        post(session, ws, "before", room, "first")
    drainer.drain()
    ws.share_externally(room)
    with slack_services.db.unit_of_work() as session:
        post(session, ws, "after", room, "second", ritual=Ritual("retro", 3, ws.user_id("pat")))
    drainer.drain()
    outcome = rows(slack_services)
    assert outcome["before"].status == OutboxStatus.SENT
    assert outcome["after"].status == OutboxStatus.FAILED and outcome["after"].error == EXTERNAL_CHANNEL
    assert [m.text for m in emulator.messages_in(room)] == ["first"]


def test_a_failed_look_up_is_never_taken_for_internal(
    slack_services: Services, emulator: SlackEmulator, ws: Workspace
) -> None:
    with slack_services.db.unit_of_work() as session:
        enqueue(
            session,
            team_id=ws.team_id,
            method="chat.postMessage",
            args={"channel": "C0NOSUCH01", "text": "x"},
            key="ghost",
            now=now(),
        )
    make_drainer(slack_services).drain()
    ghost = rows(slack_services)["ghost"]
    assert ghost.status == OutboxStatus.FAILED and ghost.error == "channel_not_found"
    assert not emulator.calls("chat.postMessage", channel="C0NOSUCH01")


def test_a_rituals_confirmation_is_kept_only_for_the_channel_it_was_given_for() -> None:
    at, later = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    given = Confirmation("U1", at)
    assert channel_choice_problem(external=True, ticked=False) is not None
    assert channel_choice_problem(external=True, ticked=True) is None
    assert channel_choice_problem(external=False, ticked=False) is None
    settle = settle_confirmation
    # New, or another channel: who ticked it now. The same channel kept: the original who/when.
    assert settle(
        external=True, ticked=True, previous=Confirmation(), channel_changed=True, user_id="U2", now=later
    ) == (Confirmation("U2", later))
    assert settle(external=True, ticked=True, previous=given, channel_changed=False, user_id="U2", now=later) == given
    assert settle(external=True, ticked=True, previous=given, channel_changed=True, user_id="U2", now=later) == (
        Confirmation("U2", later)
    )
    # Unticked, or an internal channel: nothing stored (a channel shared later gets nothing).
    assert settle(external=True, ticked=False, previous=given, channel_changed=False, user_id="U1", now=later) == (
        Confirmation()
    )
    assert settle(external=False, ticked=True, previous=given, channel_changed=False, user_id="U1", now=later) == (
        Confirmation()
    )
