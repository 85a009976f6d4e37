"""Service-level tests on SQLite and PostgreSQL: full-text search, duplicates, +1, triage fan-out,
validation, list filters, export round-trip."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.insights import capture as capturing
from bot.insights import data, export, forms, listing, outbox, setup, triage
from bot.insights.data import CaptureContext, CaptureForm, InsightFilter
from bot.insights.directory import SlackDirectory
from bot.insights.ids import Block, Category, Impact, Source, Status
from bot.insights.models import Insight
from bot.insights.search import search_insight_ids
from bot.slack.delivery_models import OutboxMessage
from tests.insights.helpers import NOW

TEAM = "T0INSIGHTS"
OTHER = "T0OTHERORG"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    try:
        yield database
    finally:
        database.dispose()


def capture(session: Session, text: str, *, team: str = TEAM, user: str = "U0MIA", **fields: Any) -> Insight:
    clean, errors = forms.validate_capture(CaptureForm(text=text, **fields))
    assert clean is not None, errors
    return capturing.capture_insight(
        session, team_id=team, user_id=user, capture=clean, context=CaptureContext(), now=NOW
    )


def test_search_stems_ranks_and_stays_in_its_workspace(db: Database) -> None:
    with db.unit_of_work() as session:
        capture(session, "Pricing page is confusing for teams over 50 seats", customer="Globex")
        capture(session, "Onboarding emails arrive too late", customer="Initech")
        capture(session, "The price of the enterprise plan is confusing", team=OTHER)
        capture(session, "Wants SSO with Okta", customer="Confusing Corp")
    with db.unit_of_work() as session:
        found = search_insight_ids(session, TEAM, "prices confusing")
        texts = [session.get(Insight, i).text for i in found]  # type: ignore[union-attr]
        assert texts == ["Pricing page is confusing for teams over 50 seats"]  # stemmed, AND, one team
        assert len(search_insight_ids(session, TEAM, "confusing")) == 2  # the customer field counts too
        assert search_insight_ids(session, TEAM, "onboarding OR pricing") == []  # OR is a plain word
        either = search_insight_ids(session, TEAM, "onboarding pricing", any_term=True)
        assert len(either) == 2
        for hostile in ['"', 'pricing"*', "text:pricing", "NEAR(pricing", "a & b | !c", "(", "'; drop table", "**"]:
            search_insight_ids(session, TEAM, hostile)  # never a syntax error
        assert search_insight_ids(session, TEAM, "the of and") == []


def test_search_sees_edits_and_deletes(db: Database) -> None:
    with db.unit_of_work() as session:
        insight = capture(session, "Dark mode for the dashboard")
        insight_id = insight.id
    with db.unit_of_work() as session:
        session.get(Insight, insight_id).text = "Export to spreadsheet"  # type: ignore[union-attr]
    with db.unit_of_work() as session:
        assert search_insight_ids(session, TEAM, "dashboard") == []
        assert search_insight_ids(session, TEAM, "spreadsheet") == [insight_id]
        session.delete(session.get(Insight, insight_id))
    with db.unit_of_work() as session:
        assert search_insight_ids(session, TEAM, "spreadsheet") == []


def test_duplicates_are_offered_and_the_draft_keeps_every_field(db: Database) -> None:
    with db.unit_of_work() as session:
        capture(session, "Enterprise customers keep asking for Okta SSO")
        capture(session, "Customers love the new onboarding checklist")
    form = CaptureForm(
        text="Globex asked again for SSO through Okta",
        customer="Globex <!channel>",
        segment="Enterprise",
        source=Source.SALES_CALL,
        category=Category.CUSTOMER_NEEDS,
        impact=Impact.HIGH,
        evidence_url="https://crm.example.com/deal/42?x=1&y=2",
        new_tags="SSO, enterprise",
    )
    with db.unit_of_work() as session:
        outcome = capturing.submit_capture(
            session, team_id=TEAM, user_id="U0PAT", form=form, context=CaptureContext(), now=NOW
        )
        assert outcome.done is None and outcome.draft_id is not None
        assert [i.text for i in outcome.similar] == ["Enterprise customers keep asking for Okta SSO"]
        draft_id, similar_id = outcome.draft_id, outcome.similar[0].id
    with db.unit_of_work() as session:
        assert capturing.load_draft(session, TEAM, "U0PAT", draft_id)[0] == form
        with pytest.raises(data.DraftExpired):  # someone else's draft, or another workspace
            capturing.load_draft(session, OTHER, "U0PAT", draft_id)
        with pytest.raises(data.DraftExpired):
            capturing.load_draft(session, TEAM, "U0MIA", draft_id)
    with db.unit_of_work() as session:
        done = capturing.resolve_draft(
            session, team_id=TEAM, user_id="U0PAT", draft_id=draft_id, plus_one_of=similar_id, now=NOW
        )
        assert done.plus_one and done.insight.id == similar_id
        vote = done.insight.votes[0]
        assert (vote.user_id, vote.customer, vote.note) == ("U0PAT", "Globex <!channel>", form.text)
    with db.unit_of_work() as session, pytest.raises(data.DraftExpired):  # used up
        capturing.resolve_draft(session, team_id=TEAM, user_id="U0PAT", draft_id=draft_id, plus_one_of=None, now=NOW)


def test_unrelated_text_is_saved_without_an_offer(db: Database) -> None:
    with db.unit_of_work() as session:
        capture(session, "Enterprise customers keep asking for Okta SSO")
        outcome = capturing.submit_capture(
            session,
            team_id=TEAM,
            user_id="U0PAT",
            form=CaptureForm(text="Customers want a cheaper annual plan"),  # shares only "customers"
            context=CaptureContext(),
            now=NOW,
        )
        assert outcome.done is not None and not outcome.similar
        assert outcome.done.insight.number == 2


@pytest.mark.parametrize(
    ("form", "block", "fragment"),
    [
        (CaptureForm(text="   \n "), Block.TEXT, "can't be empty"),
        (CaptureForm(text="x" * 3001), Block.TEXT, "3,001 characters"),
        (CaptureForm(text="ok", customer="c" * 201), Block.CUSTOMER, "limit is 200"),
        (CaptureForm(text="ok", evidence_url="javascript:alert(1)"), Block.EVIDENCE, "https://"),
        (CaptureForm(text="ok", evidence_url="ftp://files.example.com/a"), Block.EVIDENCE, "https://"),
        (CaptureForm(text="ok", evidence_url="https://exa mple.com"), Block.EVIDENCE, "https://"),
        (CaptureForm(text="ok", evidence_url="https://x.com/<!channel>"), Block.EVIDENCE, "https://"),
        (CaptureForm(text="ok", evidence_url="https://nohost"), Block.EVIDENCE, "host name"),
        (CaptureForm(text="ok", source="carrier pigeon"), Block.SOURCE, "from the list"),
        (CaptureForm(text="ok", new_tags="t" * 41), Block.NEW_TAGS, "40 characters"),
        (CaptureForm(text="ok", new_tags=",".join(f"t{i}" for i in range(11))), Block.NEW_TAGS, "Up to 10"),
    ],
)
def test_bad_input_gets_an_error_on_its_field(form: CaptureForm, block: str, fragment: str) -> None:
    clean, errors = forms.validate_capture(form)
    assert clean is None
    assert fragment in errors[block]


def test_good_input_is_cleaned() -> None:
    clean, errors = forms.validate_capture(
        CaptureForm(text="  hi\x00 there \n", tags=["pricing"], new_tags=" #Pricing Page, pricing,  ,Ünïcode ")
    )
    assert not errors and clean is not None
    assert clean.text == "hi there"
    assert clean.tags == ["pricing", "pricing-page", "ünïcode"]


def _rows(session: Session, team_id: str = TEAM) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.team_id == team_id).order_by(OutboxMessage.id)
    return list(session.scalars(query))


class FakeSlack:
    """Just enough of WebClient for permission checks (users.info, usergroups.users.list) and for
    telling a customer's channel (conversations.info: ``external`` channels are Slack Connect)."""

    def __init__(
        self, admins: set[str], groups: dict[str, list[str]] | None = None, external: frozenset[str] = frozenset()
    ) -> None:
        self.admins = admins
        self.groups = groups or {}
        self.external = external

    def conversations_info(self, channel: str) -> dict[str, Any]:
        shared = channel in self.external
        return {"channel": {"id": channel, "is_shared": shared, "is_ext_shared": shared, "is_org_shared": False}}

    def users_info(self, user: str) -> dict[str, Any]:
        return {"user": {"id": user, "is_admin": user in self.admins, "real_name": user}}

    def usergroups_users_list(self, usergroup: str) -> dict[str, Any]:
        return {"users": self.groups.get(usergroup, [])}


