"""The summaries in each ritual's services (SQLite, fast): what goes in, what is stored and shown,
the workspace's switch, and the settings. The HTTP side is in ``test_summaries.py``; the whole
flow through Slack in ``test_e2e_summaries.py``."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.digest import data as digest_data
from bot.digest.views import build_digest_message
from bot.retro.ids import JobKind as RetroJobKind
from bot.retro.lookups import get_retro
from bot.retro.summary import pending_themes, retro_summary, themes_request, write_themes
from bot.retro.views import build_summary_message as build_retro_results
from bot.scheduling.models import Schedule
from bot.settings import Settings, SettingsError, load_settings
from bot.slack.delivery_models import OutboxMessage
from bot.standup import answers
from bot.standup.models import StandupOccurrence
from bot.standup.summary import close_occurrence, pending_in_short, summary_of
from bot.standup.views import build_summary_message
from bot.summaries.data import Passage, Source, Summary, SummaryError, SummaryRequest
from bot.summaries.model import LOCAL, ModelConfig, Prepared, request_body
from bot.summaries.service import summaries_enabled, switch_summaries
from tests.retro.test_service import ALICE, BOB, NOW, add, close, start
from tests.retro.test_service import TEAM as RETRO_TEAM
from tests.standup.conftest import TEAM, FakeDirectory
from tests.standup.conftest import db as standup_db
from tests.standup.conftest import people as standup_people
from tests.standup.test_service import BERLIN_0930, NEW_YORK_0930, create, prompt_for

db = standup_db  # the stand-up tests' fixtures: a migrated SQLite database and a people directory
people = standup_people

MODEL_SAYS = Summary(("The launch moved forward.", "Pricing blocks marketing."), Source.MODEL)


class Recorder:
    """A summariser that records what it was asked and answers like a model."""

    def __init__(self) -> None:
        self.requests: list[SummaryRequest] = []

    def __call__(self, request: SummaryRequest) -> Summary | None:
        self.requests.append(request)
        return MODEL_SAYS


def closed_standup(db: Database, people: FakeDirectory, summarise: object) -> int:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        for user in ("UMAX", "ULENA"):
            prompt_for(session, standup, user, BERLIN_0930, tz="Europe/Berlin")
        for user in ("UPAT", "UNOAH"):
            prompt_for(session, standup, user, NEW_YORK_0930, tz="America/New_York")
        occurrence = session.scalars(select(StandupOccurrence)).one()
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UMAX", occurrence_id=occurrence.id,
            answers=["Finished the launch brief", "Press kit <!channel>"], blocker="Waiting on final pricing",
            ask_user="UPAT", ask_text="Pricing by Wednesday?", now=BERLIN_0930,
        )  # fmt: skip
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UPAT", occurrence_id=occurrence.id,
            answers=["Pricing page draft", "Launch checklist"], blocker="", ask_user=None, ask_text="",
            now=NEW_YORK_0930,
        )  # fmt: skip
        close_occurrence(
            session, team_id=TEAM, occurrence_id=occurrence.id, now=occurrence.closes_at,
            summarise=summarise,  # type: ignore[arg-type]
        )  # fmt: skip
        return occurrence.id


def test_standup_close_asks_for_in_short_from_answers_blockers_and_asks_without_names(
    db: Database, people: FakeDirectory
) -> None:
    recorder = Recorder()
    occurrence_id = closed_standup(db, people, recorder)
    (request,) = recorder.requests
    assert [p.label for p in request.passages] == ["progress"] * 4 + ["blocker", "ask across teams"]
    assert request.max_sentences == 3
    body = json.dumps(request_body_of(request))
    for name in ("Max", "Pat", "UMAX", "UPAT"):
        assert name not in body
    with db.unit_of_work() as session:
        occurrence = session.get(StandupOccurrence, occurrence_id)
        assert occurrence is not None
        view = summary_of(session, occurrence)
        assert view.in_short == MODEL_SAYS
        message = build_summary_message(view)
        assert "*In short*" in str(message["blocks"]) and "Pricing blocks marketing." in str(message["blocks"])
        # A late answer refreshes the summary in place and keeps the same "In short" (no new call).
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UNOAH", occurrence_id=occurrence_id,
            answers=["QA pass", "Release notes"], blocker="", ask_user=None, ask_text="",
            now=occurrence.closes_at + timedelta(hours=1),
        )  # fmt: skip
        updates = session.scalars(
            select(OutboxMessage).where(OutboxMessage.method == "chat.update").order_by(OutboxMessage.id)
        ).all()
        assert len(updates) == 2 and "Pricing blocks marketing." in str(updates[-1].args["blocks"])
    assert len(recorder.requests) == 1


def request_body_of(request: SummaryRequest) -> dict[str, object]:
    return request_body(ModelConfig(url="http://127.0.0.1:1/v1", model="m", api_key=None, timeout=1), request)


def test_standup_extractive_summary_escapes_people_s_text(db: Database, people: FakeDirectory) -> None:
    occurrence_id = closed_standup(db, people, LOCAL)
    with db.unit_of_work() as session:
        occurrence = session.get(StandupOccurrence, occurrence_id)
        assert occurrence is not None
        view = summary_of(session, occurrence)
        assert view.in_short is not None and view.in_short.source is Source.EXTRACTIVE
        assert "Waiting on final pricing" in view.in_short.sentences  # the blocker gets its turn
        text = str(build_summary_message(view)["blocks"])
        assert "*In short (extractive)*" in text and "<!channel>" not in text


def test_a_workspace_switched_off_gets_no_summary_and_nothing_is_asked(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        with pytest.raises(SummaryError, match="Only a workspace admin"):
            switch_summaries(session, team_id=TEAM, user_id="UPAT", argument="off", is_admin=False, now=BERLIN_0930)
        with pytest.raises(SummaryError, match="summaries on"):
            switch_summaries(session, team_id=TEAM, user_id="UADA", argument="maybe", is_admin=True, now=BERLIN_0930)
        assert (
            switch_summaries(session, team_id=TEAM, user_id="UADA", argument=" OFF ", is_admin=True, now=BERLIN_0930)
            is False
        )
        assert summaries_enabled(session, "T0OTHER") is True  # per workspace
    recorder = Recorder()
    occurrence_id = closed_standup(db, people, recorder)
    assert recorder.requests == []
    with db.unit_of_work() as session:
        occurrence = session.get(StandupOccurrence, occurrence_id)
        assert occurrence is not None and summary_of(session, occurrence).in_short is None
        assert switch_summaries(session, team_id=TEAM, user_id="UADA", argument="", is_admin=False, now=NOW) is False


def test_retro_themes_come_after_closing_without_any_author(sqlite_database_url: str) -> None:
    db = Database.from_url(sqlite_database_url)
    try:
        retro_id = start(db)
        add(db, retro_id, ALICE, "The pricing review went smoothly", prompt=0)
        add(db, retro_id, BOB, "Launch dates moved twice without telling marketing", prompt=1, anonymous=True)
        close(db, retro_id)
        with db.unit_of_work() as session:
            (schedule,) = session.scalars(select(Schedule).where(Schedule.kind == RetroJobKind.THEMES)).all()
            assert schedule.ref_id == str(retro_id) and schedule.next_run_at == NOW  # the next tick
            retro = get_retro(session, RETRO_TEAM, retro_id)
            request = themes_request(session, retro)
            assert {p.text for p in request.passages} == {
                "The pricing review went smoothly",
                "Launch dates moved twice without telling marketing",
            }
            assert ALICE not in str(request) and BOB not in str(request)
            assert retro_summary(session, retro).themes is None  # not before the job ran
            recorder = Recorder()
            write_themes(session, retro, recorder, NOW)
            write_themes(session, retro, recorder, NOW)  # once only
            assert len(recorder.requests) == 1
            results = build_retro_results(retro_summary(session, retro))
            assert "*Main themes*" in str(results["blocks"])
            update = session.scalars(select(OutboxMessage).where(OutboxMessage.key.like("%:summary:themes"))).one()
            assert update.method == "chat.update" and "Pricing blocks marketing." in str(update.args["blocks"])
    finally:
        db.dispose()


def test_digest_three_lines_come_from_what_it_shows_and_open_it() -> None:
    digest = digest_data.Digest(
        team_id=TEAM,
        start=NOW - timedelta(days=7),
        end=NOW,
        standups=digest_data.StandupSection(
            participation=(),
            blockers=(digest_data.Blocker("UPAT", "Daily", "Waiting on final pricing", NOW),),
            blockers_total=1,
            asks=(digest_data.Ask("UMAX", "UPAT", "Pricing by Wednesday?", NOW, "Daily"),),
            asks_total=1,
        ),
    )
    request = digest_data.three_lines_request(digest)
    assert request.passages == (
        Passage("Waiting on final pricing", "blocker"),
        Passage("Pricing by Wednesday?", "ask across teams"),
    )
    summary = LOCAL(request)
    assert summary is not None
    blocks = build_digest_message(digest_data.Digest(**{**digest.__dict__, "in_three_lines": summary}))["blocks"]
    assert "This week in three lines (extractive)" in blocks[2]["text"]["text"]  # right after the period
    assert "three lines" not in str(build_digest_message(digest)["blocks"])


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TANDEM_SUMMARY_URL": "ftp://x"}, "TANDEM_SUMMARY_URL: expected an http"),
        ({"TANDEM_SUMMARY_URL": "http://127.0.0.1:8080/v1/"}, "TANDEM_SUMMARY_MODEL: required"),
        (
            {"TANDEM_SUMMARY_URL": "http://x/v1", "TANDEM_SUMMARY_MODEL": "m", "TANDEM_SUMMARY_TIMEOUT": "0"},
            "TANDEM_SUMMARY_TIMEOUT",
        ),
    ],
)
def test_summary_settings_are_checked(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError, match=message):
        load_settings(None)


def test_summaries_are_off_by_default_and_the_url_is_normalised(monkeypatch: pytest.MonkeyPatch) -> None:
    base = {"slack_bot_token": "xoxb-test", "slack_signing_secret": "secret"}
    assert Settings(_env_file=None, **base).tandem_summary_url is None  # type: ignore[arg-type, call-arg]
    configured = Settings(  # type: ignore[call-arg]
        _env_file=None, tandem_summary_url="http://127.0.0.1:8080/v1/", tandem_summary_model="m",
        tandem_summary_api_key="sk-1", **base,  # type: ignore[arg-type]
    )  # fmt: skip
    assert configured.tandem_summary_url == "http://127.0.0.1:8080/v1"
    assert "sk-1" not in repr(configured)


def test_the_prepare_steps_read_what_to_summarise_only_while_there_is_something_to_do(
    db: Database, people: FakeDirectory
) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        prompt_for(session, standup, "UMAX", BERLIN_0930, tz="Europe/Berlin")
        occurrence = session.scalars(select(StandupOccurrence)).one()
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UMAX", occurrence_id=occurrence.id, answers=["Press kit", "Deck"],
            blocker="", ask_user=None, ask_text="", now=BERLIN_0930,
        )  # fmt: skip
        request = pending_in_short(session, team_id=TEAM, occurrence_id=occurrence.id)
        assert request is not None and [p.text for p in request.passages] == ["Press kit", "Deck"]
        assert pending_in_short(session, team_id="T0OTHER", occurrence_id=occurrence.id) is None  # tenancy
        # The close job hands over what was prepared; without it, the local summary of the same text.
        close_occurrence(
            session, team_id=TEAM, occurrence_id=occurrence.id, now=occurrence.closes_at, summarise=Prepared(None)
        )
        assert summary_of(session, occurrence).in_short == LOCAL(request)
        assert pending_in_short(session, team_id=TEAM, occurrence_id=occurrence.id) is None  # closed: nothing to do
    assert Prepared(MODEL_SAYS)(SummaryRequest("t", (Passage("anything"),))) == MODEL_SAYS


def test_retro_themes_are_prepared_once_and_not_when_switched_off(sqlite_database_url: str) -> None:
    db = Database.from_url(sqlite_database_url)
    try:
        retro_id = start(db)
        add(db, retro_id, ALICE, "The pricing review went smoothly")
        with db.unit_of_work() as session:
            assert pending_themes(session, get_retro(session, RETRO_TEAM, retro_id)) is None  # still open
        close(db, retro_id)
        with db.unit_of_work() as session:
            retro = get_retro(session, RETRO_TEAM, retro_id)
            assert pending_themes(session, retro) is not None
            switch_summaries(session, team_id=RETRO_TEAM, user_id="UADA", argument="off", is_admin=True, now=NOW)
            assert pending_themes(session, retro) is None
    finally:
        db.dispose()
