"""Two replicas (issue "Prove it…", item 6): two ``tandem run --http`` processes, each with its
scheduler ticking every 0.5 s, one PostgreSQL database, one clock file, and the test's driver
alternating between them per request (a round-robin load balancer).

A simulated week: a daily stand-up (Monday to Friday, 09:30 in each person's zone) for two people
in New York and two in Berlin, answered through modals, with reminders and closings; insights
captured and triaged. Every occurrence is posted once (one parent a day, one prompt per person a
day), every answer is stored once, and no row of the outbox reaches Slack twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.insights.ids import Action as InsightAction
from bot.insights.ids import Block as InsightBlock
from bot.insights.ids import Callback as InsightCallback
from bot.playground.slack_emulator import SlackEmulator
from bot.standup.ids import Block
from tests.hardening.helpers import set_up_insights
from tests.hardening.running import (
    RoundRobinTransport,
    due_schedules,
    handle_for,
    outbox_waiting,
    query,
    start_bot,
)
from tests.hardening.test_faults import all_text, answer, prompts, reminders, set_up_standup
from tests.support.botproc import BotProcess, ClockFile
from tests.support.fixtures import BotUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WAIT = 30.0
DAYS = ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04"]  # Monday..Friday, no DST


@pytest.fixture
def replicas(
    emulator: SlackEmulator, postgres_database_url: str, clock: ClockFile, tmp_path: Path
) -> Iterator[tuple[BotUnderTest, RoundRobinTransport, list[BotProcess]]]:
    clock.set("2026-11-28T12:00:00Z")
    processes: list[BotProcess] = []
    try:
        for name in ("a", "b"):
            processes.append(start_bot(emulator, postgres_database_url, clock, tmp_path / f"replica-{name}"))
        balancer = RoundRobinTransport([p.url for p in processes])
        yield handle_for(emulator, processes[0], clock, postgres_database_url, balancer), balancer, processes
        balancer.close()
    finally:
        codes = [p.stop() for p in processes]
    assert codes == [0] * len(processes), [p.log_text()[-2000:] for p in processes]


def test_a_week_on_two_replicas_posts_everything_once(
    replicas: tuple[BotUnderTest, RoundRobinTransport, list[BotProcess]],
) -> None:
    bot, balancer, processes = replicas
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    for handle, name, tz in (("noah", "Noah Park", "America/New_York"), ("lena", "Lena Vogel", "Europe/Berlin")):
        ws.add_user(handle, name, tz)
        ws.channel("product-marketing").members.add(ws.user_id(handle))
    pat, noah, maxi, lena, ada, mia = (bot.user(n) for n in ("pat", "noah", "max", "lena", "ada", "mia"))
    people = (pat, noah, maxi, lena)

    def until(predicate: Callable[[], Any], what: str) -> Any:
        return em.wait_for(predicate, WAIT, what=what)

    def settled() -> None:
        until(lambda: outbox_waiting(bot.database_url) == 0, "the outbox to empty")

    def move(instant: str) -> None:
        """The clock file moves; wait until one of the schedulers has run everything due."""
        moment = bot.set_now(instant)
        until(lambda: due_schedules(bot.database_url, moment) == 0, f"a tick at {instant}")
        settled()

    set_up_standup(
        pat,
        {
            Block.NAME: "Daily",
            Block.CHANNEL: channel,
            Block.PEOPLE_PRODUCT: [pat.id, noah.id],
            Block.PEOPLE_MARKETING: [maxi.id, lena.id],
            Block.ZONE_MODE: "personal",
            Block.TIME: "09:30",
            Block.REMINDER: "60",
            Block.OPEN_FOR: "480",
        },
    )
    insights = set_up_insights(bot)
    expected_answers: Counter[str] = Counter()

    for day_index, day in enumerate(DAYS):

        def prompted(person: Any, n: int = day_index + 1) -> bool:
            return len(prompts(person)) >= n

        # 09:30 Berlin: Max and Lena are prompted; Max answers at once, Lena on Mon/Wed/Fri.
        move(f"{day}T08:30:00Z")
        until(
            lambda n=day_index + 1: prompted(maxi) and prompted(lena) and len(em.messages_in(channel)) == n,
            f"{day}: Berlin prompts",
        )
        answer(maxi, prompts(maxi)[-1], f"{day} max")
        expected_answers[maxi.id] += 1
        if day_index % 2 == 0:
            answer(lena, prompts(lena)[-1], f"{day} lena")
            expected_answers[lena.id] += 1
        move(f"{day}T09:30:00Z")  # Berlin reminders (Lena, some days)
        if day_index % 2 == 1:
            until(lambda n=(day_index + 1) // 2: len(reminders(lena)) >= n, f"{day}: Lena's reminder")
        settled()

        # 09:30 New York: Pat answers at once; Noah after his reminder on Tue/Thu.
        move(f"{day}T14:30:00Z")
        until(lambda: prompted(pat) and prompted(noah), f"{day}: New York prompts")
        answer(pat, prompts(pat)[-1], f"{day} pat")
        expected_answers[pat.id] += 1
        move(f"{day}T15:30:00Z")
        until(lambda n=day_index + 1: len(reminders(noah)) == n, f"{day}: Noah's reminder")
        if day_index % 2 == 1:
            answer(noah, reminders(noah)[-1], f"{day} noah")
            expected_answers[noah.id] += 1
        if day_index == 1:  # an insight on Tuesday, another on Thursday; triaged on Friday
            assert mia.command("/insight", "Prospects ask for a Salesforce sync").status == 200
            mia.submit({InsightBlock.CUSTOMER: "Initech"}, callback_id=InsightCallback.CAPTURE, timeout=WAIT)
        if day_index == 3:
            assert pat.command("/insight", "Customers want SSO with Okta").status == 200
            pat.submit({InsightBlock.CUSTOMER: "Globex"}, callback_id=InsightCallback.CAPTURE, timeout=WAIT)
        if day_index == 4:
            posted = until(lambda: len(em.messages_in(insights)) == 2 and em.messages_in(insights), "two insights")
            ada.click(InsightAction.TRIAGE, message=posted[0])
            ack = ada.submit({InsightBlock.STATUS: "planned"}, callback_id=InsightCallback.TRIAGE, timeout=WAIT)
            assert ack.status == 200 and not ack.errors, ack.body

        # The close (8 hours after New York's prompt).
        move(f"{day}T23:00:00Z")
        parent = em.messages_in(channel)[day_index]
        until(lambda p=parent: "closed" in all_text(em.message(channel, p.ts)), f"{day}: the close")
        settled()

    # --- one of everything -------------------------------------------------------------------
    parents = em.messages_in(channel)
    assert len(parents) == len(DAYS)
    for day, parent in zip(DAYS, parents, strict=True):
        replies = em.thread(channel, parent.ts)
        texts = [all_text(r) for r in replies]
        for person in people:
            assert sum(f"{day} {person.name}" in t for t in texts) <= 1
        assert len(replies) == sum(f"{day} " in t for t in texts)
    for person in people:
        per_day = Counter(json.dumps(m.blocks) for m in prompts(person))  # the date is in the blocks
        assert len(prompts(person)) == len(DAYS) and set(per_day.values()) == {1}, (person.name, per_day)
    assert len(reminders(noah)) == len(DAYS) and len(reminders(lena)) == 2
    assert reminders(pat) == [] and reminders(maxi) == []

    answers = query(bot.database_url, "SELECT user_id, occurrence_id FROM standup_answers")
    assert Counter(a["user_id"] for a in answers) == expected_answers
    assert len({(a["user_id"], a["occurrence_id"]) for a in answers}) == len(answers)
    all_replies = sum(len(em.thread(channel, p.ts)) for p in parents)
    assert all_replies == sum(expected_answers.values())

    occurrences = query(bot.database_url, "SELECT status, count(*) AS n FROM schedule_occurrences GROUP BY status")
    assert {r["status"] for r in occurrences} <= {"done"}, occurrences
    assert query(bot.database_url, "SELECT count(*) AS n FROM insights")[0]["n"] == 2
    assert len(em.messages_in(insights)) == 2
    assert len([m for m in mia.dms if "Planned" in json.dumps(m.blocks or [])]) == 1

    # Nothing reached Slack twice: each successful post is one sent outbox row, each sent once.
    outbox = query(bot.database_url, "SELECT method, status, lease_owner FROM outbox")
    assert {r["status"] for r in outbox} == {"sent"}
    ok_posts = [c for c in em.calls("chat.postMessage") if c.ok]
    assert len(ok_posts) == sum(1 for r in outbox if r["method"] == "chat.postMessage")

    ticks = [p.log_text().count("tick at ") for p in processes]
    drainers = Counter(r["lease_owner"] for r in outbox)
    print(
        f"\nREPLICAS: requests served {dict(balancer.served)}, ticks that ran jobs per replica {ticks}, "
        f"outbox rows per drainer {sorted(drainers.values())}, posts {len(ok_posts)}, answers {len(answers)}"
    )
    assert all(balancer.served[i] > 10 for i in range(2))