def directory(fake: FakeSlack) -> SlackDirectory:
    """The app's Slack reads (``SlackDirectory``) over the fake client."""
    client: Any = fake
    return SlackDirectory(client, TEAM)


def test_triage_closes_the_loop_through_the_outbox(db: Database) -> None:
    from bot.slack import users

    users.clear_cache()
    slack = directory(FakeSlack(admins={"U0ADA"}, groups={"S0PRODUCT": ["U0MAX"]}, external=frozenset({"C0SHARED"})))
    with db.unit_of_work() as session:
        settings = setup.get_settings(session, TEAM, NOW)
        settings.channel_id = "C0INSIGHTS"
        clean, _ = forms.validate_capture(CaptureForm(text="Globex wants SSO", customer="Globex"))
        assert clean is not None
        insight = capturing.capture_insight(
            session,
            team_id=TEAM,
            user_id="U0MIA",
            capture=clean,
            context=CaptureContext(source_channel_id="C0SHARED", message_ts="1700000000.000100"),
            now=NOW,
        )
        capturing.add_plus_one(
            session, team_id=TEAM, insight_id=insight.id, user_id="U0PAT", customer="Initech", note="", now=NOW
        )
        insight_id = insight.id
    with db.unit_of_work() as session, pytest.raises(data.NotTriager, match="workspace admins"):
        triage.triage(
            session,
            slack,
            team_id=TEAM,
            insight_id=insight_id,
            user_id="U0PAT",
            status=Status.PLANNED,
            note="",
            roadmap_url="",
            now=NOW,
        )
    with db.unit_of_work() as session:
        outcome = triage.triage(
            session,
            slack,
            team_id=TEAM,
            insight_id=insight_id,
            user_id="U0ADA",
            status=Status.PLANNED,
            note="Q1 <!here>",
            roadmap_url="https://roadmap.example.com/sso",
            now=NOW + timedelta(hours=1),
        )
        assert outcome.change is not None
        rows = {row.key: row for row in _rows(session)}
        change = outcome.change.id
        assert set(rows) == {
            f"insight:{insight_id}:post",
            f"insight:{insight_id}:update:1",  # the +1
            f"insight:{insight_id}:update:2",  # the triage
            f"insight:{insight_id}:change:{change}:dm:U0MIA",
            f"insight:{insight_id}:change:{change}:dm:U0PAT",
        }  # and nothing in the customer's channel: it is shared with their organisation
        assert outcome.customer_channel == "C0SHARED"
        preview = outbox.thread_reply_preview(outcome.insight, outcome.change)
    # The triager chose to tell them, having seen the text: exactly that reply, recorded.
    with db.unit_of_work() as session, pytest.raises(data.NotTriager):
        triage.reply_in_customer_thread(
            session, slack, team_id=TEAM, insight_id=insight_id, change_id=change, user_id="U0PAT", now=NOW
        )
    for _twice in range(2):
        with db.unit_of_work() as session:
            chosen = triage.reply_in_customer_thread(
                session,
                slack,
                team_id=TEAM,
                insight_id=insight_id,
                change_id=change,
                user_id="U0ADA",
                now=NOW + timedelta(hours=2),
            )
            assert (chosen.thread_reply_by, chosen.thread_reply_at) == ("U0ADA", NOW + timedelta(hours=2))
    with db.unit_of_work() as session:
        threads = [r for r in _rows(session) if r.key.endswith(":thread")]
        assert [r.key for r in threads] == [f"insight:{insight_id}:change:{change}:thread"]
        thread = threads[0].args
        assert threads[0].allow_external is True
        assert thread["channel"] == "C0SHARED" and thread["thread_ts"] == "1700000000.000100"
        assert thread["text"] == preview["text"] and "Planned" in thread["text"]
        assert "Globex" not in json.dumps(thread) and "Q1" not in json.dumps(thread)
    with db.unit_of_work() as session:
        rows = {row.key: row for row in _rows(session)}
        dm = json.dumps(rows[f"insight:{insight_id}:change:{change}:dm:U0MIA"].args)
        assert "Planned" in dm and "Q1 &lt;!here&gt;" in dm and "<!here>" not in dm
        update = rows[f"insight:{insight_id}:update:2"].args
        assert update["ts"] == {"$result": f"insight:{insight_id}:post", "field": "ts"}
    # Same status again: no second fan-out. A configured group replaces "admins".
    with db.unit_of_work() as session:
        settings = setup.get_settings(session, TEAM, NOW)
        settings.triager_usergroup_id = "S0PRODUCT"
        settings.notify_plus_ones = False
        settings.notify_thread = False
    with db.unit_of_work() as session:
        with pytest.raises(data.NotTriager):
            setup.check_triager(session, slack, TEAM, "U0ADA", NOW)
        again = triage.triage(
            session,
            slack,
            team_id=TEAM,
            insight_id=insight_id,
            user_id="U0MAX",
            status=Status.PLANNED,
            note="still Q1",
            roadmap_url="",
            now=NOW,
        )
        assert again.change is None
        shipped = triage.triage(
            session,
            slack,
            team_id=TEAM,
            insight_id=insight_id,
            user_id="U0MAX",
            status=Status.SHIPPED,
            note="",
            roadmap_url="",
            now=NOW,
        )
        assert shipped.change is not None
        keys = [r.key for r in _rows(session) if f":change:{shipped.change.id}:" in r.key]
        assert keys == [f"insight:{insight_id}:change:{shipped.change.id}:dm:U0MIA"]  # submitter only


