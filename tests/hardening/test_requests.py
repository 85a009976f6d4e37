"""Hostile and repeated requests against the real bot (``python -m bot run --http``), end to end.

* A request with a bad, missing or stale (> 5 min) signature is answered 401 and has no effect:
  no database row, no Slack call. Slack's documented signing example verifies with its clock
  pinned, and is stale (401) when it reaches the bot today.
* Slack's event retries (``X-Slack-Retry-Num``, same ``event_id``) answer 200 and change nothing.
* The same capture-modal submission delivered twice (a re-sent or double-clicked submit) gives one
  insight and one post; so do two copies arriving at once.

The bot signs with the secret of Slack's worked example here, so the only thing wrong with the
example's request is its age.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.insights.ids import Block as InsightBlock
from bot.insights.ids import Callback as InsightCallback
from bot.playground.people import SimulatedUser
from bot.playground.signed_requests import FORM, Ack
from bot.playground.signing import signature
from bot.playground.workspace_state import ViewRecord
from tests.hardening.helpers import row_counts, scalar, set_up_insights, wait_outbox_settled
from tests.support.conformance import REFERENCE
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

VECTOR: dict[str, Any] = json.loads((REFERENCE / "signature-vector.json").read_text(encoding="utf-8"))
RETRY: dict[str, Any] = json.loads(
    (REFERENCE / "payloads/event_callback.retry.request.json").read_text(encoding="utf-8")
)


@pytest.fixture
def signing_secret() -> str:
    """The bot and the driver use the secret of Slack's worked example."""
    return str(VECTOR["signing_secret"])


def open_capture(person: SimulatedUser, text: str) -> ViewRecord:
    assert person.command("/insight", text).status == 200
    return person.modal(callback_id=InsightCallback.CAPTURE)


def submission(bot: BotUnderTest, person: SimulatedUser, view: ViewRecord, **overrides: Any) -> tuple[bytes, dict]:
    """The raw form body of a view_submission of ``view`` (what Slack would POST), not sent."""
    from urllib.parse import urlencode

    _ws, team, who = bot.driver._who(person.id)
    payload = {
        "type": "view_submission",
        "team": team,
        "user": who,
        "api_app_id": "A0TANDEM01",
        "token": "verification-token-unused",
        "trigger_id": bot.emulator.issue_trigger(team["id"], person.id, view.id),
        "view": {**view.view, "state": {"values": person.fill(view, overrides)}},
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode(), payload


def post_raw(bot: BotUnderTest, body: bytes, headers: dict[str, str]) -> int:
    status, _text, _headers = bot.driver.transport.post(body, headers)
    return status


def test_bad_missing_and_stale_signatures_get_401_and_change_nothing(bot: BotUnderTest, signing_secret: str) -> None:
    emulator = bot.emulator
    pat = bot.user("pat")
    view = open_capture(pat, "Enterprise buyers ask for audit logs before they sign")
    body, _payload = submission(bot, pat, view)
    rows_before, calls_before = row_counts(bot.database_url), len(emulator.calls())
    now = int(time.time())
    good = signature(signing_secret, now, body)

    attempts: dict[str, dict[str, str]] = {
        "signed with another secret": {
            "X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": signature("x" * 32, now, body)
        },
        "no signature": {"X-Slack-Request-Timestamp": str(now)},
        "no timestamp": {"X-Slack-Signature": good},
        "no headers at all": {},
        "empty signature": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": ""},
        "v1 scheme": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": "v1=" + good[3:]},
        "signature in upper case": {"X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good.upper()},
        "timestamp not a number": {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": good},
        "stale, signed 6 minutes ago": {
            "X-Slack-Request-Timestamp": str(now - 360), "X-Slack-Signature": signature(signing_secret, now - 360, body)
        },
        "from the future, 6 minutes ahead": {
            "X-Slack-Request-Timestamp": str(now + 360), "X-Slack-Signature": signature(signing_secret, now + 360, body)
        },
        "signature of another timestamp": {"X-Slack-Request-Timestamp": str(now - 1), "X-Slack-Signature": good},
    }  # fmt: skip
    for name, headers in attempts.items():
        assert post_raw(bot, body, {"Content-Type": FORM, **headers}) == 401, name
    # The body changed after signing (one field appended, as an attacker replaying with a twist would).
    signed = {"Content-Type": FORM, "X-Slack-Request-Timestamp": str(now), "X-Slack-Signature": good}
    assert post_raw(bot, body + b"&x=1", signed) == 401

    assert row_counts(bot.database_url) == rows_before
    assert len(emulator.calls()) == calls_before, [c.method for c in emulator.calls()[calls_before:]]

    # The very same request, correctly signed, does take effect: the rejections above were real.
    assert post_raw(bot, body, signed) == 200
    assert scalar(bot.database_url, "SELECT count(*) FROM insights") == 1


def test_slacks_documented_signature_example_verifies_then_and_is_stale_now(bot: BotUnderTest) -> None:
    body = str(VECTOR["body"])
    headers = {k: str(v) for k, v in VECTOR["headers"].items()}
    pinned = int(VECTOR["timestamp"])

    class PinnedClock:
        def now(self) -> float:
            return float(pinned)

    verifier = SignatureVerifier(str(VECTOR["signing_secret"]), clock=PinnedClock())  # type: ignore[arg-type]
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not verifier.is_valid(body + "------", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert signature(str(VECTOR["signing_secret"]), pinned, body) == VECTOR["expected_signature"]

    rows_before, calls_before = row_counts(bot.database_url), len(bot.emulator.calls())
    assert post_raw(bot, body.encode(), headers) == 401  # same secret as the bot's: only the age is wrong
    # Slack's constructed event retry, as captured (its timestamp is years old): stale too.
    retry_headers = {k: str(v) for k, v in RETRY["headers"].items()}
    assert post_raw(bot, str(RETRY["raw_body"]).encode(), retry_headers) == 401
    assert row_counts(bot.database_url) == rows_before and len(bot.emulator.calls()) == calls_before

    # Re-signed now with the same secret, the example is no longer refused for its signature.
    fresh = bot.driver.send("slash_command", body.encode(), FORM, {})
    assert fresh.status != 401


def test_event_retries_answer_200_and_duplicate_nothing(bot: BotUnderTest) -> None:
    emulator = bot.emulator
    pat = bot.user("pat")
    first = pat.open_home()
    assert first.status == 200
    emulator.wait_for(lambda: emulator.home_of(pat.id), what="the Home tab")
    emulator.wait_for(lambda: len(emulator.calls("views.publish")) == 1, what="one views.publish")
    home, rows = emulator.home_of(pat.id), row_counts(bot.database_url)

    retries = ((1, "http_timeout"), (2, "http_error"), (3, "http_timeout"))
    redeliveries = [bot.driver.redeliver(first, retry_num=n, retry_reason=r) for n, r in retries]
    assert [ack.status for ack in redeliveries] == [200, 200, 200]
    assert {json.loads(ack.raw)["event_id"] for ack in [first, *redeliveries]} == {first.payload["event_id"]}
    # Republishing the same Home is harmless: wait until each delivery has been handled (four
    # publishes), or for a bot that skips retries, until the same time has passed.
    with contextlib.suppress(AssertionError):
        emulator.wait_for(lambda: len(emulator.calls("views.publish")) >= 4, timeout=5, what="four publishes")
    assert row_counts(bot.database_url) == rows
    home_now = emulator.home_of(pat.id)
    assert home is not None and home_now is not None and home_now["blocks"] == home["blocks"]
    assert len(emulator.calls("views.publish")) <= 4
    assert all(c.ok for c in emulator.calls("views.publish"))
    assert not emulator.calls("chat.postMessage") and not emulator.calls("chat.postEphemeral")


def _submit_twice(bot: BotUnderTest, text: str, *, at_once: bool) -> tuple[str, list[Ack]]:
    channel = set_up_insights(bot)
    mia = bot.user("mia")
    view = open_capture(mia, text)
    body, payload = submission(bot, mia, view, **{InsightBlock.CUSTOMER: "Globex"})
    if at_once:
        acks: list[Ack] = []
        gate = threading.Barrier(2)

        def send() -> None:
            gate.wait()
            acks.append(bot.driver.send("view_submission", body, FORM, payload))

        threads = [threading.Thread(target=send) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        acks = [bot.driver.send("view_submission", body, FORM, payload) for _ in range(2)]
    bot.emulator.wait_for(lambda: bot.emulator.messages_in(channel), what="the insight posted")
    wait_outbox_settled(bot.emulator, bot.database_url)
    return channel, acks


def _assert_one_insight_one_post(bot: BotUnderTest, channel: str, acks: list[Ack]) -> None:
    assert [ack.status for ack in acks] == [200, 200]
    assert scalar(bot.database_url, "SELECT count(*) FROM insights") == 1
    assert scalar(bot.database_url, "SELECT count(*) FROM outbox WHERE method = 'chat.postMessage'") == 1
    assert len(bot.emulator.messages_in(channel)) == 1
    assert len(bot.emulator.calls("chat.postMessage", channel=channel)) == 1
    assert any("Saved as insight *#1*" in json.dumps(ack.json) for ack in acks)


def test_a_capture_submitted_twice_saves_one_insight_and_posts_once(bot: BotUnderTest) -> None:
    channel, acks = _submit_twice(bot, "Okta SSO is the blocker for three enterprise deals", at_once=False)
    _assert_one_insight_one_post(bot, channel, acks)
    # The second copy of the same modal is answered with the insight the first one saved.
    assert acks[1].response_action == "update" and acks[1].json["view"]["callback_id"] == InsightCallback.DONE


def test_two_copies_of_a_capture_arriving_at_once_save_one_insight(bot: BotUnderTest) -> None:
    channel, acks = _submit_twice(bot, "Okta SSO is the blocker for three enterprise deals", at_once=True)
    _assert_one_insight_one_post(bot, channel, acks)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_re_sent_capture_without_search_terms_is_not_saved_twice(bot: BotUnderTest) -> None:
    channel, acks = _submit_twice(bot, "I do 🙂", at_once=False)
    _assert_one_insight_one_post(bot, channel, acks)
