"""The go/no-go, move and launch-day views: valid Block Kit (Slack's published rules), the right
buttons and fields, user text escaped; and the two modals' forms."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.launches import decision_views, move_forms, move_views
from bot.launches.data import ItemView, LaunchView, PhaseView
from bot.launches.ids import Action, Block, Decision, ItemKind, ItemStatus, LaunchKind, LaunchStatus, Side
from bot.launches.move_data import ItemMove, Move, PhaseMove
from bot.launches.move_forms import MoveInput, MoveMetadata
from tests.support import conformance

HOSTILE = "<!channel> *bold* <@U0EVIL> & <https://evil.example|click>"


def launch(kind: LaunchKind = LaunchKind.STAGGERED, *, decided: Decision | None = None,
           shipped_first: bool = False) -> LaunchView:  # fmt: skip
    phases = (
        PhaseView(
            1,
            0,
            f"Beta {HOSTILE}",
            "design partners",
            date(2027, 3, 22),
            decided,
            "Docs late",
            "U0MIA",
            shipped=shipped_first,
        ),
        PhaseView(2, 1, "GA", "everyone", date(2027, 4, 5)),
    )
    if kind is not LaunchKind.STAGGERED:
        phases = phases[:1]
    items = (
        ItemView(
            10, f"Docs {HOSTILE}", Side.PRODUCT, ItemKind.TASK, "U0MAX", 1, -7, date(2027, 3, 15), ItemStatus.OPEN
        ),
    )
    return LaunchView(
        id=7, name=f"Inbox {HOSTILE}", what="", kind=kind, status=LaunchStatus.PLANNED, channel_id="C1",
        product_lead="U0MAX", marketing_lead="U0MIA", timezone="Europe/Berlin", phases=phases, items=items,
    )  # fmt: skip


def dumped(value: dict[str, Any]) -> str:
    return json.dumps(value)


def test_the_go_no_go_prompt_has_go_and_no_go_and_escapes_names() -> None:
    shown = launch()
    message = decision_views.go_no_go_prompt(shown, shown.phases[0], date(2027, 3, 21))
    assert conformance.check_message(message) == []
    text = dumped(message)
    assert Action.GO in text and Action.NO_GO in text and '"value": "1:2027-03-22"' in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
    assert "Still open before the date" in text  # the open item due before the date


def test_a_decided_prompt_says_who_and_why_and_a_no_go_offers_to_move() -> None:
    no_go = launch(decided=Decision.NO_GO)
    message = decision_views.decided_prompt(no_go, no_go.phases[0])
    assert conformance.check_message(message) == []
    assert "<@U0MIA> said no-go" in dumped(message) and "Docs late" in dumped(message)
    assert Action.MOVE_PHASE in dumped(message) and Action.GO not in dumped(message)
    moved = decision_views.question_moved(no_go, no_go.phases[0], date(2027, 3, 15))
    assert (
        conformance.check_message(moved) == [] and Action.GO not in dumped(moved) and "<!channel>" not in dumped(moved)
    )
    go = launch(decided=Decision.GO)
    assert Action.MOVE_PHASE not in dumped(decision_views.decided_prompt(go, go.phases[0]))


def test_the_reason_modal_is_required_only_for_a_no_go() -> None:
    shown = launch()
    for decision, optional in ((Decision.GO, True), (Decision.NO_GO, False)):
        view = decision_views.reason_modal(shown, shown.phases[0], decision, metadata="{}")
        assert conformance.check_view(view) == []
        block = next(b for b in view["blocks"] if b.get("block_id") == Block.DECISION_REASON)
        assert bool(block.get("optional")) is optional


def test_the_move_modal_picks_a_phase_only_for_a_staggered_launch_and_starts_on_the_chosen_one() -> None:
    staggered = launch()
    view = move_views.move_modal(staggered, phase_id=2, metadata=MoveMetadata(launch_id=7, phase_id=2).encode())
    assert conformance.check_view(view) == []
    select = next(b for b in view["blocks"] if b.get("block_id") == Block.MOVE_PHASE)["element"]
    assert select["initial_option"]["value"] == "2" and len(select["options"]) == 2
    picker = next(b for b in view["blocks"] if b.get("block_id") == Block.MOVE_DATE)["element"]
    assert picker["initial_date"] == "2027-04-05"
    # A shipped phase cannot move: only GA is left, so nothing to pick.
    view = move_views.move_modal(launch(shipped_first=True), phase_id=1, metadata="{}")
    assert Block.MOVE_PHASE not in dumped(view) and '"initial_date": "2027-04-05"' in dumped(view)
    full = move_views.move_modal(launch(LaunchKind.FULL), phase_id=None, metadata="{}")
    assert conformance.check_view(full) == []
    assert Block.MOVE_PHASE not in dumped(full) and "The launch date" in dumped(full)


def test_the_moved_dm_lists_only_that_owners_items_escaped() -> None:
    move = Move(
        launch_id=7, launch_name=f"Inbox {HOSTILE}", staggered=True, moved_by="U0MIA", reason=f"Late {HOSTILE}",
        phases=(PhaseMove(1, "Beta", date(2027, 3, 22), date(2027, 3, 29)),
                PhaseMove(2, "GA", date(2027, 4, 5), date(2027, 4, 12))),
        items=(ItemMove(10, f"Docs {HOSTILE}", "U0MAX", -7, date(2027, 3, 15), date(2027, 3, 22)),
               ItemMove(11, "Campaign", "U0MIA", -3, date(2027, 3, 19), date(2027, 3, 26))),
    )  # fmt: skip
    assert move.days == 7 and move.owners() == ["U0MAX", "U0MIA"]
    message = move_views.moved_dm(move, "U0MAX")
    assert conformance.check_message(message) == []
    text = dumped(message)
    assert "Docs" in text and "Campaign" not in text and "T-7" in text
    assert "7 days later" in text and "the phases after it" in text
    assert "<!channel>" not in text and "<@U0EVIL>" not in text
    assert conformance.check_message(move_views.moved_reply(move)) == []
    shipped = decision_views.shipped_reply(launch(), launch().phases[0], last=False)
    assert conformance.check_message(shipped) == [] and "<!channel>" not in dumped(shipped)


def test_the_move_form_reads_the_phase_date_and_reason() -> None:
    state = {
        Block.MOVE_PHASE: {Action.INPUT: {"type": "static_select", "selected_option": {"value": "2"}}},
        Block.MOVE_DATE: {Action.INPUT: {"type": "datepicker", "selected_date": "2027-04-12"}},
        Block.MOVE_REASON: {Action.INPUT: {"type": "plain_text_input", "value": " Docs "}},
    }
    data, errors = move_forms.parse_move(state, MoveMetadata(launch_id=7, phase_id=1))
    assert errors == {} and data == MoveInput(2, date(2027, 4, 12), "Docs")
    # A quiet or full launch has no phase to pick: the modal's metadata says which.
    data, errors = move_forms.parse_move(
        {Block.MOVE_DATE: state[Block.MOVE_DATE]}, MoveMetadata(launch_id=7, phase_id=1)
    )
    assert data == MoveInput(1, date(2027, 4, 12), "")
    data, errors = move_forms.parse_move(
        {Block.MOVE_DATE: {Action.INPUT: {"type": "datepicker", "selected_date": "soon"}}}, MoveMetadata(launch_id=7)
    )
    assert data is None and Block.MOVE_DATE in errors
    reason, errors = move_forms.parse_reason({}, Decision.NO_GO)
    assert reason is None and errors == {Block.DECISION_REASON: move_forms.NO_REASON}
    assert move_forms.parse_reason({}, Decision.GO) == ("", {})
    assert (
        move_forms.parse_id("12") == 12 and move_forms.parse_id("12; drop") is None and move_forms.parse_id("") is None
    )