def test_an_internal_source_thread_hears_by_default(db: Database) -> None:
    from bot.slack import users

    users.clear_cache()
    slack = directory(FakeSlack(admins={"U0ADA"}, external=frozenset({"C0SHARED"})))
    with db.unit_of_work() as session:
        clean, _ = forms.validate_capture(CaptureForm(text="Sales wants SSO"))
        assert clean is not None
        context = CaptureContext(source_channel_id="C0SALES", message_ts="1700000000.000200")
        insight = capturing.capture_insight(
            session, team_id=TEAM, user_id="U0MIA", capture=clean, context=context, now=NOW
        )
        target = triage.triage_target(session, slack, TEAM, "U0ADA", insight.id, NOW)
        assert target.customer_channel is None  # nothing to offer: the default reply goes
        outcome = triage.triage(
            session,
            slack,
            team_id=TEAM,
            insight_id=insight.id,
            user_id="U0ADA",
            status=Status.ACKNOWLEDGED,
            note="",
            roadmap_url="",
            now=NOW,
        )
        assert outcome.change is not None and outcome.customer_channel is None
        thread = [r for r in _rows(session) if r.key.endswith(":thread")]
        assert len(thread) == 1 and thread[0].args["channel"] == "C0SALES" and thread[0].allow_external is False
        assert outcome.change.thread_reply_by is None  # nobody had to choose


