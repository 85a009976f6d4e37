"""The digest's "Launches" section, compiled from a seeded database (SQLite and PostgreSQL) and
rendered: launches of the next 30 days soonest first with each side's readiness and the overdue
items, the launches of the past week, nothing cancelled, too far out or of another workspace."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from bot.db import Database
from bot.digest import compose, launch_views, views
from bot.digest.data import LAUNCHES_SHOWN, LaunchesSection
from bot.digest.ids import Section
from bot.launches import plan
from bot.launches.data import PhaseInput
from bot.launches.ids import ItemStatus, LaunchKind, LaunchStatus, Side
from bot.launches.models import Launch
from bot.slack import blocks as bk
from tests.launches.conftest import OTHER_TEAM, PRODUCT_LEAD, TEAM, ZONES, launch_input

PLANNED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # when every launch was planned
END = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # the digest's week ends Monday 2027-01-04
TODAY = END.date()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def _launch(session: Session, name: str, on: date, team_id: str = TEAM, **changes: object) -> Launch:
    values: dict[str, object] = {"name": name, "phases": (PhaseInput("Launch", on, ""),), **changes}
    data = launch_input(**values)
    return plan.create_launch(
        session, team_id=team_id, data=data, created_by=PRODUCT_LEAD, today=PLANNED.date(), now=PLANNED,
        directory=ZONES, creator_tz="Europe/Berlin",
    )  # fmt: skip


def _seed(database: Database) -> dict[str, int]:
    with database.unit_of_work() as session:
        soon = _launch(session, "Shared <inbox> & *more*", date(2027, 1, 14))  # in 10 days
        later = _launch(session, "Dark mode", date(2027, 1, 25))  # in 21 days
        far = _launch(session, "Far away", date(2027, 2, 10))  # in 37 days: not shown
        shipped = _launch(session, "SSO", date(2027, 1, 1))  # 3 days ago
        old = _launch(session, "Old one", date(2026, 12, 20))  # two weeks ago: not shown
        cancelled = _launch(session, "Called off", date(2027, 1, 10))
        cancelled.status = LaunchStatus.CANCELLED.value
        _launch(session, "Another workspace's launch", date(2027, 1, 12), team_id=OTHER_TEAM)
        staggered = _launch(
            session, "Reports", date(2026, 12, 30), kind=LaunchKind.STAGGERED,
            phases=(PhaseInput("Beta", date(2026, 12, 30), ""), PhaseInput("GA", date(2027, 1, 20), "")),
        )  # fmt: skip
        items = {i.template_key: i for i in soon.items}
        items["positioning"].status = ItemStatus.DONE.value  # T-21, 2026-12-24: done
        items["enablement"].status = ItemStatus.DROPPED.value  # T-10, 2027-01-04: not counted
        # pricing (T-14, 2026-12-31, product) stays open: overdue on 2027-01-04.
        return {"soon": soon.id, "later": later.id, "far": far.id, "shipped": shipped.id, "old": old.id,
                "staggered": staggered.id}  # fmt: skip


def _section(db: Database) -> LaunchesSection:
    with db.unit_of_work() as session:
        digest = compose.compile_digest(session, TEAM, end=END, sections=[Section.LAUNCHES], timezone="Europe/Berlin")
    assert digest.launches is not None and not digest.empty
    return digest.launches


def test_the_next_30_days_soonest_first_with_readiness_and_overdue_items(db: Database) -> None:
    ids = _seed(db)
    section = _section(db)
    assert [(x.launch_id, x.on, x.days) for x in section.upcoming] == [
        (ids["soon"], date(2027, 1, 14), 10),
        (ids["staggered"], date(2027, 1, 20), 16),  # its next phase, GA
        (ids["later"], date(2027, 1, 25), 21),
    ]
    assert section.upcoming_total == 3
    soon = section.upcoming[0]
    # Product counts its own and the shared items: positioning done; pricing overdue; docs,
    # go/no-go, metrics check and retro still due. Marketing: positioning done, enablement dropped.
    assert (soon.product.side, soon.product.done, soon.product.overdue, soon.product.due) == (Side.PRODUCT, 1, 1, 4)
    assert (soon.marketing.done, soon.marketing.overdue) == (1, 0)
    assert [(i.title, i.owner_id, i.due_on) for i in soon.overdue] == [
        ("Pricing and packaging confirmed", PRODUCT_LEAD, date(2026, 12, 31))
    ]
    assert soon.overdue_total == 1
    staggered = section.upcoming[1]
    assert staggered.phase == "GA"
    # The past week: SSO (3 days ago) and the staggered launch's beta (5 days ago), latest first.
    assert [(x.launch_id, x.days) for x in section.launched] == [(ids["shipped"], -3), (ids["staggered"], -5)]
    assert section.launched_total == 2


def test_the_section_reads_in_that_order_and_escapes_user_text(db: Database) -> None:
    _seed(db)
    with db.unit_of_work() as session:
        digest = compose.compile_digest(session, TEAM, end=END, sections=[Section.LAUNCHES], timezone="Europe/Berlin")
    blocks = views.build_digest_blocks(digest)
    text = "\n".join(b["text"]["text"] for b in blocks if b.get("type") == "section")
    # Two of them have overdue items: the shared inbox, and the staggered launch's first-phase prep.
    assert "*:rocket: Launches* — *3* in the next 30 days, *2* with overdue items" in text
    assert "*Shared &lt;inbox&gt; &amp; *\u200bmore*\u200b* — <!date^" in text and "(in 10 days)" in text
    # Shared ("both") items count on each side; the dropped enablement on neither.
    assert "Product: 1/6 done · 4 due · *1 overdue* · Marketing: 1/6 done · 5 due\n" in text
    assert f":red_circle: Pricing and packaging confirmed — <@{PRODUCT_LEAD}>, due <!date^" in text
    assert "*Reports* (GA)" in text
    assert text.index("Shared &lt;inbox") < text.index("Reports") < text.index("Dark mode")
    assert "*Launched this week*" in text and "*SSO*" in text and "(3 days ago), 9 items still open" in text
    for hidden in ("Far away", "Old one", "Called off", "Another workspace"):
        assert hidden not in text
    assert "_…and 5 more overdue_" in text  # the staggered launch's overdue items beyond the first three


def test_a_quiet_month_has_no_launches_section(db: Database) -> None:
    with db.unit_of_work() as session:
        _launch(session, "Far away", date(2027, 3, 1))
        digest = compose.compile_digest(session, TEAM, end=END, sections=[Section.LAUNCHES])
    assert digest.launches is None and digest.empty


def test_many_launches_stay_within_block_kit_limits(db: Database) -> None:
    with db.unit_of_work() as session:
        for n in range(LAUNCHES_SHOWN + 4):
            _launch(session, f"Launch {n} " + "x" * 100, TODAY + timedelta(days=1 + n))
        digest = compose.compile_digest(session, TEAM, end=END, sections=[Section.LAUNCHES])
    assert digest.launches is not None and digest.launches.upcoming_total == LAUNCHES_SHOWN + 4
    blocks = launch_views.launches_blocks(digest.launches)
    assert all(len(b["text"]["text"]) <= bk.SECTION_TEXT_LIMIT for b in blocks)
    assert "more: see `/launch list`" in blocks[0]["text"]["text"]
