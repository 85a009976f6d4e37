"""Callback, block and action ids for customer insights, plus the domain vocabularies."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    MESSAGE_SHORTCUT = "save_as_insight"  # declared in manifest.yml
    CAPTURE = "insights_capture"
    DUPLICATES = "insights_duplicates"
    PLUS_ONE = "insights_plus_one"
    TRIAGE = "insights_triage"
    SETUP = "insights_setup"
    DONE = "insights_done"
    TELL_THREAD = "insights_tell_thread"  # the preview of a reply in a customer's own thread


class Block(StrEnum):
    TEXT = "insight_text"
    CUSTOMER = "insight_customer"
    SEGMENT = "insight_segment"
    SOURCE = "insight_source"
    CATEGORY = "insight_category"
    IMPACT = "insight_impact"
    EVIDENCE = "insight_evidence"
    TAGS = "insight_tags"
    NEW_TAGS = "insight_new_tags"
    CHOICE = "insight_duplicate_choice"
    NOTE = "insight_note"
    STATUS = "insight_status"
    ROADMAP = "insight_roadmap"
    TELL_THREAD = "insight_tell_thread"
    PREVIEW = "insight_thread_preview"
    CHANNEL = "insights_channel"
    TRIAGER_USERS = "insights_triager_users"
    TRIAGER_GROUP = "insights_triager_group"
    LOOP = "insights_loop"
    INSIGHT_ACTIONS = "insight_actions"
    PAGER = "insights_pager"


class Hook(StrEnum):
    POSTED = "insights.posted"  # the insight's message in the insights channel was posted


class Action(StrEnum):
    # Inputs: one action id per block, named after what it holds.
    INPUT = "value"
    # Buttons.
    HEARD_TOO = "insight_heard_too"
    TRIAGE = "insight_triage"
    NEXT_PAGE = "insights_next_page"


class Source(StrEnum):
    SALES_CALL = "sales_call"
    SUPPORT_TICKET = "support_ticket"
    SURVEY = "survey"
    USER_INTERVIEW = "user_interview"
    SOCIAL = "social"
    ANALYTICS = "analytics"
    COMPETITOR = "competitor"
    OTHER = "other"

    @property
    def label(self) -> str:
        return SOURCE_LABELS[self]


SOURCE_LABELS: dict[Source, str] = {
    Source.SALES_CALL: "Sales call",
    Source.SUPPORT_TICKET: "Support ticket",
    Source.SURVEY: "Survey",
    Source.USER_INTERVIEW: "User interview",
    Source.SOCIAL: "Social",
    Source.ANALYTICS: "Analytics",
    Source.COMPETITOR: "Competitor",
    Source.OTHER: "Other",
}


class Category(StrEnum):
    CUSTOMER_NEEDS = "customer_needs"
    POSITIONING = "positioning"
    PRICING = "pricing"
    ROADMAP = "roadmap"
    COMPETITIVE = "competitive"
    BUSINESS_MODEL = "business_model"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.CUSTOMER_NEEDS: "Customer needs and pain points",
    Category.POSITIONING: "Market positioning and perception",
    Category.PRICING: "Pricing and packaging",
    Category.ROADMAP: "Roadmap and validation",
    Category.COMPETITIVE: "Competitive intel",
    Category.BUSINESS_MODEL: "Business model and growth loops",
}


class Impact(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Status(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    PLANNED = "planned"
    SHIPPED = "shipped"
    WONT_DO = "wont_do"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]

    @property
    def emoji(self) -> str:
        return STATUS_EMOJI[self]


STATUS_LABELS: dict[Status, str] = {
    Status.NEW: "New",
    Status.ACKNOWLEDGED: "Acknowledged",
    Status.PLANNED: "Planned",
    Status.SHIPPED: "Shipped",
    Status.WONT_DO: "Won't do",
}

STATUS_EMOJI: dict[Status, str] = {
    Status.NEW: ":new:",
    Status.ACKNOWLEDGED: ":eyes:",
    Status.PLANNED: ":spiral_calendar_pad:",
    Status.SHIPPED: ":rocket:",
    Status.WONT_DO: ":no_entry_sign:",
}


class LoopTarget(StrEnum):
    """Who hears about a status change; each workspace picks any of these in ``/insight setup``."""

    SUBMITTER = "submitter"
    PLUS_ONES = "plus_ones"
    THREAD = "thread"

    @property
    def label(self) -> str:
        return LOOP_LABELS[self]


LOOP_LABELS: dict[LoopTarget, str] = {
    LoopTarget.SUBMITTER: "DM the person who shared it",
    LoopTarget.PLUS_ONES: "DM everyone who heard it too",
    LoopTarget.THREAD: "Reply in the original thread (no customer details)",
}