def test_list_filters_and_pages(db: Database) -> None:
    with db.unit_of_work() as session:
        for n in range(12):
            capture(
                session,
                f"Insight number {n} about pricing" if n % 2 else f"Insight number {n} about onboarding",
                user="U0PAT" if n < 3 else "U0MIA",
                category=Category.PRICING if n % 2 else None,
                new_tags="q4" if n % 3 == 0 else "",
            )
        capture(session, "Other workspace pricing", team=OTHER)
    with db.unit_of_work() as session:
        every = listing.list_insights(session, TEAM, "U0PAT", InsightFilter("all"))
        assert (every.total, every.pages, len(every.cards), every.has_next) == (12, 3, 5, True)
        assert every.cards[0].number == 12  # newest first
        last = listing.list_insights(session, TEAM, "U0PAT", InsightFilter("all"), page=3)
        assert [c.number for c in last.cards] == [2, 1] and not last.has_next
        assert listing.list_insights(session, TEAM, "U0PAT", forms.parse_filter("mine")).total == 3
        assert listing.list_insights(session, TEAM, "U0PAT", forms.parse_filter("pricing")).total == 6
        assert listing.list_insights(session, TEAM, "U0PAT", forms.parse_filter("#Q4")).total == 4
        assert listing.list_insights(session, TEAM, "U0PAT", forms.parse_filter("new")).total == 12
        assert listing.list_insights(session, TEAM, "U0PAT", forms.parse_filter("won't do")).total == 0
        found = listing.list_insights(session, TEAM, "U0PAT", InsightFilter("search", "pricing"))
        assert found.total == 6 and found.pages == 2


