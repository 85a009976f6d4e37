"""The retro's contract: the inputs, read models and results its services hand around, its limits
and its errors.

Frozen dataclasses, no Slack and no database: ``forms`` builds ``SeriesSetup`` from the setup
modal, the services return the read models, ``views`` and ``modals`` render them. ``SetupResult``
and ``ManageResult`` carry the series row itself (its attributes are all a view reads); the table
classes are named for the type checker only.

Anonymity: ``ItemView.author_id`` is ``None`` for an anonymous item, and nothing here ever pairs
a person with a vote or a rating.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from bot.goals.data import GoalView
from bot.retro.ids import ActionStatus, Anonymity, RetroStatus, RetroTemplate, Side, StartMode, Strand
from bot.slack.errors import NotAllowed as NotAllowedError
from bot.slack.errors import NotFound as NotFoundError
from bot.slack.errors import UserError
from bot.summaries.data import Summary

if TYPE_CHECKING:
    from bot.retro.models import Retro, RetroSeries

ITEM_MAX_LENGTH = 1000
ACTION_MAX_LENGTH = 300
TITLE_MAX_LENGTH = 80
MAX_ITEMS_PER_RETRO = 90  # the vote modal lists every item, and a modal holds 100 blocks
MIN_RATERS_PER_SIDE = 2  # a side's averages with one rater would reveal that person's scores
REMINDER_LOCAL_TIME = time(9, 0)
MAX_VOTES_PER_PERSON = 10
COLLECT_CHOICES_HOURS = (1, 4, 24, 48, 72, 168, 336)
MAX_DAYS_AFTER_LAUNCH = 90
DEFAULT_LOCAL_TIME = time(15, 0)
# Opening notes (``RetroSeries.opening_notes``): a few short sections, each a title and lines.
MAX_OPENING_NOTES = 5
MAX_NOTE_LINES = 15
NOTE_LINE_MAX_LENGTH = 300

IsAdmin = Callable[[], bool]


# --- errors ------------------------------------------------------------------------------------


class RetroError(UserError):
    """Something the user asked for cannot be done. ``str()`` is the message to show them;
    ``block_id`` names the modal field it belongs to, when there is one."""


class NotAllowed(RetroError, NotAllowedError):
    pass


class RetroNotFound(RetroError, NotFoundError):
    def __init__(self, message: str = "I couldn't find that retro. It may have been deleted.") -> None:
        super().__init__(message)


# --- setting up and managing a series ------------------------------------------------------------


@dataclass(frozen=True)
class SeriesSetup:
    """A ``/retro`` setup, parsed from the modal (see ``forms.parse_setup``)."""

    title: str
    channel_id: str
    start_mode: StartMode
    template: RetroTemplate
    prompts: list[str]
    anonymity: Anonymity
    votes_per_person: int
    collect_minutes: int
    start_date: date | None = None
    local_time: time = DEFAULT_LOCAL_TIME
    timezone: str = "UTC"
    repeat_weeks: int = 1
    include_insights: bool = False
    # "N days after a launch": the first retro's date is launch_date + days_after_launch.
    launch_date: date | None = None
    days_after_launch: int | None = None
    external_ok: bool = False  # "post there anyway" was ticked (a channel shared with another organisation)
    channel_external: bool = False  # the channel is shared with another organisation (checked at submit)
    goal_id: int | None = None  # the shared goal this retro is about ("Open a retro about it")

    @property
    def first_date(self) -> date | None:
        """The local date of the first (or only) run: picked directly, or counted from the launch."""
        if self.launch_date is not None:
            return self.launch_date + timedelta(days=self.days_after_launch or 0)
        return self.start_date


@dataclass(frozen=True)
class SetupResult:
    series: RetroSeries
    opened: Retro | None
    first_run_at: datetime | None
    cadence_text: str


@dataclass(frozen=True)
class SeriesForm:
    """What the setup modal shows when it edits a series."""

    series_id: int
    setup: SeriesSetup


@dataclass(frozen=True)
class ManageResult:
    series: RetroSeries
    next_run_at: datetime | None  # the next scheduled run (after resume), if any
    runs: int  # past and current runs (kept after delete)
    open_closes_at: datetime | None  # a run still collecting items closes then


@dataclass(frozen=True)
class SeriesLine:
    id: int
    title: str
    channel_id: str
    facilitator_id: str
    template: RetroTemplate
    open_retro_closes_at: datetime | None
    next_open_at: datetime | None
    runs: int
    paused: bool = False


# --- read models handed to the pure view builders ------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    id: int
    prompt_index: int
    text: str
    author_id: str | None
    votes: int = 0


@dataclass(frozen=True)
class ActionView:
    id: int
    text: str
    owner_id: str
    due_on: date
    status: ActionStatus
    retro_title: str = ""


@dataclass(frozen=True)
class InsightLine:
    number: int
    text: str


@dataclass(frozen=True)
class OpeningNote:
    """A section the retro opens with, handed to it by whatever set it up (the launch retro's
    brief). Plain text: the views escape it."""

    title: str
    lines: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "lines": list(self.lines)}


def opening_notes_of(raw: object) -> list[OpeningNote]:
    """The stored JSON as notes, within the limits; anything malformed is left out, never raised."""
    notes: list[OpeningNote] = []
    if not isinstance(raw, list):
        return notes
    for entry in raw[:MAX_OPENING_NOTES]:
        if not isinstance(entry, dict) or not isinstance(entry.get("title"), str):
            continue
        lines = entry.get("lines")
        if not isinstance(lines, list):
            lines = []
        kept = [line[:NOTE_LINE_MAX_LENGTH] for line in lines if isinstance(line, str)]
        notes.append(OpeningNote(entry["title"][:NOTE_LINE_MAX_LENGTH], tuple(kept[:MAX_NOTE_LINES])))
    return notes


@dataclass(frozen=True)
class RetroCard:
    """Everything the channel message of a retro shows."""

    retro_id: int
    title: str
    number: int
    template: RetroTemplate
    prompts: list[str]
    items: list[ItemView]
    anonymity: Anonymity
    votes_per_person: int
    closes_at: datetime
    status: RetroStatus
    facilitator_id: str
    rates_partnership: bool
    rating_count: int
    previous_actions: list[ActionView]
    insights: list[InsightLine] = field(default_factory=list)
    insights_prompt_index: int | None = None
    # Alignment-check and launch retros: the linked shared goals' status (the goal the retro is
    # about first, then the active goals posting in the retro's channel).
    goals: list[GoalView] = field(default_factory=list)
    # What the retro opens with (``OpeningNote``), shown first: the launch retro's brief.
    opening_notes: list[OpeningNote] = field(default_factory=list)


@dataclass(frozen=True)
class VoteState:
    retro_id: int
    title: str
    prompts: list[str]
    items: list[ItemView]
    mine: frozenset[int]
    allowed: int
    notice: str = ""

    @property
    def left(self) -> int:
        return max(0, self.allowed - len(self.mine))


@dataclass(frozen=True)
class RatingForm:
    retro_id: int
    title: str
    side: Side | None


@dataclass(frozen=True)
class SideHealth:
    side: Side
    raters: int
    averages: dict[Strand, float] | None  # None: too few raters to show without exposing anyone
    change: dict[Strand, float] | None  # vs the previous retro of the series, when both are shown


@dataclass(frozen=True)
class HealthSummary:
    sides: list[SideHealth]
    focus_counts: dict[Strand, int]
    previous_number: int | None


@dataclass(frozen=True)
class RetroSummary:
    retro_id: int
    title: str
    number: int
    prompts: list[str]
    items: list[ItemView]  # ordered by prompt, then votes (most first)
    health: HealthSummary | None
    facilitator_id: str
    action_items: list[ActionView]
    themes: Summary | None = None  # bot.summaries: the model's or the extractive one


@dataclass(frozen=True)
class ActionForm:
    retro_id: int
    title: str
    items: list[ItemView]
