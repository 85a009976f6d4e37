"""Action ids of the App Home's own buttons (stand-up answers reuse the stand-up's action).

Named by the rule in bot/slack/ids.py (``Action``).
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    ASK_DONE = "home_ask_done"  # value: ask id
    ACTION_DONE = "home_action_done"  # value: retro action item id
    NEW_STANDUP = "home_new_standup"
    EDIT_STANDUP = "home_edit_standup"  # value: stand-up id
    NEW_RETRO = "home_new_retro"
    EDIT_RETRO = "home_edit_retro"  # value: retro series id
