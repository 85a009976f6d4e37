"""The insights contract: inputs, view-models, results, limits, the Slack reads the services need
(``Directory``) and the package's errors. Pure data: no tables, no Slack client."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from bot.insights.ids import Category, Impact, LoopTarget, Source, Status
from bot.slack import errors
from bot.slack.errors import UserError

# --- limits ---------------------------------------------------------------------------------------

TEXT_MAX = 3000
CUSTOMER_MAX = 200
SEGMENT_MAX = 100
URL_MAX = 2000
NOTE_MAX = 1000
TAG_MAX = 40
MAX_TAGS = 10
PAGE_SIZE = 5
DRAFT_TTL = timedelta(days=1)
SIMILAR_LIMIT = 5
SEARCH_LIMIT = 200

RITUAL_KIND = "insights"  # the outbox's ritual kind: a failed post alerts its owner
TELL_VALUE = "tell_thread"  # the triage modal's "Also tell them in #channel" checkbox
NEW_CHOICE = "new"  # the duplicate offer's "Save mine as a new insight"

Errors = dict[str, str]  # block id -> message, for ``response_action: errors``


# --- errors ---------------------------------------------------------------------------------------


class InsightError(UserError):
    """A problem the person can act on; ``str()`` is the friendly sentence shown to them."""


class InsightNotFound(InsightError, errors.NotFound):
    def __init__(self) -> None:
        super().__init__("I can't find that insight any more. It may have been removed.")


class DraftExpired(InsightError):
    def __init__(self) -> None:
        super().__init__(
            "I lost track of what you typed (it was parked for over a day). Please start again with `/insight`."
        )


class NotTriager(InsightError, errors.NotAllowed):
    def __init__(self, who: str) -> None:
        super().__init__(f"Only {who} can triage insights. Ask them, or an admin can change this in `/insight setup`.")


class NotAllowedToSetUp(InsightError, errors.NotAllowed):
    def __init__(self) -> None:
        super().__init__("Only workspace admins and insight triagers can change the insights setup.")


# --- what the services read from Slack ------------------------------------------------------------


class Directory(Protocol):
    """Slack reads behind the services (``bot.insights.directory.SlackDirectory`` in the app)."""

    def is_admin(self, user_id: str) -> bool: ...

    def group_members(self, group_id: str) -> list[str]: ...

    def usergroups(self) -> list[tuple[str, str]]:
        """The workspace's user groups as (id, handle or name); empty when Slack won't say."""
        ...

    def shared_with_others(self, channel_id: str) -> bool:
        """Whether ``channel_id`` is shared with another organisation. A channel Slack won't
        describe (deleted, private without us) counts as shared: nothing goes there unasked."""
        ...


# --- inputs ---------------------------------------------------------------------------------------


class CaptureForm(BaseModel):
    """What the person typed in the capture modal, before validation (stored as a draft as-is)."""

    model_config = ConfigDict(extra="ignore")

    text: str = ""
    customer: str = ""
    segment: str = ""
    source: str | None = None
    category: str | None = None
    impact: str | None = None
    evidence_url: str = ""
    tags: list[str] = []
    new_tags: str = ""


class CaptureContext(BaseModel):
    """Where a capture came from: the message of a message shortcut, if any."""

    model_config = ConfigDict(extra="ignore")

    source_channel_id: str = ""
    message_ts: str = ""
    thread_ts: str = ""
    author_id: str = ""
    permalink: str = ""


@dataclass(frozen=True)
class CleanCapture:
    text: str
    customer: str
    segment: str
    source: str | None
    category: str | None
    impact: str | None
    evidence_url: str
    tags: list[str]


@dataclass(frozen=True)
class SetupChoice:
    channel_id: str
    triager_user_ids: list[str]
    triager_usergroup_id: str | None
    loop: list[LoopTarget]


@dataclass(frozen=True)
class InsightFilter:
    kind: str  # "all" | "mine" | "status" | "category" | "tag" | "search"
    value: str = ""

    @property
    def label(self) -> str:
        if self.kind == "mine":
            return "shared by you"
        if self.kind == "status":
            return f"status {Status(self.value).label}"
        if self.kind == "category":
            return Category(self.value).label
        if self.kind == "tag":
            return f"tag #{self.value}"
        if self.kind == "search":
            return f"matching “{self.value}”"
        return "most recent"


# --- what the views render ------------------------------------------------------------------------


@dataclass(frozen=True)
class InsightCard:
    id: int
    number: int
    text: str
    customer: str
    segment: str
    source: Source | None
    category: Category | None
    impact: Impact | None
    evidence_url: str
    tags: list[str]
    status: Status
    status_note: str
    roadmap_url: str
    submitted_by: str
    plus_ones: int
    plus_one_customers: list[str]
    created_at: datetime
    channel_id: str = ""
    message_ts: str | None = None
    source_permalink: str = ""


@dataclass(frozen=True)
class StatusNotice:
    number: int
    text: str
    status: Status
    note: str
    roadmap_url: str
    changed_by: str
    insight_permalink_channel: str = ""


@dataclass(frozen=True)
class SetupState:
    channel_id: str | None
    triager_user_ids: list[str]
    triager_usergroup_id: str | None
    loop: list[LoopTarget]
    usergroups: list[tuple[str, str]] = field(default_factory=list)  # (id, handle or name)


@dataclass(frozen=True)
class InsightPage:
    filter: InsightFilter
    cards: list[InsightCard]
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages
