"""Callback, block, action ids, job kinds and hook names for joint stand-ups (one place, so listeners,
views, jobs and the outbox agree), plus the stand-up's vocabularies."""

from __future__ import annotations

from enum import StrEnum


class Side(StrEnum):
    PRODUCT = "product"
    MARKETING = "marketing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"product": "Product", "marketing": "Marketing", "other": "Other"}[self.value]


class ZoneMode(StrEnum):
    FIXED = "fixed"  # one zone for everybody
    PERSONAL = "personal"  # each participant at their own local time


class AskStatus(StrEnum):
    OPEN = "open"
    HANDLED = "handled"
    WITHDRAWN = "withdrawn"


class EscalationKind(StrEnum):
    ASK = "ask"  # ref_id: the ask
    BLOCKER = "blocker"  # ref_id: the first answer of an unbroken run of answers with a blocker


class JobKind(StrEnum):
    PROMPT = "standup.prompt"
    REMIND = "standup.remind"
    CLOSE = "standup.close"


class Hook(StrEnum):
    """Outbox result hooks (``outbox.RESULT_HOOKS``) and the ritual kind of failure alerts."""

    PARENT_SENT = "standup.parent_sent"
    ANSWER_SENT = "standup.answer_sent"


RITUAL_KIND = "standup"


class Callback(StrEnum):
    SETUP = "standup_setup"
    ANSWER = "standup_answer"
    HOLIDAYS = "standup_holidays"  # "My public holidays" modal


class Action(StrEnum):
    EXTERNAL = "standup_external_ok"
    OPEN_ANSWER = "standup_open_answer"
    SKIP_TODAY = "standup_skip_today"
    EDIT_ANSWER = "standup_edit_answer"
    ASK_HANDLED = "standup_ask_handled"
    OPEN_HOLIDAYS = "standup_open_holidays"  # App Home button; value: the user whose calendar
    NUDGE = "standup_escalation_nudge"  # value: escalation id
    HOLIDAY_USER = "holiday_user"
    HOLIDAY_COUNTRY = "holiday_country"
    HOLIDAY_SUBDIVISION = "holiday_subdivision"
    ESCALATE = "escalate_after"
    # inputs
    NAME = "name"
    CHANNEL = "channel"
    PEOPLE = "people"
    GROUPS = "groups"
    DAYS = "days"
    TIME = "time"
    ZONE_MODE = "zone_mode"
    TIMEZONE = "timezone"
    QUESTIONS = "questions"
    BLOCKER_QUESTION = "blocker_question"
    REMINDER = "reminder"
    OPEN_FOR = "open_for"
    OPTIONS = "options"
    ANSWER_TEXT = "answer"
    BLOCKER = "blocker"
    ASK_USER = "ask_user"
    ASK_TEXT = "ask_text"


class Block(StrEnum):
    NAME = "standup_name"
    CHANNEL = "standup_channel"
    EXTERNAL = "standup_external"
    PEOPLE_PRODUCT = "standup_people_product"
    PEOPLE_MARKETING = "standup_people_marketing"
    PEOPLE_OTHER = "standup_people_other"
    GROUPS_PRODUCT = "standup_groups_product"
    GROUPS_MARKETING = "standup_groups_marketing"
    GROUPS_OTHER = "standup_groups_other"
    DAYS = "standup_days"
    TIME = "standup_time"
    ZONE_MODE = "standup_zone_mode"
    TIMEZONE = "standup_timezone"
    QUESTIONS = "standup_questions"
    QUESTIONS_PRODUCT = "standup_questions_product"
    QUESTIONS_MARKETING = "standup_questions_marketing"
    QUESTIONS_OTHER = "standup_questions_other"
    BLOCKER_QUESTION = "standup_blocker_question"
    REMINDER = "standup_reminder"
    OPEN_FOR = "standup_open_for"
    OPTIONS = "standup_options"
    ANSWER_PREFIX = "standup_q_"  # + question index
    BLOCKER = "standup_blocker"
    ASK_USER = "standup_ask_user"
    ASK_TEXT = "standup_ask_text"
    PROMPT_ACTIONS = "standup_prompt_actions"
    ANSWER_ACTIONS = "standup_answer_actions"
    ASK_ACTIONS = "standup_ask_actions"
    ESCALATE = "standup_escalate_after"
    HOLIDAY_USER = "standup_holiday_user"
    HOLIDAY_COUNTRY = "standup_holiday_country"
    HOLIDAY_SUBDIVISION = "standup_holiday_subdivision"
    NUDGE_ACTIONS = "standup_nudge_actions"

    @staticmethod
    def people(side: Side) -> str:
        return f"standup_people_{side.value}"

    @staticmethod
    def groups(side: Side) -> str:
        return f"standup_groups_{side.value}"

    @staticmethod
    def questions(side: Side) -> str:
        """The optional "different questions for <side>" input."""
        return f"standup_questions_{side.value}"

    @staticmethod
    def answer(index: int) -> str:
        return f"{Block.ANSWER_PREFIX.value}{index}"


PREFILL_OPTION = "prefill"
