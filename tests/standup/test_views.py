"""Pure view builders: structure (snapshot-like) and Slack's limits, checked by slack_sdk's models."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from slack_sdk.models.blocks import Block as SdkBlock
from slack_sdk.models.views import View

from bot.standup import data, forms, views
from bot.standup.ids import Action, Block, Callback, Side, ZoneMode

DAY = date(2026, 11, 30)
CLOSES = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)


def check_message(message: dict[str, Any]) -> None:
    assert message["text"]
    for block in message["blocks"]:
        SdkBlock.parse(block).validate_json()  # type: ignore[union-attr]


def shape(blocks: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(b["type"], b.get("block_id", "")) for b in blocks]


def test_setup_modal_structure_defaults_and_metadata() -> None:
    form = data.SetupForm(
        timezone="America/New_York",
        questions={"all": ["What did you move forward?", "What's next?"]},
        blocker_question="Anything blocked?",
    )
    groups = [data.Usergroup("S1", "product", "Product team")]
    modal = views.build_setup_modal(form, groups)
    View(**modal).validate_json()
    assert modal["callback_id"] == Callback.SETUP
    ids = [b.get("block_id") for b in modal["blocks"] if b["type"] == "input"]
    assert ids == [
        Block.NAME, Block.CHANNEL, Block.EXTERNAL, Block.PEOPLE_PRODUCT, Block.PEOPLE_MARKETING, Block.PEOPLE_OTHER,
        Block.GROUPS_PRODUCT, Block.GROUPS_MARKETING, Block.GROUPS_OTHER, Block.DAYS, Block.TIME, Block.ZONE_MODE,
        Block.TIMEZONE, Block.QUESTIONS, Block.QUESTIONS_PRODUCT, Block.QUESTIONS_MARKETING, Block.QUESTIONS_OTHER,
        Block.BLOCKER_QUESTION,
        Block.REMINDER, Block.OPEN_FOR, Block.ESCALATE, Block.OPTIONS,
    ]  # fmt: skip
    by_id = {b.get("block_id"): b for b in modal["blocks"]}
    assert [o["value"] for o in by_id[Block.DAYS]["element"]["initial_options"]] == ["0", "1", "2", "3", "4"]
    assert by_id[Block.TIMEZONE]["element"]["initial_option"]["value"] == "America/New_York"
    assert by_id[Block.ZONE_MODE]["element"]["initial_option"]["value"] == ZoneMode.PERSONAL
    assert by_id[Block.QUESTIONS]["element"]["initial_value"] == "What did you move forward?\nWhat's next?"
    assert forms.SetupMetadata.decode(modal.get("private_metadata")).standup_id is None
    # Issue #18: the shared-channel confirmation is always there, optional, unticked by default.
    assert by_id[Block.EXTERNAL].get("optional") and "initial_options" not in by_id[Block.EXTERNAL]["element"]


def test_setup_modal_for_an_uncommon_zone_and_without_groups() -> None:
    modal = views.build_setup_modal(data.SetupForm(standup_id=7, timezone="America/Bogota"))
    View(**modal).validate_json()
    by_id = {b.get("block_id"): b for b in modal["blocks"]}
    assert Block.GROUPS_PRODUCT not in by_id
    assert by_id[Block.TIMEZONE]["element"]["initial_option"]["value"] == "America/Bogota"
    assert forms.SetupMetadata.decode(modal["private_metadata"]).standup_id == 7
    assert modal["submit"]["text"] == "Save"


def test_answer_modal_prefill_asks_and_blocker() -> None:
    form = data.AnswerForm(
        occurrence_id=3,
        standup_name="Launch sync",
        local_date=DAY,
        questions=["Moved forward?", "Next?"],
        blocker_question="Anything blocked?",
        initial=["Brief", ""],
        asks_for_me=[data.AskLine(9, "UMAX", "Pricing <!here>")],
        my_last_blocker="Legal review",
    )
    modal = views.build_answer_modal(form)
    View(**modal).validate_json()
    inputs = [(b["block_id"], b["element"]["type"]) for b in modal["blocks"] if b["type"] == "input"]
    assert inputs == [
        (Block.answer(0), "plain_text_input"),
        (Block.answer(1), "plain_text_input"),
        (Block.BLOCKER, "plain_text_input"),
        (Block.ASK_USER, "users_select"),
        (Block.ASK_TEXT, "plain_text_input"),
    ]
    by_id = {b.get("block_id"): b for b in modal["blocks"]}
    assert by_id[Block.answer(0)]["element"]["initial_value"] == "Brief"
    assert "initial_value" not in by_id[Block.answer(1)]["element"]
    text = str(modal["blocks"])
    assert "Pricing &lt;!here&gt;" in text and "Legal review" in text
    assert forms.AnswerMetadata.decode(modal["private_metadata"]).occurrence_id == 3


def test_prompt_has_answer_and_skip_buttons_and_shows_asks() -> None:
    message = views.build_prompt_message(
        data.PromptView(3, "Launch sync", "CSHARED", DAY, CLOSES, asks=[data.AskLine(9, "UMAX", "Pricing?")])
    )
    check_message(message)
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"], b["text"]["text"]) for b in buttons] == [
        (Action.OPEN_ANSWER, "3", "Answer stand-up"),
        (Action.SKIP_TODAY, "3", "Skip today"),
    ]
    accessories = [b["accessory"]["action_id"] for b in message["blocks"] if "accessory" in b]
    assert accessories == [Action.ASK_HANDLED]


def test_answer_message_escapes_and_never_mentions() -> None:
    view = data.AnswerView(
        answer_id=5, user_id="UMAX", name="Max <@U1>", side=Side.MARKETING,
        responses=[("Moved?", "Copy <!channel> & more")], blocker_question="Blocked?", blocker="Legal",
        ask_to_name="Pat", ask_text="Pricing", ask_handled=True, edited=True, late=False,
    )  # fmt: skip
    message = views.build_answer_message(view)
    check_message(message)
    text = str(message["blocks"])
    assert "<!channel>" not in text and "<@U1>" not in text and "&lt;!channel&gt; &amp; more" in text
    assert ":no_entry: *Blocked:* Legal" in text and "handled" in text and "(edited)" in text
    assert shape(message["blocks"])[-1] == ("actions", Block.ANSWER_ACTIONS)


def test_summary_counts_blockers_and_asks() -> None:
    summary = data.SummaryView(
        standup_name="Launch sync",
        local_date=DAY,
        sides={Side.PRODUCT: data.SideCount(answered=1, missing=1), Side.MARKETING: data.SideCount(2, 1, 1, 0)},
        blockers=[("Max", Side.MARKETING, "Pricing")],
        asks=[("Max", "Pat", "Pricing by Wed", True)],
        closed_at=CLOSES,
    )
    message = views.build_summary_message(summary)
    check_message(message)
    text = str(message["blocks"])
    assert "*Product*\\n1 answered, 1 missing" in text
    assert "*Marketing*\\n2 answered, 1 skipped, 1 out of office" in text
    assert "Max (Marketing): Pricing" in text and "Max → Pat: Pricing by Wed :white_check_mark:" in text


def test_long_lists_are_truncated_with_and_n_more() -> None:
    summary = data.SummaryView(
        "S", DAY, {}, blockers=[(f"P{i}", Side.OTHER, "b") for i in range(15)], asks=[], closed_at=CLOSES
    )
    text = str(views.build_summary_message(summary)["blocks"])
    assert "and 5 more" in text
    rows = [data.ListRow(f"S{i}", "C1", [0], "09:00", ZoneMode.FIXED, "UTC", 2, False, "U1") for i in range(35)]
    assert views.build_list_text(rows).endswith("…and 5 more")
    assert views.build_list_text([]).startswith("No stand-ups yet")


def test_summary_shows_who_was_off_for_a_holiday_escaped() -> None:
    summary = data.SummaryView(
        "Launch sync", DAY, {Side.PRODUCT: data.SideCount(answered=1, holiday=1)}, [], [], CLOSES,
        off=[("Max <!here>", "Pentecost Monday")],
    )  # fmt: skip
    message = views.build_summary_message(summary)
    check_message(message)
    text = str(message["blocks"])
    assert "*Product*\\n1 answered, 1 off (holiday)" in text and "missing" not in text
    assert "Max &lt;!here&gt; — off (holiday): Pentecost Monday" in text


def test_escalation_and_nudge_messages_never_ping_a_channel() -> None:
    since = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    escalation = views.build_escalation_message(
        data.EscalationView(4, "ask", "Launch sync", "CSHARED", "UPAT", "UMAX", "Copy <!channel>", since, 2)
    )
    check_message(escalation)
    text = str(escalation["blocks"])
    assert "open 2 working days" in text and "&lt;!channel&gt;" in text and "<!channel>" not in text
    buttons = [e for b in escalation["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(Action.NUDGE, "4")]
    blocked = views.build_escalation_message(
        data.EscalationView(5, "blocker", "Launch sync", "CSHARED", "UMAX", "UMAX", "Legal", since, 3)
    )
    assert "<@UMAX> has been blocked for 3 working days" in str(blocked["blocks"])
    nudge = views.build_nudge_message(data.NudgeView("ask", "Launch sync", "UPAT", "UMAX", "Copy", since, 9))
    check_message(nudge)
    assert [e["action_id"] for b in nudge["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        Action.ASK_HANDLED
    ]
    nudge = views.build_nudge_message(data.NudgeView("blocker", "Launch sync", "UPAT", "UMAX", "Legal", since, None))
    check_message(nudge)
    assert "still blocked" in str(nudge["blocks"]) and not [b for b in nudge["blocks"] if b["type"] == "actions"]


def test_holidays_modal_country_and_region_selects() -> None:
    form = data.HolidaysForm(
        user_id="UMAX", country="DE", subdivision="BE", zone="Europe/Berlin", zone_default="Germany (BE)",
        countries=[("DE", "Germany"), ("IN", "India"), ("US", "United States")],
        subdivisions=[("BE", "Berlin"), ("BY", "Bayern")],
    )  # fmt: skip
    modal = views.build_holidays_modal(form)
    View(**modal).validate_json()
    by_id = {b.get("block_id"): b for b in modal["blocks"]}
    assert by_id[Block.HOLIDAY_USER]["element"]["initial_user"] == "UMAX"
    assert by_id[Block.HOLIDAY_COUNTRY]["dispatch_action"] is True
    assert by_id[Block.HOLIDAY_COUNTRY]["element"]["initial_option"]["value"] == "DE"
    assert by_id[Block.HOLIDAY_SUBDIVISION]["element"]["initial_option"]["value"] == "BE"
    assert "suggests *Germany (BE)*" in str(modal["blocks"])
    ambiguous = views.build_holidays_modal(data.HolidaysForm(user_id="UCHI", zone="America/Chicago"))
    View(**ambiguous).validate_json()
    assert "there is no default" in str(ambiguous["blocks"])
