"""The compile step against a seeded week, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.db import Database
from bot.digest import compose
from bot.digest.data import WEEK
from bot.digest.ids import Section
from tests.digest.seed import NOW, WEEK_START, People, seed_week

TEAM = "T0DIGEST1"
PEOPLE = People(pat="UPAT", max="UMAX", asha="UASHA", mia="UMIA")


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    with database.unit_of_work() as session:
        seed_week(session, TEAM, PEOPLE)
    yield database
    database.dispose()


def test_seeded_week_compiles_to_the_expected_figures(db: Database) -> None:
    with db.unit_of_work() as session:
        digest = compose.compile_digest(session, TEAM, end=NOW)

    assert (digest.start, digest.end) == (WEEK_START, NOW)
    standups = digest.standups
    assert standups is not None
    by_side = {p.side: p for p in standups.participation}
    assert (by_side["product"].answers.current, by_side["product"].answers.previous) == (8, 6)
    assert (by_side["marketing"].answers.current, by_side["marketing"].answers.previous) == (6, 6)
    assert by_side["product"].prompted == 10 and by_side["product"].rate == pytest.approx(0.8)
    assert standups.answers.current == 14 and standups.answers.delta == 2
    # pat's Monday blocker was resolved by later answers; max's latest answer still names one.
    assert [(b.user_id, b.text) for b in standups.blockers] == [("UMAX", "Waiting on <pricing page> copy")]
    assert standups.asks_total == 1 and standups.asks[0].to_user == "UPAT"

    insights = digest.insights
    assert insights is not None
    assert (insights.new.current, insights.new.previous) == (5, 2)
    groups = {g.category: g for g in insights.groups}
    assert insights.groups[0].category == "customer_needs"
    assert groups["customer_needs"].count == 3
    assert [i.number for i in groups["customer_needs"].top] == [1, 2, 5]  # most +1'd first
    assert groups["customer_needs"].top[0].plus_ones == 3
    assert [(q.segment, q.number) for q in insights.quotes] == [("Enterprise", 1), ("Agencies", 3), ("SMB", 2)]

    loop = digest.loop
    assert loop is not None and loop.total.current == 1
    assert (loop.changes[0].number, loop.changes[0].to_status) == (6, "planned")

    actions = digest.actions
    assert actions is not None
    assert (actions.done.current, actions.done.previous) == (1, 1)
    assert (actions.overdue_total, actions.open_total) == (1, 1)
    assert [(a.owner_id, a.overdue) for a in actions.open_items] == [("UMAX", True), ("UPAT", False)]

    health = digest.health
    assert health is not None
    sides = {s.side: s for s in health.sides}
    assert [p.score for p in sides["product"].points] == [pytest.approx(3.0), pytest.approx(23 / 6)]
    assert sides["product"].change == pytest.approx(23 / 6 - 3)
    assert sides["marketing"].points[0].score is None  # one rater: hidden
    assert sides["marketing"].latest is not None and sides["marketing"].latest.strands["ownership"] == 4

    upcoming = digest.upcoming
    assert upcoming is not None
    names = {(r.kind, r.name): r for r in upcoming.rituals}
    assert names[("standup", "Launch sync")].times == 5  # Tue-Fri and next Monday 09:00
    assert ("retro", "Partnership check") in names


def test_sections_not_chosen_or_empty_are_left_out(db: Database) -> None:
    with db.unit_of_work() as session:
        only = compose.compile_digest(session, TEAM, end=NOW, sections=[Section.INSIGHTS])
        quiet = compose.compile_digest(session, TEAM, end=NOW + WEEK * 10, sections=[Section.INSIGHTS])
        other_team = compose.compile_digest(session, "T0OTHER", end=NOW)
    assert only.insights is not None and only.standups is None and only.actions is None
    assert quiet.insights is None and quiet.empty
    assert other_team.empty  # every query is scoped by team


def test_chart_series_cover_eight_weeks(db: Database) -> None:
    with db.unit_of_work() as session:
        chart = compose.compile_chart(session, TEAM, end=NOW)
    assert len(chart.week_starts) == 8
    assert chart.insights["Customer needs and pain points"][-1] == 3
    assert chart.answers["Product"][-2:] == (6, 8)
    assert not chart.empty


def test_chart_participation_is_the_share_of_answers_expected_per_side(db: Database) -> None:
    with db.unit_of_work() as session:
        chart = compose.compile_chart(session, TEAM, end=NOW)
    assert chart.participation["Product"][-1] == pytest.approx(0.8)  # 8 answers of 10 prompts
    assert set(chart.participation) == set(chart.answers)
    assert all(v is None or 0 <= v <= 1 for shares in chart.participation.values() for v in shares)
    # The health trend: product's latest shown score by the last week's end; marketing's is hidden
    # until two people rate.
    assert chart.health["Product"][-1] == pytest.approx(23 / 6)
