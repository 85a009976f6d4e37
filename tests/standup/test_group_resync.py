"""Stand-ups set up with user groups follow the groups: `tandem refresh` (and `tandem run` every few
hours) adds people who joined a group and stops prompting those who left. People picked by name
are never touched, and a group Slack cannot read changes nothing."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.playground.people import SimulatedUser
from bot.scheduling.models import Schedule
from bot.settings import normalize_database_url
from bot.standup import data, resync, setup
from bot.standup.ids import Block
from bot.standup.models import StandupParticipant
from tests.standup.test_e2e_standup import (
    MONDAY_BERLIN_0930,
    SATURDAY_SETUP,
    WAIT,
    add_person,
    setup_standup,
    tick,
    wait,
)
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e


def participants(bot: BotUnderTest) -> dict[str, tuple[str, bool, bool]]:
    """user id -> (side, active, came through a group)."""
    db = Database.from_url(normalize_database_url(bot.database_url))
    try:
        with db.unit_of_work() as session:
            rows = session.scalars(select(StandupParticipant))
            return {r.user_id: (r.side, r.active, r.via_group is not None) for r in rows}
    finally:
        db.dispose()


def scheduled_people(bot: BotUnderTest) -> set[str]:
    db = Database.from_url(normalize_database_url(bot.database_url))
    try:
        with db.unit_of_work() as session:
            return {s.subject for s in session.scalars(select(Schedule).where(Schedule.kind == "standup.prompt"))}
    finally:
        db.dispose()


def set_up(bot: BotUnderTest, owner: SimulatedUser, values: dict[str, Any]) -> None:
    """Submit the setup modal and wait until the stand-up is saved (after the ack)."""
    ack = setup_standup(bot, owner, values)
    assert ack.status == 200 and not ack.errors, ack.body
    channel = values[Block.CHANNEL]
    wait(bot.emulator, lambda: bot.emulator.ephemerals_to(owner.id, channel), what="setup confirmation")


def refresh(bot: BotUnderTest) -> str:
    result = bot.tandem("refresh")
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_group_members_who_join_or_leave_follow_the_group(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    marketing = next(gid for gid, (handle, _) in ws.usergroups.items() if handle == "marketing")
    pat, asha, mia = ws.user_id("pat"), ws.user_id("asha"), ws.user_id("mia")
    lena = add_person(bot, "lena", "Lena Vogel", "Europe/Berlin")
    owner = bot.user("pat")
    bot.set_now(SATURDAY_SETUP)
    values: dict[str, Any] = {
        Block.NAME: "Groups",
        Block.CHANNEL: channel,
        Block.PEOPLE_PRODUCT: [pat],
        Block.GROUPS_MARKETING: [marketing],
    }
    set_up(bot, owner, values)
    assert participants(bot) == {
        pat: ("product", True, False),
        asha: ("marketing", True, True),
        mia: ("marketing", True, True),
    }

    # The edit form lists only the people picked by name; the group brings its members.
    owner.command("/standup", "edit Groups")
    edit = owner.modal(callback_id="standup_setup", timeout=WAIT)
    by_id = {b.get("block_id"): b for b in edit.blocks}
    assert by_id[Block.PEOPLE_PRODUCT]["element"]["initial_users"] == [pat]
    assert "initial_users" not in by_id[Block.PEOPLE_MARKETING]["element"]
    assert [o["value"] for o in by_id[Block.GROUPS_MARKETING]["element"]["initial_options"]] == [marketing]
    owner.close_modal(view=edit)

    # Mia leaves @marketing, Lena joins; Pat joins it too but was picked by name for product.
    ws.usergroups[marketing] = ("marketing", [asha, lena, pat])
    assert "user groups: 1 joined, 1 left, in 1 stand-up(s)" in refresh(bot)
    assert participants(bot) == {
        pat: ("product", True, False),
        asha: ("marketing", True, True),
        mia: ("marketing", False, True),
        lena: ("marketing", True, True),
    }
    assert scheduled_people(bot) == {pat, asha, lena}  # each person's own-time prompt schedule
    assert "user groups: 0 joined, 0 left, in 0 stand-up(s)" in refresh(bot)  # nothing new: no change

    # Slack cannot read the group: nobody is dropped on a guess.
    em.faults.add("usergroups.users.list", "5xx", count=None, status=500)
    ws.usergroups[marketing] = ("marketing", [])
    assert "0 joined, 0 left" in refresh(bot)
    assert participants(bot)[asha] == ("marketing", True, True)
    em.faults.clear()
    ws.usergroups[marketing] = ("marketing", [asha, lena, pat])

    # Monday 09:30 in Berlin: Lena, who joined through the group, is prompted; Mia is not.
    tick(bot, MONDAY_BERLIN_0930)
    wait(em, lambda: em.dms_to(lena), what="Lena's prompt")
    assert em.dms_to(mia) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_refresh_moves_a_persons_prompts_to_their_new_time_zone(inproc_bot: BotUnderTest) -> None:
    """Someone who moves from Berlin to New York is prompted at 09:30 New York time after the next
    refresh (zones are re-read when last checked more than 12 h ago)."""
    bot = inproc_bot
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    lena = add_person(bot, "lena", "Lena Vogel", "Europe/Berlin")
    owner = bot.user("pat")
    bot.set_now(SATURDAY_SETUP)
    values = {Block.NAME: "Zones", Block.CHANNEL: channel, Block.PEOPLE_MARKETING: [lena]}
    set_up(bot, owner, values)

    ws.users[lena].tz = "America/New_York"
    assert "0 schedule(s) moved" in refresh(bot)  # checked at setup, less than 12 h ago
    result = bot.tandem("refresh", "--now", "2026-11-29T06:00:00Z")  # Sunday, 18 h later
    assert result.returncode == 0, result.stderr
    assert "1 schedule(s) moved to a new time zone" in result.stdout

    tick(bot, MONDAY_BERLIN_0930)  # 09:30 in Berlin: no longer Lena's time
    assert em.dms_to(lena) == []
    tick(bot, "2026-11-30T14:30:00Z")  # 09:30 in New York
    wait(em, lambda: em.dms_to(lena), what="Lena's prompt at her new local time")


def test_a_bad_now_is_one_friendly_line(tandem: Any) -> None:
    result = tandem("refresh", "--now", "next tuesday")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "tandem: --now: expected an ISO-8601 instant such as 2026-03-29T07:00:00Z, got 'next tuesday'"
    )


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_two_replicas_resyncing_at_once_add_a_newcomer_once(
    inproc_bot: BotUnderTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every replica of `tandem run` refreshes on its own clock: two at the same moment both see
    Lena as new; one adds her, the other gives way (no error, no second row or schedule)."""
    bot = inproc_bot
    ws = bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    marketing = next(gid for gid, (handle, _) in ws.usergroups.items() if handle == "marketing")
    lena = add_person(bot, "lena", "Lena Vogel", "Europe/Berlin")
    owner = bot.user("pat")
    bot.set_now(SATURDAY_SETUP)
    values = {Block.NAME: "Race", Block.CHANNEL: channel, Block.GROUPS_MARKETING: [marketing]}
    set_up(bot, owner, values)
    ws.usergroups[marketing] = ("marketing", [*ws.usergroups[marketing][1], lena])

    # Hold each replica's transaction open after it added Lena, until both have (or 3 s passed:
    # the second one's INSERT waits for the first one's transaction on the unique key).
    both_added = threading.Barrier(2)
    take_part = setup.take_part

    def held(*args: Any, **kwargs: Any) -> Any:
        row = take_part(*args, **kwargs)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_added.wait(timeout=3)
        return row

    monkeypatch.setattr(setup, "take_part", held)
    services = bot.services
    assert services is not None
    results: list[list[data.GroupChange]] = []
    errors: list[BaseException] = []

    def replica() -> None:
        try:
            results.append(resync.resync_usergroups(services, services.clock()))
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=replica) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert sorted(len(changes) for changes in results) == [0, 1]
    assert participants(bot)[lena] == ("marketing", True, True)
    db = Database.from_url(normalize_database_url(bot.database_url))
    try:
        with db.unit_of_work() as session:
            subjects = [s.subject for s in session.scalars(select(Schedule).where(Schedule.subject == lena))]
    finally:
        db.dispose()
    assert subjects == [lena]
