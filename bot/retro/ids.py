"""Slack ids, job kinds and hook names for retros (the naming rule: bot/slack/ids.py), plus the
retro's own enumerations."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    SETUP = "retro_setup"
    ADD_ITEM = "retro_add_item"
    VOTE = "retro_vote"
    RATE = "retro_rate"
    ACTION_ITEM = "retro_action_item"
    RESCHEDULE = "retro_action_reschedule"
    DONE = "retro_done"  # a modal that only tells something (setup saved, or why a form could not open)


class Action(StrEnum):
    ADD_ITEM = "retro_add_item"
    VOTE = "retro_vote"
    RATE = "retro_rate"
    CLOSE = "retro_close"
    ADD_ACTION_ITEM = "retro_add_action_item"
    TOGGLE_VOTE = "retro_toggle_vote"
    ACTION_DONE = "retro_action_done"
    ACTION_RESCHEDULE = "retro_action_reschedule"


class Block(StrEnum):
    TITLE = "retro_title"
    CHANNEL = "retro_channel"
    EXTERNAL = "retro_external"
    WHEN = "retro_when"
    DATE = "retro_date"
    LAUNCH_DATE = "retro_launch_date"
    DAYS_AFTER_LAUNCH = "retro_days_after_launch"
    TIME = "retro_time"
    TIMEZONE = "retro_timezone"
    REPEAT = "retro_repeat"
    COLLECT = "retro_collect"
    TEMPLATE = "retro_template"
    PROMPTS = "retro_prompts"
    ANONYMITY = "retro_anonymity"
    VOTES = "retro_votes"
    INSIGHTS = "retro_insights"
    ITEM_PROMPT = "retro_item_prompt"
    ITEM_TEXT = "retro_item_text"
    ITEM_ANONYMOUS = "retro_item_anonymous"
    SIDE = "retro_side"
    TRUST = "retro_trust"
    OWNERSHIP = "retro_ownership"
    PLANNING = "retro_planning"
    FOCUS = "retro_focus"
    ACTION_SOURCE = "retro_action_source"
    ACTION_TEXT = "retro_action_text"
    ACTION_OWNER = "retro_action_owner"
    ACTION_DUE = "retro_action_due"


class RetroTemplate(StrEnum):
    WELL_NOT_TRY = "well_not_try"
    START_STOP_CONTINUE = "start_stop_continue"
    FOUR_LS = "four_ls"
    LAUNCH = "launch"
    ALIGNMENT = "alignment"
    PARTNERSHIP = "partnership"
    CUSTOM = "custom"


class Anonymity(StrEnum):
    OFF = "off"
    OPTIONAL = "optional"
    ALWAYS = "always"


class StartMode(StrEnum):
    NOW = "now"
    ON_DATE = "date"
    RECURRING = "recurring"


class RetroStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Side(StrEnum):
    PRODUCT = "product"
    MARKETING = "marketing"
    OTHER = "other"


class Strand(StrEnum):
    TRUST = "trust"
    OWNERSHIP = "ownership"
    PLANNING = "planning"


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


class JobKind(StrEnum):
    OPEN = "retro.open"
    CLOSE = "retro.close"
    ACTION_REMINDER = "retro.action_reminder"
    THEMES = "retro.themes"  # one-off, right after closing: the results gain "Main themes"


class Hook(StrEnum):
    MESSAGE_POSTED = "retro.message_posted"  # records the ts of a retro's channel message
