"""App Home "Our shared goals" end to end: every member sees the workspace's active goals with
their status and value against target; only a goal's owners get its Update button."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.goals.ids import Action as GoalAction
from bot.goals.ids import Confidence, Outcome
from tests.goals.helpers import check_in, close, make_goal
from tests.home.test_home_e2e import _buttons, _text
from tests.support.conformance import check_view
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def test_home_shows_shared_goals_with_update_only_for_owners(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    ws = bot.emulator.workspace
    pat, mia, asha = ws.user_id("pat"), ws.user_id("mia"), ws.user_id("asha")
    channel = ws.channel_id("product-marketing")
    bot.set_now(NOW)
    with bot.services.db.unit_of_work() as session:
        mine = make_goal(
            session,
            at=NOW - timedelta(days=14),
            team_id=ws.team_id,
            title="Lift <trial> conversion",
            product_owners=(pat,),
            marketing_owners=(mia,),
            channel_id=channel,
        )
        check_in(session, mine, 5.0, Confidence.AT_RISK, NOW - timedelta(days=1), user_id=pat)
        theirs = make_goal(
            session,
            at=NOW - timedelta(days=14),
            team_id=ws.team_id,
            title="Cut CAC",
            product_owners=(asha,),
            marketing_owners=(mia,),
            channel_id=channel,
        )
        done = make_goal(
            session,
            at=NOW - timedelta(days=14),
            team_id=ws.team_id,
            title="Closed goal",
            product_owners=(pat,),
            marketing_owners=(mia,),
            channel_id=channel,
        )
        close(session, done, Outcome.HIT, NOW - timedelta(days=2))
        other = make_goal(session, at=NOW - timedelta(days=14), team_id="T0ELSEWHERE", title="Not ours")
        mine_id, theirs_id, other_id = mine.id, theirs.id, other.id

    user = bot.user("pat")
    assert user.open_home().status == 200
    home = user.home()
    assert check_view(home) == [] and len(home["blocks"]) <= 100
    text = _text(home)
    assert "*:dart: Our shared goals*" in text
    assert "Lift &lt;trial&gt; conversion" in text and "<trial>" not in text
    assert ":large_yellow_circle: At risk" in text and "Trial-to-paid conversion: 5% of 6% (50%)" in text
    assert text.index("Lift &lt;trial&gt;") < text.index("Cut CAC")  # pat's own goal first
    assert "Closed goal" not in text and "Not ours" not in text
    update = [b for b in _buttons(home) if b[1] == GoalAction.UPDATE]
    assert update == [("Update", GoalAction.UPDATE.value, str(mine_id))]  # not on Cut CAC, not pat's

    other_user = bot.user("asha")
    other_user.open_home()
    buttons = [b for b in _buttons(other_user.home()) if b[1] == GoalAction.UPDATE]
    assert buttons == [("Update", GoalAction.UPDATE.value, str(theirs_id))]
    assert str(other_id) not in {b[2] for b in buttons}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_many_goals_are_capped_with_and_n_more(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    ws = bot.emulator.workspace
    pat, mia = ws.user_id("pat"), ws.user_id("mia")
    bot.set_now(NOW)
    with bot.services.db.unit_of_work() as session:
        for n in range(30):
            make_goal(
                session,
                at=NOW,
                team_id=ws.team_id,
                title=f"Goal {n}",
                product_owners=(pat,),
                marketing_owners=(mia,),
                channel_id=ws.channel_id("product-marketing"),
            )
    user = bot.user("pat")
    user.open_home()
    home = user.home()
    assert check_view(home) == [] and len(home["blocks"]) <= 100
    text = "\n".join(e.get("text", "") for b in home["blocks"] if b["type"] == "context" for e in b["elements"])
    assert "…and 22 more: see `/goal list`" in text
