"""Check-in views: structure, Slack's limits (slack_sdk's models) and escaping of hostile text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

from slack_sdk.models.blocks import Block as SdkBlock
from slack_sdk.models.views import View

from bot.goals import checkin_views
from bot.goals.data import CheckinView, GoalView
from bot.goals.ids import Action, Block, Callback, CheckinCadence, Confidence, Direction, Kind, Status, Unit

HOSTILE = "<!channel> *bold* <@U0EVIL> & <https://evil.example|click>"
AT = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)


def goal(**changes: Any) -> GoalView:
    base = GoalView(
        id=7, title=f"Lift trial-to-paid {HOSTILE}", why="", kind=Kind.TARGET, metric_name=f"Conversion {HOSTILE}",
        unit=Unit.PERCENT, unit_label="", direction=Direction.UP, baseline=4.0, target=6.0, due_on=date(2027, 6, 30),
        range_low=None, range_high=None, status=Status.ACTIVE, channel_id="C0GOALS001",
        product_owners=("U0PRODUCT1",), marketing_owners=("U0MARKET01",), visibility_only=False,
        cadence=CheckinCadence.WEEKLY, weekday=0, local_time=time(9, 30), current=5.1, current_at=AT,
        last_checkin=None, previous_checkin_value=None, stale=False,
    )  # fmt: skip
    return replace(base, **changes)


def check_message(message: dict[str, Any]) -> str:
    assert message["text"]
    for block in message["blocks"]:
        SdkBlock.parse(block).validate_json()  # type: ignore[union-attr]
    everything = json.dumps(message)
    assert "<!channel>" not in everything and "<@U0EVIL>" not in everything and "<https://evil" not in everything
    return everything


def test_prompt_pulled_problem_and_reminder() -> None:
    pulled = check_message(
        checkin_views.prompt_message(goal(), due_on=date(2027, 3, 8), pulled=5.1, pull_problem="", reminder=False)
    )
    assert "Pulled from your source: *5.1%*" in pulled and Action.UPDATE in pulled and '"value": "7"' in pulled
    problem = f"the source answered HTTP 500 {HOSTILE}"
    asked = check_message(
        checkin_views.prompt_message(goal(), due_on=date(2027, 3, 8), pulled=None, pull_problem=problem, reminder=False)
    )
    assert "couldn't pull the value from your source: the source answered HTTP 500" in asked
    reminder = check_message(
        checkin_views.prompt_message(goal(), due_on=date(2027, 3, 8), pulled=None, pull_problem=problem, reminder=True)
    )
    assert "Reminder" in reminder and "HTTP 500" not in reminder


def test_answered_dm_reply_and_stale() -> None:
    checkin = CheckinView(5.3, Confidence.AT_RISK, f"Pricing page {HOSTILE}", "U0PRODUCT1", AT)
    answered = check_message(checkin_views.answered_prompt_message(goal(), checkin, previous=5.0))
    assert "<@U0PRODUCT1> checked in" in answered and "+0.3% better since the last check-in" in answered
    assert Action.UPDATE not in answered  # nothing left to do in that DM
    reply = check_message(checkin_views.checkin_reply(goal(current=5.3), checkin, previous=None))
    assert "5.3%" in reply and "At risk" in reply and "Pricing page" in reply
    stale = check_message(checkin_views.stale_message(goal(stale=True)))
    assert "missed its last two check-ins" in stale and "<#C0GOALS001>" in stale


def test_checkin_modal_prefilled_and_within_limits() -> None:
    last = CheckinView(5.0, Confidence.ON_TRACK, "", "U0PRODUCT1", AT)
    modal = checkin_views.checkin_modal(
        goal(current=1234.5, unit=Unit.COUNT, last_checkin=last), pulled=1234.5, metadata='{"goal_id":7}'
    )
    View(**modal).validate_json()
    assert modal["callback_id"] == Callback.CHECKIN and modal["private_metadata"] == '{"goal_id":7}'
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    assert list(inputs) == [Block.VALUE, Block.CONFIDENCE, Block.NOTE]
    assert inputs[Block.VALUE]["element"]["initial_value"] == "1234.5"  # no thousands comma to trip over
    assert inputs[Block.CONFIDENCE]["element"]["initial_option"]["value"] == "on_track"
    assert inputs[Block.NOTE].get("optional") is True
    assert "<!channel>" not in json.dumps(modal["blocks"][0])
    View(**checkin_views.notice_modal("Only the goal's owners <b>")).validate_json()
