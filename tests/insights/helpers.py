"""Helpers for the insights tests: people's messages in channels (the emulator only records the
bot's own posts) and direct service-level fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.playground.signed_requests import Ack, Driver
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Message, Workspace

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def human_message(emulator: SlackEmulator, workspace: Workspace, channel_id: str, user_id: str, text: str) -> Message:
    """A message a person (not the bot) wrote in ``channel_id``: what a message shortcut acts on."""
    with emulator._lock:
        message = Message(
            team_id=workspace.team_id,
            channel=channel_id,
            ts=emulator._next_ts(),
            user=user_id,
            bot_id="",
            text=text,
            via="person",
        )
        emulator._messages.setdefault(channel_id, []).append(message)
    return message


def shared_channel(workspace: Workspace, name: str = "acme-globex-shared") -> str:
    """A Slack Connect channel shared with a customer's organisation (conversations.info says
    ``is_ext_shared``): our people, a customer's person, and the bot.

    The customer's person is modelled as a user of this workspace (the emulator keeps one user
    list per workspace) so that they can write the message the shortcut acts on.
    """
    workspace.add_user("casey", "Casey Customer (Globex)")
    return workspace.add_channel(name, members=["mia", "pat", "casey"], external_teams=["T0GLOBEX01"]).id


def click_in_ephemeral(
    emulator: SlackEmulator,
    driver: Driver,
    workspace: Workspace,
    user_id: str,
    blocks: list[dict[str, Any]],
    action_id: str,
) -> Ack:
    """Click a button of an ephemeral message (an ack's reply). The harness's SimulatedUser only
    clicks in stored messages, modals and the Home tab, so the message is a stand-in: the click
    carries the ephemeral's blocks and a fresh response_url, as Slack's does."""
    channel = workspace.channel_id("general")
    stand_in = Message(
        team_id=workspace.team_id,
        channel=channel,
        ts="1.000001",
        user=workspace.bot_user_id,
        bot_id=workspace.bot_id,
        blocks=blocks,
    )
    for block in blocks:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id:
                action = {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block.get("block_id", ""),
                    "text": element["text"],
                    "value": element.get("value", ""),
                }
                return driver.block_actions(user=user_id, actions=[action], message=stand_in)
    raise LookupError(f"no button {action_id} in the ephemeral")
