"""Captures arriving at the same moment (threads, or replicas) never collide on "#n" numbers."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.insights import capture, forms
from bot.insights.data import CaptureContext, CaptureForm
from bot.insights.models import Insight
from tests.insights.helpers import NOW

TEAM = "T0RACE"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    try:
        yield database
    finally:
        database.dispose()


def test_concurrent_captures_get_distinct_numbers_and_all_are_saved(db: Database) -> None:
    workers, per_worker = 6, 5
    start = threading.Barrier(workers)
    failures: list[BaseException] = []

    def capture_many(worker: int) -> None:
        try:
            start.wait()
            for n in range(per_worker):
                clean, errors = forms.validate_capture(CaptureForm(text=f"worker {worker} heard thing {n}"))
                assert clean is not None, errors
                with db.unit_of_work() as session:
                    capture.capture_insight(
                        session, team_id=TEAM, user_id=f"U{worker}", capture=clean, context=CaptureContext(), now=NOW
                    )
        except BaseException as error:  # noqa: BLE001 - reported to the test thread below
            failures.append(error)

    threads = [threading.Thread(target=capture_many, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    with db.unit_of_work() as session:
        numbers = sorted(session.scalars(select(Insight.number).where(Insight.team_id == TEAM)))
    assert numbers == list(range(1, workers * per_worker + 1))


def test_the_same_modal_submitted_again_returns_the_saved_insight(db: Database) -> None:
    form = CaptureForm(text="Pricing page confuses procurement teams")
    with db.unit_of_work() as session:
        first = capture.submit_capture(
            session, team_id=TEAM, user_id="U1", form=form, context=CaptureContext(), now=NOW, view_id="V123"
        )
    with db.unit_of_work() as session:
        again = capture.submit_capture(
            session, team_id=TEAM, user_id="U1", form=form, context=CaptureContext(), now=NOW, view_id="V123"
        )
        count = len(session.scalars(select(Insight).where(Insight.team_id == TEAM)).all())
    assert first.done is not None and again.done is not None
    assert again.done.insight.number == first.done.insight.number
    assert count == 1
