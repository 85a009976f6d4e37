"""Callback, block, action and job ids for shared goals, plus the domain vocabularies."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    CREATE = "goals_create"
    EDIT = "goals_edit"
    CHECKIN = "goals_checkin"
    CLOSE = "goals_close"
    DELETE = "goals_delete"
    TOKEN = "goals_token"  # shows a freshly made push token, once
    VALUES = "goals_values"  # "Values: push & pull": the push address and token, the pull source
    NOTICE = "goals_notice"  # a modal that only says something (saved, closed, deleted)


class Block(StrEnum):
    TITLE = "goal_title"
    WHY = "goal_why"
    METRIC = "goal_metric"
    UNIT = "goal_unit"
    UNIT_LABEL = "goal_unit_label"
    BASELINE = "goal_baseline"
    TARGET = "goal_target"
    DIRECTION = "goal_direction"
    KIND = "goal_kind"
    DUE = "goal_due"
    RANGE_LOW = "goal_range_low"
    RANGE_HIGH = "goal_range_high"
    PRODUCT_OWNERS = "goal_product_owners"
    MARKETING_OWNERS = "goal_marketing_owners"
    VISIBILITY_ONLY = "goal_visibility_only"
    CHANNEL = "goal_channel"
    CADENCE = "goal_cadence"
    WEEKDAY = "goal_weekday"
    TIME = "goal_time"
    PULL_URL = "goal_pull_url"
    PULL_POINTER = "goal_pull_pointer"
    PULL_TOKEN = "goal_pull_token"
    PULL_TOKEN_REMOVE = "goal_pull_token_remove"  # "remove the stored token" (values modal)
    PUSH_ACTIONS = "goal_push_actions"  # "Make a new token" (values modal)
    PULL_ACTIONS = "goal_pull_actions"  # "Test the source now" (values modal)
    PULL_RESULT = "goal_pull_result"  # what the test fetched, or why it could not (values modal)
    EXTERNAL = "goal_external"  # the Slack Connect confirmation (bot.slack.channels)
    # Check-in and close.
    VALUE = "goal_value"
    CONFIDENCE = "goal_confidence"
    NOTE = "goal_note"
    OUTCOME = "goal_outcome"
    LEARNING = "goal_learning"
    # Messages.
    GOAL_ACTIONS = "goal_actions"
    PROMPT_ACTIONS = "goal_prompt_actions"


class Action(StrEnum):
    INPUT = "value"  # every input: one action id per block, named after what it holds
    UPDATE = "goal_update"  # opens the check-in modal (value = goal id)
    OPEN_RETRO = "goal_open_retro"  # after closing: handled by bot.retro (it owns the retro modal)
    GOAL_MENU = "goal_menu"  # the overflow on a goal in /goal list and App Home
    NEW_TOKEN = "goal_new_token"  # values modal: make a new push token, shown once (value = goal id)
    TEST_SOURCE = "goal_test_source"  # values modal: fetch the pull source now (value = goal id)


class Hook(StrEnum):
    POSTED = "goals.posted"  # the goal's channel message was posted: remember its ts (thread root)
    PROMPTED = "goals.prompted"  # an owner's check-in DM was posted: remember it to update later
    CHECKIN_POSTED = "goals.checkin_posted"  # a check-in's thread reply was posted
    MESSAGE = "goals.message"  # renderer: the goal's channel message, rendered when its update is sent


class JobKind(StrEnum):
    PROMPT = "goals.prompt"  # recurring, per owner in their zone: ref_id = goal id, subject = owner
    REMIND = "goals.remind"  # one-off, ref_id = round id: the one reminder if nobody answered
    MISS = "goals.miss"  # one-off, ref_id = round id: the round ended unanswered


class Side(StrEnum):
    PRODUCT = "product"
    MARKETING = "marketing"

    @property
    def label(self) -> str:
        return {"product": "Product", "marketing": "Marketing"}[self.value]


class Unit(StrEnum):
    PERCENT = "percent"
    COUNT = "count"
    CURRENCY = "currency"  # unit_label holds the ISO code or symbol ("EUR", "$")
    CUSTOMIZED = "custom"  # unit_label holds the word ("signups", "NPS points")

    @property
    def label(self) -> str:
        return {"percent": "%", "count": "Count", "currency": "Currency", "custom": "Custom"}[self.value]


class Direction(StrEnum):
    UP = "up"  # higher is better
    DOWN = "down"  # lower is better (churn, CAC)

    @property
    def label(self) -> str:
        return {"up": "Up (higher is better)", "down": "Down (lower is better)"}[self.value]


class Kind(StrEnum):
    TARGET = "target"  # reach a target by a due date
    KPI = "kpi"  # an ongoing KPI kept within a healthy range

    @property
    def label(self) -> str:
        return {"target": "Reach a target by a date", "kpi": "Ongoing KPI with a healthy range"}[self.value]


class CheckinCadence(StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"  # the first <weekday> of each month

    @property
    def label(self) -> str:
        return {"weekly": "Every week", "biweekly": "Every 2 weeks", "monthly": "Every month"}[self.value]


class Status(StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"


class Confidence(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"

    @property
    def label(self) -> str:
        return {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}[self.value]

    @property
    def emoji(self) -> str:
        return {"on_track": ":large_green_circle:", "at_risk": ":large_yellow_circle:", "off_track": ":red_circle:"}[
            self.value
        ]

    @property
    def rank(self) -> int:
        """Sort order for "worst first" lists: off track, at risk, on track."""
        return {"off_track": 0, "at_risk": 1, "on_track": 2}[self.value]


class Outcome(StrEnum):
    HIT = "hit"
    PARTLY = "partly"
    MISSED = "missed"

    @property
    def label(self) -> str:
        return {"hit": "Hit", "partly": "Partly hit", "missed": "Missed"}[self.value]


class ValueSource(StrEnum):
    CHECKIN = "checkin"  # typed by an owner in the check-in modal
    PUSH = "push"  # POST /goals/<id>/values
    PULL = "pull"  # fetched from the goal's pull URL before a check-in


class RoundStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    MISSED = "missed"
