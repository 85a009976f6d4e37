"""Helpers of the hardening tests: what the database holds, and the insights set-up they share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, inspect, select, table, text

from bot.db import Database
from bot.insights.ids import Block as InsightBlock
from bot.insights.ids import Callback as InsightCallback
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Workspace
from tests.support.fixtures import BotUnderTest

# Written on every request by design (Bolt's OAuth state, Alembic's own bookkeeping): not effects.
NOT_EFFECTS = frozenset({"alembic_version"})


def row_counts(database_url: str) -> dict[str, int]:
    """Rows per table of the bot's database (every table the migrations made)."""
    db = Database.from_url(database_url)
    try:
        with db.engine.connect() as connection:
            names = [n for n in inspect(connection).get_table_names() if n not in NOT_EFFECTS]
            # Full-text shadow tables of SQLite FTS5 follow ``insights``; counting them adds nothing.
            names = [n for n in names if not n.startswith("insights_fts")]
            return {name: int(connection.scalar(select(func.count()).select_from(table(name))) or 0) for name in names}
    finally:
        db.dispose()


def scalar(database_url: str, sql: str, **params: Any) -> Any:
    db = Database.from_url(database_url)
    try:
        with db.engine.connect() as connection:
            return connection.execute(text(sql), params).scalar()
    finally:
        db.dispose()


def set_up_insights(bot: BotUnderTest, workspace: Workspace | None = None) -> str:
    """An admin (ada) of ``workspace`` picks a new #customer-insights; returns its id."""
    ws = workspace or bot.emulator.workspace
    channel = ws.add_channel("customer-insights", members=["ada", "mia", "pat", "max", "asha"]).id
    ada = bot.user("ada", ws)
    assert ada.command("/insight", "setup").status == 200
    ack = ada.submit({InsightBlock.CHANNEL: channel}, callback_id=InsightCallback.SETUP)
    assert ack.status == 200 and not ack.errors, ack.body
    return channel


def outbox_settled(database_url: str) -> bool:
    """No outbox row is waiting to be sent (pending or leased)."""
    waiting = scalar(database_url, "SELECT count(*) FROM outbox WHERE status NOT IN ('sent', 'failed')")
    return int(waiting or 0) == 0


def wait_outbox_settled(emulator: SlackEmulator, database_url: str, timeout: float = 15.0) -> None:
    emulator.wait_for(lambda: outbox_settled(database_url), timeout=timeout, what="the outbox to drain")