def test_parse_filter_vocabulary() -> None:
    assert forms.parse_filter("") == InsightFilter("all")
    assert forms.parse_filter("Mine") == InsightFilter("mine")
    assert forms.parse_filter("wont_do") == InsightFilter("status", "wont_do")
    assert forms.parse_filter("Won't do") == InsightFilter("status", "wont_do")
    assert forms.parse_filter("competitive") == InsightFilter("category", "competitive")
    assert forms.parse_filter("Market positioning") == InsightFilter("category", "positioning")
    assert forms.parse_filter("#Beta Users") == InsightFilter("tag", "beta-users")


HOSTILE = 'He said "no, never",\r\nthen: <!channel> <@U123> *bold* =SUM(A1) ; ünïcödé 🚀\ttab'


def test_export_round_trips_every_field(db: Database) -> None:
    from bot.slack import users

    users.clear_cache()
    with db.unit_of_work() as session:
        insight = capture(
            session,
            HOSTILE,
            customer='Globex, "Inc"',
            segment="SMB\nEU",
            source=Source.SOCIAL,
            category=Category.COMPETITIVE,
            impact=Impact.CRITICAL,
            evidence_url="https://example.com/a?b=1&c=%22",
            new_tags="alpha, beta",
        )
        capture(session, "second one", team=OTHER)
        capturing.add_plus_one(
            session, team_id=TEAM, insight_id=insight.id, user_id="U0PAT", customer="Acme", note=HOSTILE, now=NOW
        )
        triage.triage(
            session,
            directory(FakeSlack(admins={"U0ADA"})),
            team_id=TEAM,
            insight_id=insight.id,
            user_id="U0ADA",  # type: ignore[arg-type]
            status=Status.WONT_DO,
            note=HOSTILE,
            roadmap_url="https://r.example.com/x",
            now=NOW,
        )
    with db.unit_of_work() as session:
        records = list(export.insight_records(session, TEAM))
        assert len(records) == 1 and set(records[0]) == set(export.FIELDS)
        out = io.StringIO(newline="")
        assert export.write_export(session, out, "csv", TEAM) == 1
        text = out.getvalue()
        assert text.startswith(",".join(export.FIELDS) + "\r\n")
        back = [export.from_csv_row(row) for row in csv.DictReader(io.StringIO(text, newline=""))]
        assert back == records
        assert back[0]["text"] == HOSTILE and back[0]["tags"] == ["alpha", "beta"]
        assert back[0]["status_history"][0]["to"] == "wont_do"
        as_json = io.StringIO()
        export.write_export(session, as_json, "json", None)
        everyone = json.loads(as_json.getvalue())
        assert len(everyone) == 2 and everyone[[r["team_id"] for r in everyone].index(TEAM)] == records[0]
        empty = io.StringIO()
        assert export.write_export(session, empty, "json", "T0NOBODY") == 0 and json.loads(empty.getvalue()) == []
