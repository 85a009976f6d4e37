"""The one channel check of every setup modal, against the emulator's channels (real HTTP)."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient

from bot.playground.slack_emulator import SlackEmulator
from bot.slack.channel_access import (
    ARCHIVED,
    NOT_FOUND,
    UNKNOWN,
    ChannelAccess,
    access_problem,
    read_access,
)
from bot.slack.channels import NEEDS_CONFIRMATION


@pytest.fixture
def client(emulator: SlackEmulator) -> WebClient:
    return WebClient(token=emulator.workspace.bot_token, base_url=emulator.base_url)


def access(emulator: SlackEmulator, client: WebClient, name: str) -> ChannelAccess:
    return read_access(client, emulator.workspace.channel_id(name))


def test_a_channel_the_bot_is_in_is_fine(emulator: SlackEmulator, client: WebClient) -> None:
    seen = access(emulator, client, "product-marketing")
    assert seen == ChannelAccess(found=True, archived=False, member=True, external=False, name="product-marketing")
    assert access_problem(seen, external_ok=False) is None


def test_not_a_member_names_the_channel_and_the_fix(emulator: SlackEmulator, client: WebClient) -> None:
    problem = access_problem(access(emulator, client, "random"), external_ok=False)
    assert problem == "I'm not in #random yet. Type `/invite @Tandem` in #random, then save again."


def test_a_private_channel_the_bot_cannot_see(emulator: SlackEmulator, client: WebClient) -> None:
    seen = access(emulator, client, "leadership")
    assert seen.found is False
    assert access_problem(seen, external_ok=True) == NOT_FOUND


def test_an_archived_channel(emulator: SlackEmulator, client: WebClient) -> None:
    assert access_problem(access(emulator, client, "old-campaign"), external_ok=False) == ARCHIVED


def test_a_customer_channel_needs_the_box_or_is_refused_outright(emulator: SlackEmulator, client: WebClient) -> None:
    seen = access(emulator, client, "customer-acme")
    assert seen.external and seen.member
    assert access_problem(seen, external_ok=False) == NEEDS_CONFIRMATION
    assert access_problem(seen, external_ok=True) is None
    refused = access_problem(seen, external_ok=True, refuse_external="insights name customers")
    assert refused is not None and refused.endswith("Pick an internal channel: insights name customers.")


def test_slack_trouble_does_not_block_setup(emulator: SlackEmulator, client: WebClient) -> None:
    emulator.faults.add("conversations.info", "5xx", count=5, status=503)
    client.retry_handlers.clear()  # one answer, the 503: what a setup modal sees on a bad moment
    assert read_access(client, emulator.workspace.channel_id("random")) == UNKNOWN
    assert access_problem(UNKNOWN, external_ok=False) is None
