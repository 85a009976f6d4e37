"""What a summary adds to a stand-up's close, with the fake OpenAI-compatible model on 127.0.0.1.

    python bench/summaries.py [--timeout 4] [--delay 5] [--runs 3]

For each case, a fresh migrated SQLite database gets a stand-up with four people (three answers,
a blocker, an ask) and its closing is timed as the ``standup.close`` job runs it: the prepare step
(read what to summarise, ask the model, no transaction open), then ``close_occurrence`` in one unit
of work (the closing summary is enqueued when it commits). Cases: no
summary at all (how it was before summaries), the local extractive summary, the model answering
normally, answering with HTTP 500 (retried once) and answering in ``--delay`` seconds with the
summary timeout at ``--timeout`` (the fallback must be used, within the timeout). Acks are not
involved: no listener calls the model (see README "Summaries"). Each case is the median of
``--runs`` runs, each on its own fresh database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import select

from bot.db import Database
from bot.migrate import upgrade_to_head
from bot.standup import answers
from bot.standup.models import StandupOccurrence
from bot.standup.summary import close_occurrence, pending_in_short, summary_of
from bot.summaries.data import Summarise, Summary, SummaryRequest
from bot.summaries.model import LOCAL, ModelConfig, Prepared, Summariser
from tests.standup.conftest import TEAM, FakeDirectory
from tests.standup.test_service import BERLIN_0930, NEW_YORK_0930, create, prompt_for
from tests.support.fake_model import running_fake_model


def people() -> FakeDirectory:
    directory = FakeDirectory()
    directory.add("UPAT", "Pat Product", "America/New_York")
    directory.add("UNOAH", "Noah Product", "America/New_York")
    directory.add("UMAX", "Max Marketing", "Europe/Berlin")
    directory.add("ULENA", "Lena Marketing", "Europe/Berlin")
    directory.groups["SMKT"] = ["UMAX", "ULENA"]
    return directory


def time_close(folder: Path, name: str, summarise: Summarise | None) -> tuple[float, str]:
    db = Database.from_url(f"sqlite:///{folder / name}.db")
    upgrade_to_head(db)
    directory = people()
    try:
        with db.unit_of_work() as session:
            standup = create(session, directory).standup
            for user in ("UMAX", "ULENA"):
                prompt_for(session, standup, user, BERLIN_0930, tz="Europe/Berlin")
            for user in ("UPAT", "UNOAH"):
                prompt_for(session, standup, user, NEW_YORK_0930, tz="America/New_York")
            occurrence = session.scalars(select(StandupOccurrence)).one()
            for user, texts, blocker, ask in (
                ("UMAX", ["Finished the launch brief", "Press kit"], "Waiting on final pricing", "Pricing by Wed?"),
                ("ULENA", ["Webinar deck for the launch", "Newsletter"], "", ""),
                ("UPAT", ["Pricing page draft", "Launch checklist"], "", ""),
            ):
                answers.submit_answer(
                    session, directory, team_id=TEAM, user_id=user, occurrence_id=occurrence.id, answers=texts,
                    blocker=blocker, ask_user="UPAT" if ask else None, ask_text=ask, now=NEW_YORK_0930,
                )  # fmt: skip
            occurrence_id, closes_at = occurrence.id, occurrence.closes_at
        started = time.perf_counter()
        prepared = None
        if summarise is not None:  # the job's prepare step
            with db.unit_of_work() as session:
                request = pending_in_short(session, team_id=TEAM, occurrence_id=occurrence_id)
            prepared = summarise(request) if request is not None else None
        with db.unit_of_work() as session:
            close_occurrence(
                session, team_id=TEAM, occurrence_id=occurrence_id, now=closes_at,
                summarise=Prepared(prepared) if summarise is not None else None,
            )  # fmt: skip
        elapsed = time.perf_counter() - started
        with db.unit_of_work() as session:
            shown = summary_of(session, session.get(StandupOccurrence, occurrence_id)).in_short  # type: ignore[arg-type]
        return elapsed, "none" if shown is None else shown.source.value
    finally:
        db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, default=4.0, help="TANDEM_SUMMARY_TIMEOUT (s)")
    parser.add_argument("--delay", type=float, default=5.0, help="the slow model's answer time (s)")
    parser.add_argument("--runs", type=int, default=3, help="runs per case (median shown)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, running_fake_model() as fake:
        folder = Path(tmp)
        config = ModelConfig(url=fake.base_url, model="fake-1", api_key=None, timeout=args.timeout)

        def with_mode(mode: str) -> Summarise:
            def summarise(request: SummaryRequest) -> Summary | None:
                fake.mode, fake.delay = mode, args.delay
                return Summariser(config)(request)

            return summarise

        cases: list[tuple[str, Summarise | None]] = [
            ("no summary (before #17)", None),
            ("extractive only (model off)", LOCAL),
            ("model answers", with_mode("normal")),
            ("model answers 500 (retried once)", with_mode("error")),
            (f"model answers in {args.delay:g} s", with_mode("slow")),
        ]
        time_close(folder, "warm-up", None)
        baseline = 0.0
        print(f"summary timeout {args.timeout:g} s; the close job (prepare, then close_occurrence), SQLite")
        for index, (label, summarise) in enumerate(cases):
            runs = [time_close(folder, f"case{index}-{run}", summarise) for run in range(args.runs)]
            elapsed = statistics.median(t for t, _source in runs)
            sources = {source for _t, source in runs}
            assert len(sources) == 1, sources
            source = sources.pop()
            baseline = elapsed if summarise is None else baseline
            extra = elapsed - baseline
            print(f"  {label:34} {elapsed * 1000:8.1f} ms  (+{extra * 1000:7.1f} ms)  In short: {source}")
            if "slow" in label or "answers in" in label:
                assert source == "extractive", "the slow model's answer must not be used"
                assert extra <= args.timeout + 0.5, f"the close took {extra:.2f} s more than without a summary"
        print(f"  requests the fake model received: {len(fake.requests)} ({args.runs} runs per case)")


if __name__ == "__main__":
    main()
