"""What the launches' end-to-end tests share: people's zones as the emulator has them, the bot's
database, ticking at an instant and waiting for the outbox to drain, a message as text."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bot.db import Database
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Message, Workspace
from bot.settings import normalize_database_url
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.users import SlackUser
from tests.support.fixtures import BotUnderTest

WAIT = 20.0


@dataclass
class EmulatorDirectory:
    """People's zones as Slack has them (the emulator's workspace)."""

    workspace: Workspace

    def get_user(self, user_id: str) -> SlackUser | None:
        user = self.workspace.users.get(user_id)
        if user is None:
            return None
        return SlackUser(user.id, user.team_id, user.real_name, user.tz, user.is_admin, user.is_bot, user.deleted)


def database(bot: BotUnderTest) -> Database:
    return Database.from_url(normalize_database_url(bot.database_url))


def outbox_settled(bot: BotUnderTest) -> bool:
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            busy = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]))
            )
    finally:
        db.dispose()
    return busy == 0


def wait(em: SlackEmulator, predicate: Callable[[], Any], *, what: str) -> Any:
    return em.wait_for(predicate, WAIT, what=what)


def tick(bot: BotUnderTest, instant: str) -> str:
    """``tandem tick --now instant``, then wait until what it queued is sent; its output."""
    bot.set_now(instant)
    output = bot.tick().stdout
    wait(bot.emulator, lambda: outbox_settled(bot), what="outbox drained")
    return output


def text_of(message: Message) -> str:
    return message.text + " " + json.dumps(message.blocks or [], ensure_ascii=False)
