"""End to end, the real bot process against the Slack emulator, on SQLite and PostgreSQL:
an insight captured from a customer's message in a shared channel posts nothing there, reaches
the insights channel, collects a +1, and when triaged to "planned" both people hear about it and
the original thread gets a short, customer-safe reply. The export round-trips every field."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from bot.insights.export import FIELDS, from_csv_row
from bot.insights.ids import ActionId, BlockId, CallbackId
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
    ack = ada.submit({BlockId.CHANNEL: insights}, callback_id=CallbackId.SETUP)
    assert ack.status == 200 and not ack.errors

    # A customer says something in a shared channel; Mia saves it with the message shortcut.
    shared = shared_channel(ws)
    said = human_message(emulator, ws, shared, ws.user_id("casey"), CUSTOMER_SAYS)
    assert mia.shortcut(CallbackId.MESSAGE_SHORTCUT, said).status == 200
    modal = mia.modal(callback_id=CallbackId.CAPTURE)
    by_block = {b.get("block_id"): b for b in modal.blocks}
    assert by_block[BlockId.TEXT]["element"]["initial_value"] == CUSTOMER_SAYS.replace("<!channel>", "@channel")
    permalink = by_block[BlockId.EVIDENCE]["element"]["initial_value"]
    assert permalink.startswith("https://") and said.ts.replace(".", "") in permalink
    assert ws.user_id("casey") in json.dumps(modal.blocks)  # "From a message by @casey"
    ack = mia.submit(
        {BlockId.CUSTOMER: "Globex", BlockId.SOURCE: "user_interview", BlockId.IMPACT: "high", BlockId.NEW_TAGS: "sso"},
        view=modal,
    )
    assert ack.status == 200 and ack.response_action == "update", ack.body
    assert "Saved as insight *#1*" in json.dumps(ack.json)

    # It reaches the insights channel, escaped, with its buttons.
    posted = emulator.wait_for(lambda: emulator.messages_in(insights), what="the insight in the channel")[0]
    shown = json.dumps(posted.blocks)
    assert "@channel" in shown and "<!channel>" not in shown and "Globex" in shown

    # Pat heard it too, from another customer.
    pat.click(ActionId.HEARD_TOO, message=posted)
    heard = {BlockId.CUSTOMER: "Initech", BlockId.NOTE: "Same ask on Tuesday's call"}
    ack = pat.submit(heard, callback_id=CallbackId.PLUS_ONE)
    assert ack.status == 200 and not ack.errors
    emulator.wait_for(lambda: "1 heard this too" in json.dumps(emulator.message(insights, posted.ts).blocks))

    # Only triagers (default: workspace admins) may triage.
    pat.click(ActionId.TRIAGE, message=posted)
    refusal = pat.modal(callback_id=CallbackId.DONE)
    assert "Only workspace admins can triage" in json.dumps(refusal.blocks)
    pat.close_modal(view=refusal)

    ada.click(ActionId.TRIAGE, message=posted)
    ack = ada.submit(
        {BlockId.STATUS: "planned", BlockId.NOTE: "Slated for Q1", BlockId.ROADMAP: "https://roadmap.example.com/sso"},
        callback_id=CallbackId.TRIAGE,
    )
    assert ack.status == 200 and not ack.errors

    # Both people hear about it, and the original thread gets a customer-safe reply.
    for person, whose in ((mia, "you shared"), (pat, "you heard too")):
        dm = emulator.wait_for(lambda p=person: p.dms, what=f"a DM to {person.name}")[0]  # type: ignore[misc]
        text = json.dumps(dm.blocks)
        assert "Planned" in text and whose in text and "Slated for Q1" in text and "roadmap.example.com" in text
    reply = emulator.wait_for(lambda: emulator.thread(shared, said.ts), what="the thread reply")[0]
    assert "Planned" in reply.text
    for secret in ("Globex", "Initech", "Q1", "roadmap", "Okta"):
        assert secret not in json.dumps(reply.to_api())
    emulator.wait_for(lambda: "Planned" in json.dumps(emulator.message(insights, posted.ts).blocks))

    # Nothing visible was ever posted in the shared channel except that reply in the thread.
    assert [m.ts for m in emulator.messages_in(shared)] == [said.ts]
    assert [c.args.get("thread_ts") for c in emulator.calls("chat.postMessage", channel=shared)] == [said.ts]
    assert not emulator.calls("chat.postEphemeral", channel=shared)

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
