"""GET /metrics on the running bot, after real traffic: requests by route, kind and status, acks
by kind, and Slack Web API calls by method and outcome, both from Bolt's client (views.open) and
from the outbox's own sender (chat.postMessage, including a 503 it retried)."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.insights.ids import Callback as InsightCallback
from tests.hardening.helpers import set_up_insights, wait_outbox_settled
from tests.support.fixtures import BotUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def samples(url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(url + "/metrics", timeout=5).text
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(found: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_requests_acks_and_slack_calls_by_outcome(bot: BotUnderTest) -> None:
    emulator = bot.emulator
    before = samples(bot.url)
    channel = set_up_insights(bot)  # /insight setup (command, views.open) and its submission
    pat = bot.user("pat")
    for _ in range(3):
        assert pat.command("/insight", "help").status == 200
    emulator.faults.add("chat.postMessage", "5xx", count=1, status=503)  # the first post fails once
    pat.command("/insight", "Churned accounts mention the missing Salesforce sync")
    assert pat.submit(callback_id=InsightCallback.CAPTURE).status == 200
    emulator.wait_for(lambda: emulator.messages_in(channel), timeout=15, what="the post, after its retry")
    wait_outbox_settled(emulator, bot.database_url)
    assert httpx.post(bot.url + "/slack/events", content=b"command=%2Finsight", timeout=5).status_code == 401

    after = samples(bot.url)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    events = {"route": "/slack/events"}
    assert grew("tandem_requests_total", **events, kind="command", status="200") == 5
    assert grew("tandem_requests_total", **events, kind="view_submission", status="200") == 2
    assert grew("tandem_requests_total", **events, kind="command", status="401") == 1
    assert grew("tandem_ack_seconds_count", kind="command") == 6
    assert grew("tandem_ack_seconds_count", kind="view_submission") == 2
    assert grew("tandem_ack_seconds_bucket", kind="command", le="3.0") == 6  # every ack within Slack's 3 s
    assert grew("tandem_slack_api_calls_total", method="views.open", outcome="ok") == 2
    # The outbox's sender: one 503, then the retry that went through.
    assert grew("tandem_slack_api_calls_total", method="chat.postMessage", outcome="http_503") == 1
    assert grew("tandem_slack_api_calls_total", method="chat.postMessage", outcome="ok") == 1
    assert len(emulator.calls("chat.postMessage")) == 2
    # Gauges read from the shared database at scrape time: the outbox has drained, nothing is late.
    assert value(after, "tandem_delivery_queue_depth") == 0
    assert value(after, "tandem_scheduler_lag_seconds") == 0


def test_queue_depth_and_scheduler_lag_reflect_the_database(bot: BotUnderTest) -> None:
    channel = set_up_insights(bot)
    wait_outbox_settled(bot.emulator, bot.database_url)
    bot.emulator.faults.add("chat.postMessage", "5xx", count=50, status=503)  # the post keeps failing for now
    pat = bot.user("pat")
    pat.command("/insight", "Prospects compare our onboarding to a rival's checklist")
    assert pat.submit(callback_id=InsightCallback.CAPTURE).status == 200
    bot.emulator.wait_for_call("chat.postMessage", channel=channel, timeout=15)
    found = samples(bot.url)
    assert value(found, "tandem_delivery_queue_depth") == 1  # stored, waiting for its retry
    assert "tandem_scheduler_lag_seconds" in {name for name, _ in found}
