"""Pure view builders: valid Block Kit (slack_sdk models + Slack's limits), nothing pings."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.insights import forms, views
from bot.insights.data import CaptureForm, InsightCard, InsightFilter, InsightPage, SetupState, StatusNotice
from bot.insights.ids import Category, Impact, LoopTarget, Source, Status
from tests.insights.helpers import NOW
from tests.support import conformance

HOSTILE = "<!channel> <!here|here> <!everyone> <!subteam^S0123|@product> <@U999> *bold* _it_ `code` ~x~ > quote &amp;"
PING = re.compile(r"<!(channel|here|everyone|subteam\^)|<@U999>")


def card(**overrides: Any) -> InsightCard:
    data: dict[str, Any] = {
        "id": 7,
        "number": 3,
        "text": HOSTILE + "\nsecond line",
        "customer": HOSTILE,
        "segment": HOSTILE,
        "source": Source.SALES_CALL,
        "category": Category.PRICING,
        "impact": Impact.HIGH,
        "evidence_url": "https://example.com/deal?a=1&b=2",
        "tags": ["pricing", "q4"],
        "status": Status.PLANNED,
        "status_note": HOSTILE,
        "roadmap_url": "https://roadmap.example.com/x",
        "submitted_by": "U0MIA",
        "plus_ones": 7,
        "plus_one_customers": [HOSTILE] * 7,
        "created_at": NOW,
    }
    data.update(overrides)
    return InsightCard(**data)


def _shown(payload: Any) -> Any:
    """Everything Slack renders: drops button values and metadata, which are never displayed."""
    if isinstance(payload, dict):
        return {k: _shown(v) for k, v in payload.items() if k not in ("value", "private_metadata")}
    if isinstance(payload, list):
        return [_shown(v) for v in payload]
    return payload


def no_pings(payload: Any) -> None:
    text = json.dumps(_shown(payload))
    assert not PING.search(text), PING.search(text)


def test_insight_message_is_valid_escaped_and_shows_status_and_count() -> None:
    message = views.build_insight_message(card())
    assert conformance.check_message(message) == []
    no_pings(message)
    text = json.dumps(message, ensure_ascii=False)
    assert "Planned" in text and "7 heard this too" in text and "and 2 more" in text
    assert "&lt;!channel&gt;" in text and "*\u200bbold*\u200b" in text
    assert "<https://example.com/deal?a=1&amp;b=2|Open link>" in text
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [("Heard this too", "7"), ("Triage", "7")]


def test_huge_text_is_clipped_to_slack_limits() -> None:
    message = views.build_insight_message(card(text="<" * 3000, customer="c" * 200, status_note="n" * 1000))
    assert conformance.check_message(message) == []


@pytest.mark.parametrize(
    "view",
    [
        views.build_capture_view(CaptureForm(text=HOSTILE), forms.CaptureMetadata(), []),
        views.build_capture_view(
            CaptureForm(text="x" * 5000, source="survey", impact="low", tags=["a"], evidence_url="https://e.com"),
            forms.CaptureMetadata(source_channel_id="C1", message_ts="1.2", author_id="U1", permalink="https://e.com"),
            [f"tag{i}" for i in range(150)],
        ),
        views.build_duplicates_view([card(id=i, number=i) for i in range(1, 6)], draft_id=9),
        views.build_saved_view(3, plus_one=False, channel_id="C1"),
        views.build_saved_view(3, plus_one=True, channel_id=None),
        views.build_plus_one_view(card()),
        views.build_triage_view(card()),
        views.build_triage_view(card(), customer_channel="C0ACME"),
        views.build_thread_preview_view(
            views.build_thread_reply(
                StatusNotice(number=3, text="x", status=Status.PLANNED, note="", roadmap_url="", changed_by="U1")
            ),
            "C0ACME",
            forms.ThreadReplyMetadata(insight_id=3, change_id=4),
        ),
        views.build_notice_view("Triage insight", "Only admins can triage."),
        views.build_setup_view(SetupState(None, [], None, [])),
        views.build_setup_view(
            SetupState("C1", ["U1"], "S1", list(LoopTarget), usergroups=[("S1", "product"), ("S2", "mkt")])
        ),
    ],
)
def test_modals_are_valid(view: dict[str, Any]) -> None:
    assert conformance.check_view(view) == []


def test_triage_offers_the_customers_thread_only_when_asked_and_unticked() -> None:
    plain = views.build_triage_view(card())
    assert "insight_tell_thread" not in json.dumps(plain)
    offered = views.build_triage_view(card(), customer_channel="C0ACME")
    box = next(b for b in offered["blocks"] if b.get("block_id") == "insight_tell_thread")
    assert box["optional"] and "initial_options" not in box["element"] and "<#C0ACME>" in json.dumps(box)
    ticked = {"insight_tell_thread": {"value": {"type": "checkboxes", "selected_options": [{"value": "tell_thread"}]}}}
    assert forms.parse_tell_thread(ticked) and not forms.parse_tell_thread({})


def test_capture_view_prefills_and_reads_back() -> None:
    form = CaptureForm(
        text="hello",
        customer="Globex",
        segment="SMB",
        source="survey",
        category="pricing",
        impact="high",
        evidence_url="https://e.com/x",
        tags=["q4"],
        new_tags="beta",
    )
    view = views.build_capture_view(form, forms.CaptureMetadata(), ["q4", "sso"])
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        element = block.get("element")
        if not element:
            continue
        kind = element["type"]
        if kind in ("plain_text_input", "url_text_input"):
            value: dict[str, Any] = {"type": kind, "value": element.get("initial_value")}
        elif kind == "static_select":
            value = {"type": kind, "selected_option": element.get("initial_option")}
        else:
            value = {"type": kind, "selected_options": element.get("initial_options", [])}
        state[block["block_id"]] = {element["action_id"]: value}
    assert forms.parse_capture(state) == form


def test_dm_and_thread_reply() -> None:
    notice = StatusNotice(3, HOSTILE, Status.SHIPPED, HOSTILE, "https://r.example.com", "U0ADA", "C0INS")
    dm = views.build_status_dm(notice, submitter=True)
    assert conformance.check_message(dm) == []
    no_pings(dm)
    assert "the customer insight you shared" in json.dumps(dm)
    reply = views.build_thread_reply(notice)
    assert "Shipped" in reply["text"] and "r.example.com" not in reply["text"] and "channel" not in reply["text"]


def test_list_message_pages() -> None:
    page = InsightPage(InsightFilter("search", HOSTILE), [card(id=i, number=i) for i in range(5)], 1, 12)
    message = views.build_list_message(page)
    assert conformance.check_message(message) == []
    no_pings(message)
    pager = message["blocks"][-1]["elements"][0]
    decoded = forms.PagerValue.decode(pager["value"])
    assert decoded is not None and (decoded.kind, decoded.page) == ("search", 2)
    assert forms.PagerValue.decode('{"kind": "all", "evil": 1}') is None
    empty = views.build_list_message(InsightPage(InsightFilter("search", "<!channel>"), [], 1, 0))
    no_pings(empty)


def test_message_to_plain() -> None:
    raw = "Hi <@U1|mia> in <#C1|general>: see <https://a.example.com/x?a=1&amp;b=2|the doc> &lt;3 <!here> <!subteam^S1>"
    assert forms.message_to_plain(raw) == (
        "Hi @mia in #general: see the doc (https://a.example.com/x?a=1&b=2) <3 @here @group"
    )
