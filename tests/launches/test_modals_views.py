"""The launch modals, the launch message and what ``/launch`` answers (pure builders): valid Block
Kit by Slack's published limits (tests/support/conformance.py), the kind select that rebuilds the
modal, phase rows, the goals (existing to pick, new ones shown picked), the edit modal's fixed
kind, channel and dates, the message's countdown, readiness and buttons, hostile text escaped."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from bot.goals.ids import Block as GoalBlock
from bot.launches import modals, replies, views
from bot.launches.data import MAX_GOALS, ItemView, LaunchView, PhaseView
from bot.launches.forms import PHASE_ROWS, Draft, LaunchMetadata, LaunchRef, NewGoalMetadata, PhaseDraft, phase_block
from bot.launches.ids import Action, Block, Callback, ItemKind, ItemStatus, LaunchKind, LaunchStatus, Side
from tests.support.conformance import check_message, check_view

TODAY = date(2026, 12, 7)
HOSTILE = "<!channel> *bold* <https://evil.example|click> & <@U0EVIL>"


def by_id(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(b["block_id"]): b for b in view["blocks"] if b.get("block_id")}


def valid_view(view: dict[str, Any]) -> dict[str, Any]:
    assert check_view(view) == [], check_view(view)
    return view


def valid_message(message: dict[str, Any]) -> dict[str, Any]:
    assert check_message(message) == [], check_message(message)
    return message


def mrkdwn_of(node: Any) -> str:
    if isinstance(node, dict):
        own = [str(node["text"])] if node.get("type") == "mrkdwn" else []
        return "\n".join(own + [mrkdwn_of(v) for v in node.values()])
    if isinstance(node, list):
        return "\n".join(mrkdwn_of(v) for v in node)
    return ""


def launch(**changes: Any) -> LaunchView:
    beta, ga = date(2027, 1, 11), date(2027, 2, 1)
    items = (
        ItemView(1, "Positioning", Side.BOTH, ItemKind.TASK, "U1", 1, -21, date(2026, 12, 21), ItemStatus.DONE),
        ItemView(
            2, "Pricing " + HOSTILE, Side.PRODUCT, ItemKind.TASK, "U1", 1, -14, date(2026, 12, 4), ItemStatus.OPEN
        ),
        ItemView(3, "Enablement", Side.MARKETING, ItemKind.TASK, "U3", 1, -10, date(2027, 1, 1), ItemStatus.OPEN),
        ItemView(4, "Webinar", Side.MARKETING, ItemKind.TASK, "U3", 1, -7, date(2027, 1, 4), ItemStatus.DROPPED),
    )
    values: dict[str, Any] = {
        "id": 4, "name": HOSTILE, "what": HOSTILE, "kind": LaunchKind.STAGGERED, "status": LaunchStatus.PLANNED,
        "channel_id": "C1", "product_lead": "U1", "marketing_lead": "U3", "timezone": "Europe/Berlin",
        "phases": (PhaseView(1, 0, "Beta " + HOSTILE, HOSTILE, beta), PhaseView(2, 1, "GA", "", ga)),
        "items": items, "message_ts": "1700000000.000100",
    }  # fmt: skip
    values.update(changes)
    return LaunchView(**values)


# --- the modals ----------------------------------------------------------------------------------


def test_a_new_launch_modal_has_one_date_and_a_kind_select_that_dispatches() -> None:
    view = valid_view(
        modals.build_launch_modal(Draft(channel_id="C1"), LaunchMetadata(), goals=[(3, "Lift " + HOSTILE), (5, "B")])
    )
    shown = by_id(view)
    assert view["callback_id"] == Callback.CREATE and view["title"]["text"] == "New launch"
    kind = shown[Block.KIND]
    assert kind["dispatch_action"] is True and kind["element"]["action_id"] == Action.KIND
    assert kind["element"]["initial_option"]["value"] == "full"
    assert {o["value"] for o in kind["element"]["options"]} == {"quiet", "full", "staggered"}
    assert shown[Block.LAUNCH_DATE]["element"]["type"] == "datepicker" and not shown[Block.LAUNCH_DATE].get("optional")
    assert not any(b.startswith(f"{Block.PHASES}_") for b in shown)
    assert shown[Block.CHANNEL]["element"]["initial_conversation"] == "C1" and Block.EXTERNAL in shown
    for lead in (Block.PRODUCT_LEAD, Block.MARKETING_LEAD):
        assert shown[lead]["element"]["type"] == "users_select" and not shown[lead].get("optional")
    goals = shown[Block.GOALS]
    assert goals["optional"] and goals["element"]["max_selected_items"] == MAX_GOALS
    assert [o["value"] for o in goals["element"]["options"]] == ["3", "5"]
    assert shown[Block.GOAL_ACTIONS]["elements"][0]["action_id"] == Action.NEW_GOAL
    assert LaunchMetadata.decode(view["private_metadata"]) == LaunchMetadata()
    # Every input but the kind select answers to the one input action id (forms read by block).
    actions = {b["element"]["action_id"] for b in view["blocks"] if b["type"] == "input"} - {Action.KIND}
    assert actions == {Action.INPUT}


def test_a_staggered_modal_shows_phase_rows_with_what_was_typed() -> None:
    draft = Draft(
        name="Inbox", kind=LaunchKind.STAGGERED, launch_on=date(2027, 1, 11),
        phases=(PhaseDraft("", None, "partners"),), product_lead="U1", goal_ids=(5,),
    )  # fmt: skip
    view = valid_view(
        modals.build_launch_modal(draft, LaunchMetadata(), goals=[(3, "A"), (5, "B")], new_goals=[(9, HOSTILE)])
    )
    shown = by_id(view)
    assert Block.LAUNCH_DATE not in shown
    for row in range(1, PHASE_ROWS + 1):
        for part in ("name", "date", "audience"):
            assert shown[phase_block(row, part)]["optional"] is True
    # The one date typed before the switch is phase 1's; what was typed stays.
    assert shown[phase_block(1, "date")]["element"]["initial_date"] == "2027-01-11"
    assert shown[phase_block(1, "audience")]["element"]["initial_value"] == "partners"
    assert "initial_date" not in shown[phase_block(2, "date")]["element"]
    assert shown[Block.NAME]["element"]["initial_value"] == "Inbox"
    assert shown[Block.PRODUCT_LEAD]["element"]["initial_user"] == "U1"
    assert [o["value"] for o in shown[Block.GOALS]["element"]["initial_options"]] == ["5"]
    # A goal made in the modal is listed as picked (escaped), not offered again.
    picked = shown[Block.NEW_GOALS]["text"]["text"]
    assert "goal 9" in picked and "&lt;!channel&gt;" in picked and "<!channel>" not in picked


def test_without_goals_the_modal_offers_to_add_one() -> None:
    view = valid_view(modals.build_launch_modal(Draft(kind=LaunchKind.QUIET), LaunchMetadata()))
    assert Block.GOALS not in by_id(view) and "No shared goals yet" in json.dumps(view["blocks"])
    assert Block.GOAL_ACTIONS in by_id(view)


def test_the_edit_modal_keeps_kind_channel_and_dates() -> None:
    meta = LaunchMetadata(launch_id=4, kind="staggered", channel_id="C1", phase_dates=["2027-01-11", "2027-02-01"])
    draft = Draft(name="Inbox", kind=LaunchKind.STAGGERED, phases=(PhaseDraft("Beta"), PhaseDraft("GA")))
    view = valid_view(modals.build_launch_modal(draft, meta, goals=[(3, "A")]))
    shown = by_id(view)
    assert view["callback_id"] == Callback.EDIT and view["title"]["text"] == "Edit launch"
    assert not {Block.KIND, Block.CHANNEL, Block.EXTERNAL, Block.LAUNCH_DATE} & set(shown)
    assert "/launch move 4" in shown[Block.DATES]["text"]["text"]
    assert "<!date^" in shown[Block.DATES]["text"]["text"]
    rows = [b for b in shown if b.startswith(f"{Block.PHASES}_")]
    assert rows == [phase_block(1, "name"), phase_block(1, "audience"), phase_block(2, "name"),
                    phase_block(2, "audience")]  # fmt: skip
    assert shown[phase_block(2, "name")]["element"]["initial_value"] == "GA"
    full = modals.build_launch_modal(
        Draft(kind=LaunchKind.FULL), meta.model_copy(update={"kind": "full", "phase_dates": ["2027-01-11"]})
    )
    assert not any(b.startswith(f"{Block.PHASES}_") for b in by_id(valid_view(full)))


def test_the_goal_form_pushed_on_the_launch_modal() -> None:
    parent = LaunchMetadata(kind="staggered", new_goal_ids=[2])
    view = valid_view(modals.build_new_goal_modal("V1", parent, LaunchKind.STAGGERED, channel_id="C1", today=TODAY))
    assert view["callback_id"] == Callback.NEW_GOAL and view["submit"]["text"] == "Add goal"
    meta = NewGoalMetadata.decode(view["private_metadata"])
    assert (meta.parent_view_id, meta.parent, meta.kind) == ("V1", parent, "staggered")
    shown = by_id(view)
    assert {GoalBlock.TITLE, GoalBlock.METRIC, GoalBlock.PRODUCT_OWNERS, GoalBlock.CHANNEL} <= set(shown)
    assert shown[GoalBlock.CHANNEL]["element"]["initial_conversation"] == "C1"


def test_the_cancel_confirmation_and_the_notice() -> None:
    view = valid_view(modals.build_cancel_modal(launch()))
    assert view["callback_id"] == Callback.CANCEL and LaunchRef.decode(view["private_metadata"]).launch_id == 4
    assert "&lt;!channel&gt;" in mrkdwn_of(view) and "<!channel>" not in mrkdwn_of(view)
    notice = valid_view(modals.build_notice_modal("Launch planned", replies.saved_text(launch(), created=True)))
    assert "submit" not in notice and "4 checklist items" in mrkdwn_of(notice)


# --- the launch message -------------------------------------------------------------------------


def test_the_launch_message_counts_down_and_shows_each_side() -> None:
    message = valid_message(views.launch_message(launch(), TODAY))
    text = mrkdwn_of(message["blocks"])
    assert "Launch day: <!date^" in text and "*in 35 days*" in text
    assert "<!channel>" not in text and "<https://evil" not in text and "<@U0EVIL>" not in text
    assert "&lt;!channel&gt;" in message["text"]
    # Product: positioning (both) done, pricing overdue. Marketing: positioning done, enablement due; dropped left out.
    assert "*Product* · <@U1>\n1/2 done · 0 due · *1 overdue*" in text
    assert "*Marketing* · <@U3>\n1/2 done · 1 due" in text
    assert "🔴" in text and "Webinar" not in text
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [(Action.OPEN_CHECKLIST, "4"), (Action.OPEN_MOVE, "4")]


def test_the_next_phase_after_the_first_shipped() -> None:
    shipped = launch(phases=(PhaseView(1, 0, "Beta", "", date(2026, 12, 1), shipped=True),
                             PhaseView(2, 1, "GA <now>", "", date(2026, 12, 8))))  # fmt: skip
    text = mrkdwn_of(views.launch_message(shipped, TODAY)["blocks"])
    assert "Next phase, GA &lt;now&gt;: <!date^" in text and "*tomorrow*" in text and "🚀 shipped" in text


def test_a_shipped_launch_keeps_the_checklist_a_cancelled_one_says_who() -> None:
    done = views.launch_message(launch(status=LaunchStatus.SHIPPED), TODAY + timedelta(days=70))
    buttons = [e["action_id"] for b in done["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == [Action.OPEN_CHECKLIST] and "Launched <!date^" in mrkdwn_of(done["blocks"])
    cancelled = valid_message(views.launch_message(launch(status=LaunchStatus.CANCELLED, cancelled_by="U3"), TODAY))
    assert [b["type"] for b in cancelled["blocks"]] == ["section"]
    assert "was cancelled by <@U3>" in mrkdwn_of(cancelled["blocks"])


# --- /launch answers ----------------------------------------------------------------------------


def test_the_list_links_each_launch_message() -> None:
    message = valid_message(replies.build_list_message([launch(), launch(id=5, message_ts=None)], TODAY))
    text = mrkdwn_of(message["blocks"])
    assert "<https://slack.com/archives/C1/p1700000000000100|See the plan> in <#C1>" in text
    assert "(launch 4)" in text and "(launch 5)" in text and "in 35 days" in text
    assert "<!channel>" not in text and "Product <@U1>: 1/2 done" in text
    assert "No launches yet" in replies.build_list_message([], TODAY)["text"]
    many = replies.build_list_message([launch(id=i) for i in range(30)], TODAY)
    assert "…and 10 more." in mrkdwn_of(many["blocks"]) and len(many["blocks"]) == replies.LIST_LIMIT + 2


def test_the_cancelled_dm() -> None:
    dm = valid_message(replies.cancelled_dm(launch(cancelled_by="U1")))
    text = mrkdwn_of(dm["blocks"])
    assert "was cancelled by <@U1>" in text and "<#C1>" in text and "<!channel>" not in text


def test_the_pushed_goal_form_carries_what_the_launch_modal_held_when_it_fits() -> None:
    typed = Draft(
        name=HOSTILE, what="For teams", kind=LaunchKind.STAGGERED, launch_on=date(2027, 1, 11),
        phases=(PhaseDraft("Beta", date(2027, 1, 11), "partners"), PhaseDraft("", None, "")),
        product_lead="U1", marketing_lead="U3", channel_id="C1", goal_ids=(3,), external_ok=True,
    )  # fmt: skip
    view = modals.build_new_goal_modal("V1", LaunchMetadata(), LaunchKind.STAGGERED, channel_id=None, today=TODAY,
                                       typed=typed)  # fmt: skip
    carried = NewGoalMetadata.decode(view["private_metadata"]).typed
    assert carried is not None and carried.draft() == typed
    # Too much to carry (Slack allows 3,000 characters of metadata): the structure only.
    huge = replace(typed, what='"' * 1000, phases=tuple(PhaseDraft("n" * 60, None, "\\" * 200) for _ in range(4)))
    view = valid_view(modals.build_new_goal_modal("V1", LaunchMetadata(), LaunchKind.STAGGERED, channel_id=None,
                                                  today=TODAY, typed=huge))  # fmt: skip
    meta = NewGoalMetadata.decode(view["private_metadata"])
    assert meta.typed is None and meta.kind == "staggered"
