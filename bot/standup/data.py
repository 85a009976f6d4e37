"""The stand-up's contract: what its forms collect, what its services return to the views, its
limits and its errors. Plain dataclasses only (no ORM rows, no Slack), so forms, services and
views can be tested apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

from bot.slack.errors import NotAllowed as NotAllowedError
from bot.slack.errors import NotFound as NotFoundError
from bot.slack.errors import UserError
from bot.standup.ids import Side, ZoneMode
from bot.summaries.data import Summary

if TYPE_CHECKING:  # annotations only: bot.slack.users talks to Slack, this module must not
    from bot.slack.users import SlackUser

DEFAULT_QUESTIONS = ("What did you move forward since last time?", "What's next?")
DEFAULT_BLOCKER_QUESTION = "Anything blocked, or anything you need from the other team?"
# Enforced by the forms and the services and declared on the inputs (max_length), so Slack stops
# people at the limit.
NAME_LIMIT = 80
QUESTION_LIMIT = 150
ANSWER_LIMIT = 2000
MAX_QUESTIONS = 6
LIST_LIMIT = 10
DEFAULT_ESCALATE_DAYS = 2  # working days an ask or blocker stays open before its owner hears of it
GONE = "That stand-up is gone."


# --- errors ------------------------------------------------------------------------------------


class StandupError(UserError):
    """A user-presentable problem (``str()`` is the message; ``block_id`` its modal field, if any)."""


class NotAllowed(StandupError, NotAllowedError):
    pass


class NotFound(StandupError, NotFoundError):
    pass


class DirectoryUnavailable(Exception):
    """Slack could not say who someone is (an API error); each caller decides how to go on."""


# --- who people are --------------------------------------------------------------------------------


class Directory(Protocol):
    """Who people are: Slack users.info / usergroups, behind a protocol so services never hold a
    Slack client (``directory.SlackDirectory``) and tests can fake it. Errors from Slack arrive as
    ``DirectoryUnavailable``."""

    def get_user(self, user_id: str) -> SlackUser | None: ...

    def group_members(self, group_id: str) -> list[str]: ...


# --- setup ---------------------------------------------------------------------------------------


@dataclass
class StandupInput:
    """What the setup modal collected, already parsed (``forms.parse_setup``)."""

    name: str
    channel_id: str
    people: dict[Side, list[str]]
    groups: dict[Side, list[str]]
    days: list[int]
    local_time: str  # "HH:MM"
    zone_mode: ZoneMode
    timezone: str
    questions: dict[str, list[str]]  # "all" plus optional per-side overrides
    blocker_question: str
    reminder_minutes: int
    open_minutes: int
    prefill: bool
    external_ok: bool = False  # the "post there anyway" box was ticked
    escalate_after_days: int = 2  # DEFAULT_ESCALATE_DAYS; 0 = never
    channel_external: bool = False  # the channel is shared with another organisation (checked at submit)


@dataclass
class SetupForm:
    standup_id: int | None = None
    name: str = ""
    channel_id: str | None = None
    people: dict[Side, list[str]] = field(default_factory=dict)
    groups: dict[Side, list[str]] = field(default_factory=dict)
    days: list[int] = field(default_factory=lambda: [0, 1, 2, 3, 4])
    local_time: str = "09:30"
    zone_mode: ZoneMode = ZoneMode.PERSONAL
    timezone: str = "UTC"
    questions: dict[str, list[str]] = field(default_factory=dict)
    blocker_question: str = ""
    reminder_minutes: int = 120
    open_minutes: int = 480
    prefill: bool = True
    external_ok: bool = False  # confirmed posting in a channel shared with another organisation
    escalate_after_days: int = 2  # DEFAULT_ESCALATE_DAYS


@dataclass(frozen=True)
class Usergroup:
    id: str
    handle: str
    name: str


@dataclass(frozen=True)
class ListRow:
    name: str
    channel_id: str
    days: list[int]
    local_time: str
    zone_mode: ZoneMode
    timezone: str
    participants: int
    paused: bool
    owner_id: str


@dataclass(frozen=True)
class GroupChange:
    """What re-reading a stand-up's user groups changed."""

    team_id: str
    standup_id: int
    name: str
    added: list[str]
    removed: list[str]


# --- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AskLine:
    ask_id: int
    from_user: str
    text: str


@dataclass(frozen=True)
class ParentView:
    standup_name: str
    local_date: date
    closes_at: datetime


@dataclass(frozen=True)
class PromptView:
    occurrence_id: int
    standup_name: str
    channel_id: str
    local_date: date
    closes_at: datetime
    asks: list[AskLine] = field(default_factory=list)


@dataclass
class AnswerForm:
    occurrence_id: int
    standup_name: str
    local_date: date
    questions: list[str]
    blocker_question: str
    initial: list[str]
    blocker: str = ""
    ask_user: str | None = None
    ask_text: str = ""
    editing: bool = False
    asks_for_me: list[AskLine] = field(default_factory=list)
    my_last_blocker: str = ""


@dataclass(frozen=True)
class AnswerView:
    answer_id: int
    user_id: str
    name: str
    side: Side
    responses: list[tuple[str, str]]
    blocker_question: str
    blocker: str
    ask_to_name: str
    ask_text: str
    ask_handled: bool
    edited: bool
    late: bool


@dataclass
class SideCount:
    answered: int = 0
    skipped: int = 0
    away: int = 0
    missing: int = 0
    holiday: int = 0  # off for a public holiday or company day off

    @property
    def total(self) -> int:
        return self.answered + self.skipped + self.away + self.missing + self.holiday


@dataclass
class SummaryView:
    standup_name: str
    local_date: date
    sides: dict[Side, SideCount]
    blockers: list[tuple[str, Side, str]]  # (name, side, text)
    asks: list[tuple[str, str, str, bool]]  # (from name, to name, text, handled)
    closed_at: datetime | None
    off: list[tuple[str, str]] = field(default_factory=list)  # (name, holiday): off (holiday)
    in_short: Summary | None = None  # bot.summaries: the model's or the extractive one


# --- days off and escalation ---------------------------------------------------------------------


@dataclass(frozen=True)
class EscalationView:
    """An ask or blocker open too long, as its owner's DM shows it."""

    escalation_id: int
    kind: str  # ids.EscalationKind
    standup_name: str
    channel_id: str
    from_user: str  # who asked, or who is blocked
    target_user: str  # who a nudge goes to (the person asked, or the blocked person)
    text: str
    since: datetime
    working_days: int


@dataclass(frozen=True)
class NudgeView:
    kind: str  # ids.EscalationKind
    standup_name: str
    owner_id: str
    from_user: str
    text: str
    since: datetime
    ask_id: int | None  # an ask's "Mark handled" button


@dataclass
class HolidaysForm:
    """The "My public holidays" modal: whose calendar, and what is picked now."""

    user_id: str
    country: str = ""
    subdivision: str = ""
    zone: str = ""  # their Slack time zone, to say what the default would be
    zone_default: str = ""  # "" when the zone is ambiguous
    countries: list[tuple[str, str]] = field(default_factory=list)  # (code, name)
    subdivisions: list[tuple[str, str]] = field(default_factory=list)
