"""A goal's unit label is user text: every surface that lists a goal shows it escaped exactly once
(``&lt;EUR&gt;`` in the mrkdwn, so Slack shows ``<EUR>``), never twice (``&amp;lt;``)."""

from __future__ import annotations

import json

from bot.goals.ids import Unit
from bot.home import views as home_views
from bot.retro import views as retro_views
from tests.playground import test_golden as golden


def test_home_and_retro_goal_lines_escape_the_unit_label_once() -> None:
    goal = golden._goal(unit=Unit.CURRENCY, unit_label="<EUR>")
    retro_line = retro_views.goal_line(goal)
    assert "&lt;EUR&gt; 5" in retro_line and "&amp;lt;" not in retro_line

    home = json.dumps(home_views.build_home_view(golden.HOME))
    assert "&lt;EUR&gt; 5 of &lt;EUR&gt; 6" in home and "&amp;lt;EUR" not in home
