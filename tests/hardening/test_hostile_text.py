"""Hostile text (issue "Prove it…", item 3): everything people type and the bot re-posts is
escaped per Slack's rules, so it can never ping (``<!channel>``, ``<!here>``, ``<!subteam^…>``,
``<@U…>``) nor forge a link; every slash command argument and every text input of every modal is
fuzzed with hypothesis (unicode, empty, exactly-max and max+1, control characters, hostile
mrkdwn) and answered with a clear error or a correct result — never a crash, never a lost record.

Per example: the ack is 200; a modal submission either names a block of the modal in
``response_action: errors`` or its record holds the text exactly (documented normalisation:
control characters other than tab/newline/CR dropped, ends stripped); nothing was logged at
ERROR (Bolt's and our ``@app.error`` handler log there); and every mrkdwn string the bot sent to
Slack since the input passes :class:`tests.hardening.hostile.Checker`.

In-process bot on SQLite; examples are derandomized so CI sees the same inputs every run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import text as sql

from bot.insights.ids import Action as InsightAction
from bot.insights.ids import Block as InsightBlock
from bot.insights.ids import Callback as InsightCallback
from bot.playground.signed_requests import Ack
from bot.playground.workspace_state import ViewRecord
from bot.slack.drainer import drain
from bot.standup.forms import parse_questions
from bot.standup.ids import Action as StandupAction
from bot.standup.ids import Block as StandupBlock
from bot.standup.ids import Callback as StandupCallback
from tests.hardening.hostile import (
    SLACK_INPUT_MAX,
    Checker,
    TrackingExecutor,
    command_argument,
    hostile_text,
    soup,
    track_listeners,
)
from tests.support.fixtures import BotUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

NOW = "2026-11-23T15:00:00Z"  # a Monday
CHANNEL = "product-marketing"

FUZZ = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ------------------------------------------------------------------------------------ the harness


@dataclass
class Hostile:
    """The in-process bot plus what the fuzz loop needs: settle, check, read the database."""

    bot: BotUnderTest
    listeners: TrackingExecutor
    checker: Checker
    caplog: pytest.LogCaptureFixture

    def start(self) -> None:
        self.settle()
        em = self.bot.emulator
        for user_id in list(em.workspace.users):  # a modal left open by an error: the person closes it
            while (top := em.open_modal(user_id)) is not None:
                em.close_modal(top.id)
        self.checker.mark()
        self.caplog.clear()

    def settle(self) -> None:
        """Every listener done and the outbox sent (sends may run result hooks: loop once more)."""
        for _ in range(3):
            self.listeners.wait_idle()
            drain(self.bot.services)
        self.listeners.wait_idle()

    def finish(self, context: str) -> None:
        self.settle()
        errors = [r for r in self.caplog.records if r.levelno >= logging.ERROR]
        assert not errors, f"{context}: logged at ERROR: " + "; ".join(
            f"{r.name}: {r.getMessage()} {r.exc_text or ''}"[:600] for r in errors
        )
        failed = [c for c in self.bot.emulator.calls()[self.checker.start :] if c.status >= 500]
        assert not failed, f"{context}: {failed[:3]}"
        self.checker.assert_clean(context)

    def ack(self, ack: Ack, context: str) -> Ack:
        assert ack.status == 200, f"{context}: ack {ack.status} {ack.body[:300]}"
        self.checker.ack(ack.json)
        return ack

    def rows(self, query: str, **params: Any) -> list[Any]:
        with self.bot.services.db.engine.connect() as connection:
            return list(connection.execute(sql(query), params))


@pytest.fixture
def hostile(inproc_bot: BotUnderTest, caplog: pytest.LogCaptureFixture) -> Iterator[Hostile]:
    caplog.set_level(logging.WARNING)
    inproc_bot.set_now(NOW)
    yield Hostile(inproc_bot, track_listeners(inproc_bot.app), Checker(inproc_bot.emulator), caplog)


def max_length(view: ViewRecord, block_id: str) -> int:
    """The limit the modal declares for a text input (Slack's 3000 when it declares none)."""
    for block in view.blocks:
        if block.get("block_id") == block_id:
            return int(block["element"].get("max_length") or SLACK_INPUT_MAX)
    raise KeyError(f"no block {block_id!r} in {view.callback_id}")


def fuzz_inputs(
    data: st.DataObject, view: ViewRecord, blocks: Sequence[str], caps: dict[str, int] | None = None
) -> dict[str, str]:
    """One input (drawn) gets the wild strategy at the modal's declared limit; the others get
    acceptable hostile text (``soup``), capped by ``caps`` where the service's limit is tighter."""
    wild = data.draw(st.sampled_from(blocks), label="wild input")
    caps = caps or {}
    return {
        b: data.draw(
            hostile_text(max_length(view, b)) if b == wild else soup(min(max_length(view, b), caps.get(b, 3000))),
            label=b,
        )
        for b in blocks
    }


def text_inputs(view: ViewRecord) -> list[str]:
    return [
        b["block_id"]
        for b in view.blocks
        if b.get("type") == "input" and (b.get("element") or {}).get("type") == "plain_text_input"
    ]


def input_blocks(view: ViewRecord) -> set[str]:
    return {b["block_id"] for b in view.blocks if b.get("type") == "input"}


def assert_clear_error(ack: Ack, view: ViewRecord, context: str) -> None:
    event(f"{view.callback_id}: clear error on {', '.join(sorted(ack.errors))}")
    assert ack.errors, context
    assert set(ack.errors) <= input_blocks(view), f"{context}: errors name no input block: {ack.errors}"
    assert all(isinstance(m, str) and m.strip() for m in ack.errors.values()), f"{context}: {ack.errors}"


def clean(value: str) -> str:
    """The documented normalisation of free text (``bot.slack.text.clean_text``): control
    characters other than tab, newline and carriage return dropped, ends stripped."""
    from bot.slack.text import clean_text

    return clean_text(value)


# ------------------------------------------------------------------------------------ commands

SUBCOMMANDS = {
    "/standup": ("", "new", "list", "edit", "pause", "resume", "delete", "now", "skip", "skip until", "help"),
    "/retro": ("", "new", "list", "close", "help"),
    "/insight": ("", "new", "list", "search", "setup", "help"),
    "/digest": ("", "setup", "preview", "now", "help"),
    "/goal": ("", "new", "list", "edit", "pause", "resume", "close", "delete", "help"),
    "/launch": ("", "new", "list", "edit", "cancel", "help"),
}


ECHO = "<!channel> <@U0PAT> <https://evil.example|click me> &lt;!here&gt; R&D *bold*"


@pytest.mark.parametrize(
    ("command", "text"),
    [(c, f"{sub} {ECHO}".strip()) for c in sorted(SUBCOMMANDS) for sub in SUBCOMMANDS[c]]
    + [("/standup", f"pause {ECHO} " + "long " * 40), ("/standup", "skip until <!here>")],
)
def test_command_echoes_are_escaped(hostile: Hostile, command: str, text: str) -> None:
    """The same hostile argument to every subcommand, with a stand-up and a retro existing (so
    "not found" answers list names and echo the argument)."""
    pat = hostile.bot.user("pat")
    assert not set_up_standup(hostile, "Launch <!here> sync").errors
    open_retro(hostile)
    hostile.start()
    ack = hostile.ack(pat.command(command, text, channel=CHANNEL), f"{command} {text}")
    hostile.settle()
    hostile.finish(f"{command} {text!r}")
    assert ack.status == 200


@FUZZ
@given(data=st.data())
@pytest.mark.parametrize("command", sorted(SUBCOMMANDS))
def test_every_command_answers_hostile_arguments(hostile: Hostile, command: str, data: st.DataObject) -> None:
    pat = hostile.bot.user("pat")
    sub = data.draw(st.sampled_from(SUBCOMMANDS[command]), label="subcommand")
    argument = data.draw(command_argument(), label="argument")
    text = f"{sub} {argument}" if sub else argument
    event(f"{command} {sub or '(bare)'}")
    context = f"{command} {text!r}"
    if not hostile.rows("SELECT id FROM standups"):  # so "not found" answers list what exists
        assert not set_up_standup(hostile, "Launch sync *now*").errors
        open_retro(hostile)
    hostile.start()
    ack = hostile.ack(pat.command(command, text, channel=CHANNEL), context)
    hostile.settle()
    answered = hostile.bot.emulator.calls()[hostile.checker.start :]
    assert ack.text or any(
        c.method in ("views.open", "response_url", "chat.postEphemeral", "chat.postMessage") for c in answered
    ), f"{context}: no answer at all"
    hostile.finish(context)


# ------------------------------------------------------------------------------------ stand-ups


def set_up_standup(h: Hostile, name: str) -> Ack:
    ws = h.bot.emulator.workspace
    pat = h.bot.user("pat")
    pat.command("/standup", "", channel=CHANNEL)
    view = pat.modal(callback_id=StandupCallback.SETUP)
    ack = pat.submit(
        {
            StandupBlock.NAME: name,
            StandupBlock.CHANNEL: ws.channel_id(CHANNEL),
            StandupBlock.PEOPLE_PRODUCT: [pat.id],
            StandupBlock.PEOPLE_MARKETING: [ws.user_id("asha")],
        },
        view=view,
    )
    h.settle()  # the stand-up is saved after the ack
    return ack


def saved(what: str) -> None:
    event(f"{what}: saved")


def latest(h: Hostile, query: str, **params: Any) -> Any:
    rows = h.rows(query + " ORDER BY id DESC LIMIT 1", **params)
    return rows[0] if rows else None


@FUZZ
@given(data=st.data())
def test_standup_setup_modal_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h, ws = hostile, hostile.bot.emulator.workspace
    pat = h.bot.user("pat")
    h.start()
    h.ack(pat.command("/standup", "", channel=CHANNEL), "/standup")
    view = pat.modal(callback_id=StandupCallback.SETUP)
    blocks = [
        StandupBlock.NAME,
        StandupBlock.QUESTIONS,
        StandupBlock.QUESTIONS_MARKETING,
        StandupBlock.BLOCKER_QUESTION,
    ]
    typed = fuzz_inputs(data, view, blocks, {StandupBlock.QUESTIONS: 150, StandupBlock.QUESTIONS_MARKETING: 150})
    assert set(typed) <= set(text_inputs(view))
    context = f"standup setup {typed!r}"
    before = latest(h, "SELECT id FROM standups WHERE team_id = :t", t=ws.team_id)
    ack = h.ack(
        pat.submit(
            {
                **typed,
                StandupBlock.CHANNEL: ws.channel_id(CHANNEL),
                StandupBlock.PEOPLE_PRODUCT: [pat.id],
                StandupBlock.PEOPLE_MARKETING: [ws.user_id("asha")],
            },
            view=view,
        ),
        context,
    )
    h.settle()
    row = latest(h, "SELECT id, name, questions, blocker_question FROM standups WHERE team_id = :t", t=ws.team_id)
    if ack.errors:
        assert_clear_error(ack, view, context)
        assert row == before or (row is not None and before is not None and row[0] == before[0]), context
    else:
        saved("standup setup")

        assert row is not None and (before is None or row[0] != before[0]), f"{context}: no record"
        assert row[1] == clean(typed[StandupBlock.NAME]), context
        questions = row[2] if isinstance(row[2], dict) else __import__("json").loads(row[2])
        assert questions["all"] == parse_questions(clean(typed[StandupBlock.QUESTIONS])), context
        assert questions.get("marketing", []) == parse_questions(clean(typed[StandupBlock.QUESTIONS_MARKETING]))
        assert row[3] == clean(typed[StandupBlock.BLOCKER_QUESTION]), context
        # Its name in the parent message, the prompts and the confirmation: escaped.
        started = h.ack(pat.command("/standup", f"now {row[1]}", channel=CHANNEL), context)
        h.settle()
        if row[1].isascii():  # SQLite's lower() folds ASCII only (see the report)
            said = " ".join(str(p.get("text")) for p in h.bot.emulator.response_posts(started.response_url))
            assert "Started:" in said, f"{context}: {said}"
    h.finish(context)


@FUZZ
@given(data=st.data())
def test_standup_answer_modal_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h, ws = hostile, hostile.bot.emulator.workspace
    pat, asha = h.bot.user("pat"), h.bot.user("asha")
    if not h.rows("SELECT id FROM standups WHERE team_id = :t", t=ws.team_id):
        assert not set_up_standup(h, "Hostile sync").errors
        h.ack(pat.command("/standup", "now Hostile sync", channel=CHANNEL), "now")
        h.settle()
    h.start()
    prompt = next(m for m in pat.dms if "Answer stand-up" in str(m.blocks))
    h.ack(pat.click(StandupAction.OPEN_ANSWER, message=prompt), "open answer")
    view = pat.modal(callback_id=StandupCallback.ANSWER)
    answers = [b for b in text_inputs(view) if b.startswith(StandupBlock.ANSWER_PREFIX)]
    typed = fuzz_inputs(data, view, [*answers, StandupBlock.BLOCKER, StandupBlock.ASK_TEXT])
    ask = typed.pop(StandupBlock.ASK_TEXT)
    asked = data.draw(st.booleans(), label="ask asha")
    context = f"standup answer {typed!r} ask {ask!r} to asha={asked}"
    ack = h.ack(
        pat.submit({**typed, StandupBlock.ASK_TEXT: ask, StandupBlock.ASK_USER: asha.id if asked else None}, view=view),
        context,
    )
    h.settle()
    if ack.errors:
        assert_clear_error(ack, view, context)
    else:
        assert ack.response_action is None, f"{context}: {ack.body[:300]}"
        saved("standup answer")
        row = latest(h, "SELECT id, responses, blocker FROM standup_answers WHERE user_id = :u", u=pat.id)
        assert row is not None, f"{context}: no answer stored"
        responses = row[1] if isinstance(row[1], list) else __import__("json").loads(row[1])
        assert [r["answer"] for r in responses] == [clean(typed[b]) for b in answers], context
        assert row[2] == clean(typed[StandupBlock.BLOCKER]), context
        stored_ask = latest(h, "SELECT text FROM standup_asks WHERE answer_id = :a", a=row[0])
        if asked:
            assert stored_ask is not None and stored_ask[0] == clean(ask), context
    h.finish(context)


# ------------------------------------------------------------------------------------ insights

EVIDENCE = st.sampled_from(
    (
        "",
        "https://ok.example/call/42",
        "https://evil.example/?q=<!channel>",
        "https://evil.example|click me",
        "javascript:alert(1)",
        "https://ok.example/a&b=<@U0PAT>",
        "http://x",
        "https://ok.example/" + "p" * 3000,
    )
)


def insights_ready(h: Hostile) -> str:
    from tests.hardening.helpers import set_up_insights

    ws = h.bot.emulator.workspace
    if "customer-insights" in {c.name for c in ws.channels.values()}:
        return ws.channel_id("customer-insights")
    channel = set_up_insights(h.bot)
    h.settle()
    return channel


def capture(h: Hostile, data: st.DataObject) -> tuple[Ack, dict[str, str], str]:
    """``/insight <hostile>`` then the capture modal filled with hostile text; saved as new even
    when similar insights are offered. Returns (final ack, typed values, evidence)."""
    pat = h.bot.user("pat")
    argument = data.draw(soup(200), label="/insight argument")
    h.ack(pat.command("/insight", argument, channel=CHANNEL), f"/insight {argument!r}")
    view = pat.modal(callback_id=InsightCallback.CAPTURE)
    blocks = [InsightBlock.TEXT, InsightBlock.CUSTOMER, InsightBlock.SEGMENT, InsightBlock.NEW_TAGS]
    assert set(blocks) <= set(text_inputs(view))
    typed = fuzz_inputs(data, view, blocks)
    evidence = data.draw(EVIDENCE, label="evidence")
    context = f"insight capture {typed!r} evidence {evidence!r}"
    ack = h.ack(pat.submit({**typed, InsightBlock.EVIDENCE: evidence or None}, view=view), context)
    if ack.errors:
        assert_clear_error(ack, view, context)
        return ack, typed, evidence
    if (ack.json or {}).get("view", {}).get("callback_id") == InsightCallback.DUPLICATES:
        event("insight capture: similar insights offered")
        choice = pat.modal(callback_id=InsightCallback.DUPLICATES)
        ack = h.ack(pat.submit({InsightBlock.CHOICE: "new"}, view=choice), context)
    assert ack.response_action == "update" and not ack.errors, f"{context}: {ack.body[:300]}"
    return ack, typed, evidence


@FUZZ
@given(data=st.data())
def test_insight_capture_modal_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h, ws = hostile, hostile.bot.emulator.workspace
    insights_ready(h)
    h.start()
    before = latest(h, "SELECT id FROM insights WHERE team_id = :t", t=ws.team_id)
    ack, typed, evidence = capture(h, data)
    context = f"insight capture {typed!r} evidence {evidence!r}"
    h.settle()
    row = latest(h, "SELECT id, text, customer, segment, evidence_url FROM insights WHERE team_id = :t", t=ws.team_id)
    last = row[0] if row else None
    if ack.errors:
        assert last == (before[0] if before else None), f"{context}: saved despite errors"
    else:
        saved("insight capture")
        assert last is not None and (before is None or last != before[0]), f"{context}: no record"
        assert (row[1], row[2], row[3], row[4]) == (
            clean(typed[InsightBlock.TEXT]),
            clean(typed[InsightBlock.CUSTOMER]),
            clean(typed[InsightBlock.SEGMENT]),
            clean(evidence),
        ), context
    h.finish(context)


@FUZZ
@given(data=st.data())
def test_insight_plus_one_and_triage_modals_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h, ws = hostile, hostile.bot.emulator.workspace
    channel = insights_ready(h)
    if not h.rows("SELECT id FROM insights WHERE team_id = :t AND channel_id != ''", t=ws.team_id):
        pat = h.bot.user("pat")
        pat.command("/insight", "Customers want SSO <!channel>", channel=CHANNEL)
        assert pat.submit(view=pat.modal(callback_id=InsightCallback.CAPTURE)).response_action == "update"
        h.settle()
    posted = h.bot.emulator.messages_in(channel)[-1]
    h.start()
    who = h.bot.user(data.draw(st.sampled_from(("max", "asha", "mia")), label="who"))
    h.ack(who.click(InsightAction.HEARD_TOO, message=posted), "+1 click")
    view = who.modal(callback_id=InsightCallback.PLUS_ONE)
    typed = fuzz_inputs(data, view, [InsightBlock.CUSTOMER, InsightBlock.NOTE])
    context = f"+1 {typed!r}"
    previous = latest(h, "SELECT customer, note FROM insight_votes WHERE user_id = :u", u=who.id) or ("", "")
    ack = h.ack(who.submit(typed, view=view), context)
    h.settle()
    if ack.errors:
        assert_clear_error(ack, view, context)
    else:
        saved("insight +1")
        vote = latest(h, "SELECT customer, note FROM insight_votes WHERE user_id = :u", u=who.id)
        # A second +1 by the same person updates the first; an input left empty keeps its earlier
        # value (the modal does not show it again), documented in service.add_plus_one.
        customer, note = clean(typed[InsightBlock.CUSTOMER]), clean(typed[InsightBlock.NOTE])
        assert vote is not None and tuple(vote) == (customer or previous[0], note or previous[1]), context
    # Triage by an admin (ada): the note goes to the insight message and the status DMs.
    ada = h.bot.user("ada")
    h.ack(ada.click(InsightAction.TRIAGE, message=h.bot.emulator.messages_in(channel)[-1]), "triage click")
    view = ada.modal(callback_id=InsightCallback.TRIAGE)
    note = data.draw(hostile_text(max_length(view, InsightBlock.NOTE)), label="triage note")
    roadmap = data.draw(EVIDENCE, label="roadmap")
    status = data.draw(st.sampled_from(("acknowledged", "planned", "shipped", "wont_do", "new")), label="status")
    context += f" triage {note!r} {roadmap!r} {status}"
    ack = h.ack(
        ada.submit({InsightBlock.NOTE: note, InsightBlock.ROADMAP: roadmap or None, InsightBlock.STATUS: status},
                   view=view),
        context,
    )  # fmt: skip
    h.settle()
    if ack.errors:
        assert_clear_error(ack, view, context)
    else:
        saved("insight triage")
        row = latest(h, "SELECT status, status_note, roadmap_url FROM insights WHERE team_id = :t", t=ws.team_id)
        assert tuple(row) == (status, clean(note), clean(roadmap)), context
    h.finish(context)


# ------------------------------------------------------------------------------------ digest


@FUZZ
@given(data=st.data())
def test_digest_setup_modal_with_hostile_time_zone(hostile: Hostile, data: st.DataObject) -> None:
    from bot.digest.ids import Block as DigestBlock
    from bot.digest.ids import Callback as DigestCallback

    h, ws = hostile, hostile.bot.emulator.workspace
    mia = h.bot.user("mia")
    h.start()
    h.ack(mia.command("/digest", "setup", channel=CHANNEL), "/digest setup")
    view = mia.modal(callback_id=DigestCallback.SETUP)
    limit = max_length(view, DigestBlock.TIMEZONE)
    zone = data.draw(
        hostile_text(limit) | st.sampled_from(("Europe/Berlin", " America/New_York ", "Europe/Berlin\x00", "UTC")),
        label="time zone",
    )
    context = f"digest setup zone {zone!r}"
    ack = h.ack(mia.submit({DigestBlock.TIMEZONE: zone}, view=view), context)
    h.settle()
    if ack.errors:
        assert_clear_error(ack, view, context)
    else:
        saved("digest setup")
        row = latest(h, "SELECT timezone FROM digests WHERE team_id = :t", t=ws.team_id)
        assert row is not None and row[0] == zone.strip(), context
    h.finish(context)


# ------------------------------------------------------------------------------------ retros


def retro_setup_values(title: str, **more: Any) -> dict[str, Any]:
    return {"retro_title": title, "retro_collect": "1", **more}


@FUZZ
@given(data=st.data())
def test_retro_setup_modal_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h, ws = hostile, hostile.bot.emulator.workspace
    mia = h.bot.user("mia")
    h.start()
    h.ack(mia.command("/retro", "", channel=CHANNEL), "/retro")
    view = mia.modal(callback_id="retro_setup")
    typed = fuzz_inputs(data, view, ["retro_title", "retro_prompts"], {"retro_title": 80, "retro_prompts": 150})
    context = f"retro setup {typed!r}"
    ack = h.ack(mia.submit(retro_setup_values(typed["retro_title"], retro_template="custom",
                                              retro_prompts=typed["retro_prompts"]), view=view), context)  # fmt: skip
    h.settle()
    if ack.errors:
        assert_clear_error(ack, view, context)
    else:
        saved("retro setup")
        row = latest(h, "SELECT title FROM retro_series WHERE team_id = :t", t=ws.team_id)
        assert row is not None and row[0] == clean(typed["retro_title"]), context
    h.finish(context)


def open_retro(h: Hostile) -> Any:
    if not h.rows("SELECT id FROM retros WHERE status = 'open'"):
        mia = h.bot.user("mia")
        mia.command("/retro", "", channel=CHANNEL)
        ack = mia.submit(retro_setup_values("Hostile review"), view=mia.modal(callback_id="retro_setup"))
        assert not ack.errors, ack.body
        h.settle()
    return next(m for m in reversed(h.bot.emulator.messages_in(CHANNEL)) if "Add item" in str(m.blocks))


@FUZZ
@given(data=st.data())
def test_retro_item_modal_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h = hostile
    message = open_retro(h)
    h.start()
    who = h.bot.user(data.draw(st.sampled_from(("pat", "asha")), label="who"))
    h.ack(who.click("retro_add_item", message=message), "add item")
    view = who.modal(callback_id="retro_add_item")
    text = data.draw(hostile_text(max_length(view, "retro_item_text")) | soup(1000), label="item")
    context = f"retro item {text!r}"
    before = latest(h, "SELECT id FROM retro_items")
    ack = h.ack(who.submit({"retro_item_text": text}, view=view), context)
    h.settle()
    row = latest(h, "SELECT id, text FROM retro_items")
    if ack.errors:
        assert_clear_error(ack, view, context)
    else:
        saved("retro item")
        assert row is not None and row != before and row[1] == clean(text), context
    h.finish(context)


@FUZZ
@given(data=st.data())
def test_retro_action_item_modal_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h, ws = hostile, hostile.bot.emulator.workspace
    mia = h.bot.user("mia")
    if not h.rows("SELECT id FROM retros WHERE status = 'closed'"):
        message = open_retro(h)
        pat = h.bot.user("pat")
        pat.click("retro_add_item", message=message)
        pat.submit({"retro_item_text": "We plan <!here> launches apart"}, view=pat.modal(callback_id="retro_add_item"))
        h.settle()
        h.ack(mia.command("/retro", "close Hostile review", channel=CHANNEL), "close")
        h.settle()
    summary = next(
        m for channel in (CHANNEL,) for top in h.bot.emulator.messages_in(channel) for m in [top, *top.replies]
        if "retro_add_action_item" in str(m.blocks)
    )  # fmt: skip
    h.start()
    h.ack(mia.click("retro_add_action_item", message=summary), "add action item")
    view = mia.modal(callback_id="retro_action_item")
    text = data.draw(hostile_text(max_length(view, "retro_action_text")) | soup(300), label="action")
    context = f"retro action item {text!r}"
    ack = h.ack(
        mia.submit(
            {"retro_action_text": text, "retro_action_owner": ws.user_id("asha"), "retro_action_due": "2026-12-01"},
            view=view,
        ),
        context,
    )  # fmt: skip
    h.settle()
    if ack.errors:
        assert_clear_error(ack, view, context)
    else:
        saved("retro action item")
        row = latest(h, "SELECT text FROM retro_action_items")
        assert row is not None and row[0] == clean(text), context
    h.finish(context)


# ------------------------------------------------------------------------------------ re-posted elsewhere

PAYLOAD = "<!channel> <!subteam^S0PRODUCT> <@U0PAT> <https://evil.example|click me> &lt;!here&gt; R&D"


def test_hostile_text_re_posted_in_home_and_digest_stays_escaped(hostile: Hostile) -> None:
    """Hostile text saved by each ritual, then shown elsewhere: the App Home of the people it
    concerns and the weekly digest preview. Pre-escaped text shows as typed (``&amp;lt;``)."""
    h = hostile
    pat, asha, mia = h.bot.user("pat"), h.bot.user("asha"), h.bot.user("mia")
    # A stand-up answer with a blocker and an ask to Asha.
    name = "Sync <!channel> <@U0PAT> &lt;!here&gt; R&D"
    assert not set_up_standup(h, name).errors
    h.ack(pat.command("/standup", f"now {name}", channel=CHANNEL), "now")
    h.settle()
    pat.click(StandupAction.OPEN_ANSWER, message=pat.dms[-1])
    view = pat.modal(callback_id=StandupCallback.ANSWER)
    answers = {b: f"{PAYLOAD} {b}" for b in text_inputs(view) if b.startswith(StandupBlock.ANSWER_PREFIX)}
    ack = pat.submit(
        {**answers, StandupBlock.BLOCKER: PAYLOAD, StandupBlock.ASK_USER: asha.id, StandupBlock.ASK_TEXT: PAYLOAD},
        view=view,
    )
    assert not ack.errors, ack.body
    # An insight and a retro with an item (retro titles and action items: see the report).
    insights_ready(h)
    pat.command("/insight", PAYLOAD, channel=CHANNEL)
    assert pat.submit(
        {InsightBlock.CUSTOMER: PAYLOAD}, view=pat.modal(callback_id=InsightCallback.CAPTURE)
    ).response_action
    message = open_retro(h)
    asha.click("retro_add_item", message=message)
    assert not asha.submit({"retro_item_text": PAYLOAD}, view=asha.modal(callback_id="retro_add_item")).errors
    h.settle()
    reply = h.bot.emulator.thread(CHANNEL, h.bot.emulator.messages_in(CHANNEL)[0].ts)
    shown = " ".join(str(m.blocks) for m in reply)
    assert "&amp;lt;!here&amp;gt; R&amp;D" in shown, shown[:500]  # as typed, not turned into markup

    h.start()
    for person in (pat, asha, mia):
        h.ack(person.open_home(), f"{person.name}'s home")
    h.ack(mia.command("/digest", "preview", channel=CHANNEL), "/digest preview")
    h.settle()
    homes = [c for c in h.bot.emulator.calls("views.publish")[-3:]]
    assert len(homes) == 3 and "&lt;!channel&gt;" in str([c.args for c in homes])  # the ask, the answer
    preview = h.bot.emulator.response_posts()[-1]
    assert "&lt;!channel&gt;" in str(preview), str(preview)[:500]
    h.finish("home and digest preview")
