"""The digest's "Shared goals" section and the chart's goal, participation and health panels,
compiled from a seeded database (SQLite and PostgreSQL) and rendered."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker as ticker
import pytest

from bot.db import Database
from bot.digest import compose, goal_views, views
from bot.digest.chart import MARKETING_COLOUR, PRODUCT_COLOUR, build_figure, render_chart
from bot.digest.data import GOALS_SHOWN, WEEK, ChartData, GoalLine
from bot.digest.ids import Section
from bot.goals.ids import Confidence, Direction, Kind, Outcome, Status, Unit
from bot.slack import blocks as bk
from tests.goals.conftest import NOW, OTHER_TEAM, TEAM
from tests.goals.helpers import add_value, check_in, close, make_goal

END = NOW + timedelta(days=28)  # the digest's week ends four weeks after the goals were made
START = END - WEEK


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def _seed(database: Database) -> dict[str, int]:
    with database.unit_of_work() as session:
        on_track = make_goal(session, at=NOW, title="On track goal")
        off_track = make_goal(session, at=NOW, title="Off track goal", channel_id="C0GOALS002")
        at_risk = make_goal(session, at=NOW, title="At risk goal")
        silent = make_goal(session, at=NOW, title="Silent goal")
        finished = make_goal(session, at=NOW, title="Finished goal")
        elsewhere = make_goal(session, at=NOW, team_id=OTHER_TEAM, title="Another workspace's goal")
        # A week ago (at or before the week's start) and now.
        check_in(session, on_track, 4.5, Confidence.ON_TRACK, START - timedelta(days=1))
        check_in(session, on_track, 5.0, Confidence.ON_TRACK, END - timedelta(days=1))
        add_value(session, on_track, 5.5, END + timedelta(hours=1))  # after the week: not counted
        check_in(session, off_track, 4.2, Confidence.AT_RISK, START - timedelta(days=2))
        check_in(session, off_track, 3.9, Confidence.OFF_TRACK, START + timedelta(days=2))
        check_in(session, at_risk, 4.4, Confidence.AT_RISK, START + timedelta(days=3))
        silent.stale_since = START
        check_in(session, finished, 6.1, Confidence.ON_TRACK, START + timedelta(days=1))
        close(session, finished, Outcome.HIT, START + timedelta(days=4), learning="Pricing page <b>did it</b>")
        check_in(session, elsewhere, 1.0, Confidence.OFF_TRACK, START + timedelta(days=1))
        return {"on": on_track.id, "off": off_track.id, "risk": at_risk.id, "silent": silent.id, "done": finished.id}


def test_goals_come_worst_first_with_the_change_since_last_week(db: Database) -> None:
    ids = _seed(db)
    with db.unit_of_work() as session:
        digest = compose.compile_digest(session, TEAM, end=END, sections=[Section.GOALS])
    goals = digest.goals
    assert goals is not None
    assert [g.goal_id for g in goals.open_goals] == [ids["off"], ids["risk"], ids["on"], ids["silent"]]
    assert goals.open_total == 4
    by_id = {g.goal_id: g for g in goals.open_goals}
    # On track: 5.0 now (the value after the week's end is ignored) against 4.5 a week ago.
    assert by_id[ids["on"]].current == 5.0 and by_id[ids["on"]].week_ago == 4.5
    assert by_id[ids["on"]].change == pytest.approx(0.5)
    assert by_id[ids["on"]].progress == pytest.approx(0.5)  # from 4 to 6
    assert by_id[ids["off"]].change == pytest.approx(3.9 - 4.2)
    assert by_id[ids["risk"]].week_ago is None and by_id[ids["risk"]].change is None  # no value a week ago
    assert by_id[ids["silent"]].stale and by_id[ids["silent"]].confidence is None
    assert [(g.goal_id, g.outcome) for g in goals.closed] == [(ids["done"], Outcome.HIT)]
    # Another workspace's goals never appear, not even in the counts.
    assert "Another workspace's goal" not in {g.title for g in (*goals.open_goals, *goals.closed)}


def test_the_section_reads_in_that_order_and_escapes_user_text(db: Database) -> None:
    _seed(db)
    with db.unit_of_work() as session:
        digest = compose.compile_digest(session, TEAM, end=END)
    text = views.blocks_to_text(views.build_digest_blocks(digest))
    order = [text.index(t) for t in ("Off track goal", "At risk goal", "On track goal", "Silent goal")]
    assert order == sorted(order)
    assert "Shared goals" in text
    mrkdwn = "\n".join(b["text"]["text"] for b in views.build_digest_blocks(digest) if isinstance(b.get("text"), dict))
    assert "*:dart: Shared goals* — *4* open, *2* at risk or off track" in mrkdwn
    assert ":red_circle: Off track *Off track goal* — 3.9% of 6% (-5%), -0.3% since last week (worse)" in mrkdwn
    assert "*On track goal* — 5% of 6% (50%), +0.5% since last week (better)" in mrkdwn
    assert "*At risk goal* — 4.4% of 6% (20%), no value a week ago" in mrkdwn
    assert ":hourglass: _stale: no check-in for two rounds_" in mrkdwn
    assert "*Closed this week*" in mrkdwn and "Hit at 6.1%" in mrkdwn
    assert "&lt;b&gt;did it&lt;/b&gt;" in mrkdwn and "<b>" not in mrkdwn


def test_many_goals_stay_within_block_kit_limits(db: Database) -> None:
    with db.unit_of_work() as session:
        for n in range(40):
            goal = make_goal(session, at=NOW, title=f"Goal number {n} " + "x" * 120, metric_name="m" * 80)
            check_in(session, goal, 4.0 + n / 100, Confidence.AT_RISK, START + timedelta(hours=n))
    with db.unit_of_work() as session:
        digest = compose.compile_digest(session, TEAM, end=END)
    assert digest.goals is not None and digest.goals.open_total == 40 and len(digest.goals.open_goals) == GOALS_SHOWN
    blocks = views.build_digest_blocks(digest)
    assert len(blocks) <= bk.MESSAGE_BLOCK_LIMIT
    goal_section = next(b for b in blocks if "Shared goals" in b.get("text", {}).get("text", ""))
    assert len(goal_section["text"]["text"]) <= bk.SECTION_TEXT_LIMIT
    assert "…and 30 more: see `/goal list`" in goal_section["text"]["text"]


def test_a_kpi_and_a_currency_goal_read_naturally() -> None:
    kpi = GoalLine(
        goal_id=1,
        title="Keep churn low",
        metric_name="Churn",
        kind=Kind.KPI,
        unit=Unit.PERCENT,
        unit_label="",
        direction=Direction.DOWN,
        baseline=3,
        target=None,
        range_low=None,
        range_high=2.5,
        status=Status.ACTIVE,
        channel_id="C1",
        confidence=Confidence.ON_TRACK,
        stale=False,
        current=2.0,
        week_ago=2.4,
    )
    assert goal_views.value_text(kpi) == "2% (healthy)"
    assert goal_views.change_text(kpi) == "-0.4% since last week (better)"


def test_the_chart_has_goal_bars_whole_number_counts_shares_and_side_colours(db: Database) -> None:
    _seed(db)
    with db.unit_of_work() as session:
        chart = compose.compile_chart(session, TEAM, end=END)
    assert [t for t, _ in chart.goals] == ["Off track goal", "At risk goal", "On track goal"]  # silent has no value
    chart = ChartData(
        week_starts=chart.week_starts,
        insights={"Pricing": (1, 0, 2, 3, 0, 1, 1, 2)},
        answers={"Product": (3, 4, 4, 5, 3, 4, 4, 5), "Marketing": (1, 2, 2, 3, 2, 2, 3, 3)},
        participation={
            "Product": (0.6, 0.8, 0.8, 1, 0.6, 0.8, 0.8, 1),
            "Marketing": (0.2, 0.4, None, 0.6, 0.4, 0.4, 0.6, 0.6),
        },
        health={
            "Product": (None, 3.0, 3.0, 3.5, 3.5, 3.5, 4.0, 4.0),
            "Marketing": (None, 2.5, 2.5, 3.0, 3.0, 3.0, 3.0, 3.5),
        },
        goals=chart.goals,
    )
    figure = build_figure(chart, plt, ticker)
    try:
        figure.canvas.draw()
        insights, participation, health, goals = figure.axes
        counts = [t.get_text().replace("\N{MINUS SIGN}", "-") for t in insights.get_yticklabels() if t.get_text()]
        assert counts and all(c.lstrip("-").isdigit() for c in counts)  # whole numbers on a count axis
        shares = [t.get_text() for t in participation.get_yticklabels() if t.get_text()]
        assert shares and all(s.endswith("%") for s in shares)
        for ax in (participation, health):
            legend = ax.get_legend()
            assert [t.get_text() for t in legend.get_texts()] == ["Product", "Marketing"]
            colours = [matplotlib.colors.to_hex(line.get_color()) for line in ax.get_lines()]
            assert colours == [PRODUCT_COLOUR, MARKETING_COLOUR]
        assert len(goals.patches) == 3  # one bar per goal with a value
        assert [t.get_text() for t in goals.get_yticklabels()] == ["On track goal", "At risk goal", "Off track goal"]
    finally:
        plt.close(figure)
    png = render_chart(chart)
    assert png.startswith(b"\x89PNG")
