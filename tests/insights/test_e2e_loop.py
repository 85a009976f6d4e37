"""End to end, the real bot process against the Slack emulator, on SQLite and PostgreSQL:
an insight captured from a customer's message in a Slack Connect channel posts nothing there,
reaches the insights channel, collects a +1, and when triaged to "planned" both people hear about
it by DM while the customer's channel stays silent (issue #18: it used to get a thread reply by
default, telling the customer their words were logged and a roadmap status nobody chose to
share). Only a triager's explicit, previewed choice sends one reply there. The export round-trips
every field."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.insights.export import FIELDS, from_csv_row
from bot.insights.ids import Action, Block, Callback
from tests.hardening.helpers import scalar, wait_outbox_settled
from tests.insights.helpers import human_message, shared_channel
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

CUSTOMER_SAYS = "We'd pay for the Enterprise plan today if SSO with Okta worked. <!channel> *please*"


def test_capture_from_a_shared_channel_closes_the_loop(bot: BotUnderTest, tmp_path: Path) -> None:
    emulator, ws = bot.emulator, bot.emulator.workspace
    ada, mia, pat = bot.user("ada"), bot.user("mia"), bot.user("pat")
    insights = ws.add_channel("customer-insights", members=["ada", "mia", "pat", "max"]).id

    # An admin picks the insights channel; the loop-closing defaults (all three) stay on.
    assert ada.command("/insight", "setup").status == 200
    ack = ada.submit({Block.CHANNEL: insights}, callback_id=Callback.SETUP)
    assert ack.status == 200 and not ack.errors

    # A customer says something in a shared channel; Mia saves it with the message shortcut.
    shared = shared_channel(ws)
    said = human_message(emulator, ws, shared, ws.user_id("casey"), CUSTOMER_SAYS)
    assert mia.shortcut(Callback.MESSAGE_SHORTCUT, said).status == 200
    modal = mia.modal(callback_id=Callback.CAPTURE)
    by_block = {b.get("block_id"): b for b in modal.blocks}
    assert by_block[Block.TEXT]["element"]["initial_value"] == CUSTOMER_SAYS.replace("<!channel>", "@channel")
    permalink = by_block[Block.EVIDENCE]["element"]["initial_value"]
    assert permalink.startswith("https://") and said.ts.replace(".", "") in permalink
    assert ws.user_id("casey") in json.dumps(modal.blocks)  # "From a message by @casey"
    ack = mia.submit(
        {Block.CUSTOMER: "Globex", Block.SOURCE: "user_interview", Block.IMPACT: "high", Block.NEW_TAGS: "sso"},
        view=modal,
    )
    assert ack.status == 200 and ack.response_action == "update", ack.body
    assert "Saved as insight *#1*" in json.dumps(ack.json)

    # It reaches the insights channel, escaped, with its buttons.
    posted = emulator.wait_for(lambda: emulator.messages_in(insights), what="the insight in the channel")[0]
    shown = json.dumps(posted.blocks)
    assert "@channel" in shown and "<!channel>" not in shown and "Globex" in shown

    # Pat heard it too, from another customer.
    pat.click(Action.HEARD_TOO, message=posted)
    heard = {Block.CUSTOMER: "Initech", Block.NOTE: "Same ask on Tuesday's call"}
    ack = pat.submit(heard, callback_id=Callback.PLUS_ONE)
    assert ack.status == 200 and not ack.errors
    emulator.wait_for(lambda: "1 heard this too" in json.dumps(emulator.message(insights, posted.ts).blocks))

    # Only triagers (default: workspace admins) may triage.
    pat.click(Action.TRIAGE, message=posted)
    refusal = pat.modal(callback_id=Callback.DONE)
    assert "Only workspace admins can triage" in json.dumps(refusal.blocks)
    pat.close_modal(view=refusal)

    ada.click(Action.TRIAGE, message=posted)
    triage = ada.modal(callback_id=Callback.TRIAGE)
    offer = next(b for b in triage.blocks if b.get("block_id") == Block.TELL_THREAD)
    assert f"Also tell them in <#{shared}>" in json.dumps(offer) and not offer["element"].get("initial_options")
    ack = ada.submit(
        {Block.STATUS: "planned", Block.NOTE: "Slated for Q1", Block.ROADMAP: "https://roadmap.example.com/sso"},
        view=triage,
    )
    assert ack.status == 200 and not ack.errors and ack.response_action is None  # no preview: not chosen

    # Both people hear about it by DM; the customer's channel hears nothing.
    for person, whose in ((mia, "you shared"), (pat, "you heard too")):
        dm = emulator.wait_for(lambda p=person: p.dms, what=f"a DM to {person.name}")[0]  # type: ignore[misc]
        text = json.dumps(dm.blocks)
        assert "Planned" in text and whose in text and "Slated for Q1" in text and "roadmap.example.com" in text
    emulator.wait_for(lambda: "Planned" in json.dumps(emulator.message(insights, posted.ts).blocks))
    wait_outbox_settled(emulator, bot.database_url)

    # Nothing at all was posted, replied, reacted or shown in the shared channel.
    assert [m.ts for m in emulator.messages_in(shared)] == [said.ts] and not emulator.thread(shared, said.ts)
    for method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "reactions.add"):
        assert not emulator.calls(method, channel=shared), method

    # The CSV export round-trips every field (compared with the JSON export).
    target = tmp_path / "insights.csv"
    result = bot.tandem("export", "insights", "--format", "csv", "--team", ws.team_id, "-o", str(target))
    assert result.returncode == 0, result.stderr
    raw = target.read_bytes()
    assert raw.count(b"\r\n") >= 2
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert list(rows[0]) == list(FIELDS)
    from_json = json.loads(bot.tandem("export", "insights", "--format", "json").stdout)
    assert [from_csv_row(r) for r in rows] == from_json
    record = from_json[0]
    assert record["text"] == CUSTOMER_SAYS.replace("<!channel>", "@channel")
    assert (record["customer"], record["status"], record["tags"], record["plus_one_count"]) == (
        "Globex",
        "planned",
        ["sso"],
        1,
    )
    assert record["source_channel_id"] == shared and record["source_message_ts"] == said.ts
    assert record["source_permalink"] == permalink and record["message_ts"] == posted.ts
    assert record["plus_ones"][0]["customer"] == "Initech"
    assert record["status_history"][0]["to"] == "planned"


def test_the_triager_may_choose_to_tell_the_customer_after_seeing_the_text(bot: BotUnderTest) -> None:
    emulator, ws = bot.emulator, bot.emulator.workspace
    ada, mia = bot.user("ada"), bot.user("mia")
    insights = ws.add_channel("customer-insights", members=["ada", "mia"]).id
    ada.command("/insight", "setup")
    assert not ada.submit({Block.CHANNEL: insights}, callback_id=Callback.SETUP).errors
    shared = shared_channel(ws)
    said = human_message(emulator, ws, shared, ws.user_id("casey"), CUSTOMER_SAYS)
    mia.shortcut(Callback.MESSAGE_SHORTCUT, said)
    mia.submit({Block.CUSTOMER: "Globex"}, callback_id=Callback.CAPTURE)
    posted = emulator.wait_for(lambda: emulator.messages_in(insights), what="the insight in the channel")[0]

    # Ticking "Also tell them" shows the exact reply before anything is posted.
    ada.click(Action.TRIAGE, message=posted)
    ack = ada.submit(
        {Block.STATUS: "shipped", Block.NOTE: "Live for Globex since Monday", Block.TELL_THREAD: ["tell_thread"]},
        callback_id=Callback.TRIAGE,
    )
    assert ack.status == 200 and ack.response_action == "update", ack.body
    preview = ada.modal(callback_id=Callback.TELL_THREAD)
    shown = next(b for b in preview.blocks if b.get("block_id") == Block.PREVIEW)["text"]["text"].removeprefix(">")
    assert "Shipped" in shown and f"<#{shared}>" in json.dumps(preview.blocks)
    emulator.wait_for(lambda: mia.dms, what="the DM to Mia")  # the loop closed inside already
    wait_outbox_settled(emulator, bot.database_url)
    assert not emulator.thread(shared, said.ts)  # nothing yet: the preview is not a choice

    # "Post it": exactly one reply in the customer's thread, with the previewed text.
    ack = ada.submit(view=preview)
    assert ack.status == 200 and not ack.errors
    reply = emulator.wait_for(lambda: emulator.thread(shared, said.ts), what="the thread reply")
    wait_outbox_settled(emulator, bot.database_url)
    assert [r.text for r in emulator.thread(shared, said.ts)] == [shown] and len(reply) == 1
    for secret in ("Globex", "Monday", "Okta"):
        assert secret not in json.dumps(reply[0].to_api())
    assert [m.ts for m in emulator.messages_in(shared)] == [said.ts]  # only in the thread

    # Recorded with who chose it and when; choosing again (a re-sent submission) posts nothing more.
    assert ada.submit(view=preview).status == 200
    wait_outbox_settled(emulator, bot.database_url)
    assert len(emulator.calls("chat.postMessage", channel=shared)) == 1
    chosen_by = scalar(bot.database_url, "SELECT thread_reply_by FROM insight_status_changes")
    assert chosen_by == ws.user_id("ada")
    chosen = "SELECT count(*) FROM insight_status_changes WHERE thread_reply_at IS NOT NULL"
    assert scalar(bot.database_url, chosen) == 1


def test_closing_the_preview_posts_nothing(bot: BotUnderTest) -> None:
    emulator, ws = bot.emulator, bot.emulator.workspace
    ada, mia = bot.user("ada"), bot.user("mia")
    insights = ws.add_channel("customer-insights", members=["ada", "mia"]).id
    ada.command("/insight", "setup")
    ada.submit({Block.CHANNEL: insights}, callback_id=Callback.SETUP)
    shared = shared_channel(ws)
    said = human_message(emulator, ws, shared, ws.user_id("casey"), "Please add SAML")
    mia.shortcut(Callback.MESSAGE_SHORTCUT, said)
    mia.submit(callback_id=Callback.CAPTURE)
    posted = emulator.wait_for(lambda: emulator.messages_in(insights), what="the insight in the channel")[0]
    ada.click(Action.TRIAGE, message=posted)
    ada.submit({Block.STATUS: "planned", Block.TELL_THREAD: ["tell_thread"]}, callback_id=Callback.TRIAGE)
    ada.close_modal(view=ada.modal(callback_id=Callback.TELL_THREAD))
    emulator.wait_for(lambda: mia.dms, what="the DM to Mia")
    wait_outbox_settled(emulator, bot.database_url)
    assert not emulator.thread(shared, said.ts) and not emulator.calls("chat.postMessage", channel=shared)
