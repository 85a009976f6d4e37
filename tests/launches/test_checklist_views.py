"""The checklist's views and forms (pure): the item DMs before and after an answer, the checklist
modal by side within Slack's limits, the small modals; hostile text escaped; ids read safely."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from slack_sdk.models.blocks import Block as SdkBlock
from slack_sdk.models.views import View

from bot.launches import checklist_forms, checklist_views
from bot.launches.checklist_data import ChangeKind, ItemChange, NewItem, NoticeKind, phase_index_for
from bot.launches.checklist_forms import ItemFormMetadata, MenuChoice, MenuVerb
from bot.launches.data import MAX_ITEMS, ItemView, LaunchView, PhaseView
from bot.launches.ids import Action, Block, Callback, ItemKind, ItemStatus, LaunchKind, LaunchStatus, Side

HOSTILE = "<!channel> *bold* <@U0EVIL> & <https://evil.example|click>"
NOW = datetime(2027, 2, 16, 8, 0, tzinfo=UTC)
OWNER = "U0OWNER001"


def item(id: int = 5, **changes: Any) -> ItemView:
    base = ItemView(
        id=id, title=f"Sales enablement {HOSTILE}", side=Side.MARKETING, kind=ItemKind.TASK, owner_id=OWNER,
        phase_id=1, offset=-10, due_on=date(2027, 2, 12), status=ItemStatus.OPEN,
    )  # fmt: skip
    return replace(base, **changes)


def launch(items: tuple[ItemView, ...] = (), **changes: Any) -> LaunchView:
    base = LaunchView(
        id=3, name=f"Shared inbox {HOSTILE}", what="", kind=LaunchKind.STAGGERED, status=LaunchStatus.PLANNED,
        channel_id="C0LAUNCH01", product_lead="U0PRODLEAD", marketing_lead="U0MKTLEAD1", timezone="Europe/Berlin",
        phases=(PhaseView(1, 0, f"Beta {HOSTILE}", "", date(2027, 2, 22)), PhaseView(2, 1, "GA", "", date(2027, 3, 8))),
        items=items or (item(),),
    )  # fmt: skip
    return replace(base, **changes)


def check_message(message: dict[str, Any]) -> str:
    assert message["text"]
    for block in message["blocks"]:
        SdkBlock.parse(block).validate_json()  # type: ignore[union-attr]
    return _no_pings(message)


def check_modal(view: dict[str, Any]) -> str:
    View(**view).validate_json()
    return _no_pings(view)


def _no_pings(payload: dict[str, Any]) -> str:
    everything = json.dumps(payload, ensure_ascii=False)
    assert "<!channel>" not in everything and "<@U0EVIL>" not in everything and "<https://evil" not in everything
    return everything


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["action_id"], e["value"]) for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_the_due_day_dm_has_done_new_date_and_blocked() -> None:
    message = checklist_views.item_dm(launch(), item(), kind=NoticeKind.DUE, due_on=date(2027, 2, 12), user_id=OWNER)
    shown = check_message(message)
    assert "Due today" in shown and "&lt;!channel&gt;" in shown and "T-10 of Beta" in shown
    assert _buttons(message) == [
        (Action.ITEM_DONE, "5"), (Action.ITEM_NEW_DATE, "5"), (Action.ITEM_BLOCKED, "5"),
    ]  # fmt: skip


def test_the_overdue_dm_names_the_owner_and_opens_the_checklist() -> None:
    message = checklist_views.item_dm(
        launch(), item(), kind=NoticeKind.OVERDUE, due_on=date(2027, 2, 12), user_id="U0PRODLEAD"
    )
    shown = check_message(message)
    assert "Overdue" in shown and f"<@{OWNER}>" in shown
    assert (Action.OPEN_CHECKLIST, "3") in _buttons(message) and (Action.ITEM_DONE, "5") in _buttons(message)


def test_answered_dms_say_what_happened_and_keep_only_buttons_that_apply() -> None:
    due = date(2027, 2, 12)
    done = checklist_views.item_dm(
        launch(), item(status=ItemStatus.DONE), kind=NoticeKind.DUE, due_on=due, user_id=OWNER,
        change=ItemChange(ChangeKind.DONE, OWNER, 5, 3),
    )  # fmt: skip
    assert f"Done by <@{OWNER}>" in check_message(done) and _buttons(done) == []
    moved = checklist_views.item_dm(
        launch(), item(due_on=date(2027, 2, 18), offset=-4), kind=NoticeKind.DUE, due_on=due, user_id=OWNER,
        change=ItemChange(ChangeKind.NEW_DATE, OWNER, 5, 3),
    )  # fmt: skip
    assert "New date" in check_message(moved) and "2027-02-18" in json.dumps(moved) and _buttons(moved) == []
    blocked = checklist_views.item_dm(
        launch(), item(status=ItemStatus.BLOCKED, blocked_reason=HOSTILE), kind=NoticeKind.DUE, due_on=due,
        user_id=OWNER, change=ItemChange(ChangeKind.BLOCKED, OWNER, 5, 3),
    )  # fmt: skip
    assert "Blocked: &lt;!channel&gt;" in check_message(blocked)
    assert [a for a, _ in _buttons(blocked)] == [Action.ITEM_DONE, Action.ITEM_NEW_DATE]  # still open
    reassigned = checklist_views.item_dm(
        launch(), item(owner_id="U0SOMEONE1"), kind=NoticeKind.DUE, due_on=due, user_id=OWNER,
        change=ItemChange(ChangeKind.REASSIGNED, "U0PRODLEAD", 5, 3),
    )  # fmt: skip
    assert "Now owned by <@U0SOMEONE1>" in check_message(reassigned) and _buttons(reassigned) == []


def test_the_checklist_modal_groups_by_side_within_slacks_limits() -> None:
    sides = (Side.PRODUCT, Side.MARKETING, Side.BOTH)
    items = tuple(
        item(id=i, side=sides[i % 3], status=ItemStatus.DONE if i % 7 == 0 else ItemStatus.OPEN)
        for i in range(1, MAX_ITEMS + 1)
    )
    dropped = item(id=999, status=ItemStatus.DROPPED, title="Old idea")
    view = checklist_views.checklist_modal(launch((*items, dropped)), NOW)
    shown = check_modal(view)
    assert view["callback_id"] == Callback.CHECKLIST and len(view["blocks"]) <= 100
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert headers == ["Product", "Marketing", "Both"]
    rows = [b for b in view["blocks"] if str(b.get("block_id", "")).startswith(Block.CHECKLIST_ITEM)]
    assert len(rows) == MAX_ITEMS
    menus = [b for b in rows if "accessory" in b]
    assert len(menus) == MAX_ITEMS - MAX_ITEMS // 7  # done items have no menu
    first = menus[0]["block_id"].rsplit(":", 1)[1]  # the first product item: id 3
    assert [o["value"] for o in menus[0]["accessory"]["options"]] == [
        f"done:{first}", f"date:{first}", f"blocked:{first}", f"reassign:{first}", f"drop:{first}",
    ]  # fmt: skip
    assert "*overdue*" in shown and "~Old idea~" in shown and Action.ITEM_ADD in shown


def test_a_cancelled_launchs_checklist_takes_no_changes() -> None:
    view = checklist_views.checklist_modal(launch(status=LaunchStatus.CANCELLED), NOW)
    check_modal(view)
    assert not any("accessory" in b for b in view["blocks"]) and Action.ITEM_ADD not in json.dumps(view)


def test_small_modals_carry_their_metadata_and_validate() -> None:
    metadata = ItemFormMetadata(item_id=5, root_view_id="V0ROOT", home=False)
    for build in (
        checklist_views.new_date_modal,
        checklist_views.blocked_modal,
        checklist_views.reassign_modal,
        checklist_views.drop_modal,
    ):
        view = build(item(), metadata)
        check_modal(view)
        assert ItemFormMetadata.decode(view["private_metadata"]) == metadata
    add = checklist_views.add_item_modal(launch(), ItemFormMetadata(launch_id=3), default_owner=OWNER)
    check_modal(add)
    assert [b["block_id"] for b in add["blocks"]] == [
        Block.ITEM_TITLE,
        Block.ITEM_SIDE,
        Block.ITEM_OWNER,
        Block.ITEM_DUE_ON,
    ]


def test_forms_read_ids_and_new_items_safely() -> None:
    assert checklist_forms.parse_id("12") == 12
    assert [checklist_forms.parse_id(v) for v in (None, "", "0", "-3", "1e3", "x", "9" * 20)] == [None] * 7
    assert checklist_forms.parse_menu("date:7") == MenuChoice(MenuVerb.NEW_DATE, 7)
    assert [checklist_forms.parse_menu(v) for v in ("nuke:7", "done:", "done:x", None)] == [None] * 4

    def state(title: str, side: str | None, owner: str | None, due: str | None) -> dict[str, Any]:
        return {
            Block.ITEM_TITLE: {Action.INPUT: {"type": "plain_text_input", "value": title}},
            Block.ITEM_SIDE: {Action.INPUT: {"selected_option": {"value": side} if side else None}},
            Block.ITEM_OWNER: {Action.INPUT: {"selected_user": owner}},
            Block.ITEM_DUE_ON: {Action.INPUT: {"selected_date": due}},
        }

    data, errors = checklist_forms.parse_new_item(state(" Partner\x00 slot ", "both", OWNER, "2027-02-20"))
    assert errors == {} and data == NewItem("Partner slot", Side.BOTH, OWNER, date(2027, 2, 20))
    data, errors = checklist_forms.parse_new_item(state("", "nope", None, "2027-02-31"))
    assert data is None and set(errors) == {Block.ITEM_TITLE, Block.ITEM_SIDE, Block.ITEM_OWNER, Block.ITEM_DUE_ON}


def test_a_new_item_hangs_on_the_nearest_phase_on_or_before_it() -> None:
    dates = [date(2027, 2, 22), date(2027, 3, 8)]
    assert [phase_index_for(dates, d) for d in (date(2027, 1, 1), date(2027, 2, 22), date(2027, 3, 7))] == [0, 0, 0]
    assert [phase_index_for(dates, d) for d in (date(2027, 3, 8), date(2027, 4, 1))] == [1, 1]
