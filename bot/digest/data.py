"""The digest's contract: plain data in and out of its services, its limits and its errors.

``compose.compile_digest`` produces a ``Digest``; ``views`` renders it. Frozen dataclasses only
(no ORM objects, no Slack), so the compile step and the view builders can be tested apart. A
section is ``None`` when it has nothing to say: views leave it out.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bot.digest.ids import Section
from bot.goals.data import format_value, health_of, progress_of
from bot.goals.ids import Confidence, Direction, Kind, Outcome, Unit
from bot.goals.ids import Status as GoalStatus
from bot.launches.data import Readiness
from bot.slack.errors import NotAllowed as NotAllowedError
from bot.slack.errors import NotFound as NotFoundError
from bot.slack.errors import UserError
from bot.summaries.data import Passage, Summary, SummaryRequest

CHART_TITLE = "Last 8 weeks: insights, participation and partnership health per side; goal progress"
WEEK = timedelta(days=7)
CHART_WEEKS = 8
HEALTH_WEEKS = 8
MIN_RATERS_PER_SIDE = 2  # as the retro's own summary: one rater's averages would be their scores
DEFAULT_WEEKDAY = 0
DEFAULT_TIME = "09:00"

# How many lines of each list the message shows; the rest is "…and N more" (App Home).
LIST_LIMIT = 5
TOP_PER_CATEGORY = 3
QUOTES = 3
INSIGHTS_FETCHED = 60
GOALS_SHOWN = 10  # open goals listed in the message, worst first; the rest is "…and N more"
CLOSED_GOALS_SHOWN = 5
CHART_GOALS = 12  # goal bars in the chart
LAUNCH_DAYS_AHEAD = 30  # launches whose next date is this close are listed with their readiness
LAUNCHES_SHOWN = 8  # per list (coming up, launched this week); the rest is "…and N more"
LAUNCH_OVERDUE_SHOWN = 3  # overdue items named under each coming launch


# --- errors ------------------------------------------------------------------------------------


class DigestError(UserError):
    """Something the user can fix; ``str()`` is user-presentable (see bot.slack.errors)."""


class NotAllowed(DigestError, NotAllowedError):
    pass


class DigestNotFound(DigestError, NotFoundError):
    pass


# --- setup and managing --------------------------------------------------------------------------


@dataclass(frozen=True)
class DigestSettings:
    channel_id: str
    weekday: int
    local_time: str  # "HH:MM"
    timezone: str
    sections: tuple[Section, ...]
    external_ok: bool = False  # "post there anyway" ticked / confirmed (a channel shared with another organisation)
    channel_external: bool = False  # the channel is shared with another organisation (checked at submit)


@dataclass(frozen=True)
class SetupForm:
    settings: DigestSettings
    digest_id: int  # 0: a new digest


@dataclass(frozen=True)
class DigestLine:
    """One line of ``/digest list``."""

    digest_id: int
    channel_id: str
    weekday: int
    local_time: str
    timezone: str
    owner_id: str
    paused: bool
    next_run_at: datetime | None


def sections_of(values: Iterable[str]) -> tuple[Section, ...]:
    """Stored or submitted section values -> sections, in the canonical order; unknown ones dropped."""
    chosen = {v for v in values}
    return tuple(s for s in Section if s.value in chosen)


# --- posting -------------------------------------------------------------------------------------

# (png bytes, filename, title) -> Slack file id; raises on failure. See bot.slack.files.upload_file.
Uploader = Callable[[bytes, str, str], str]


# --- the digest itself ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Trend:
    """A weekly figure and the same figure the week before."""

    current: int
    previous: int

    @property
    def delta(self) -> int:
        return self.current - self.previous


@dataclass(frozen=True)
class SideParticipation:
    side: str
    answers: Trend
    prompted: int  # people asked in the period (0: unknown, e.g. no prompt records)

    @property
    def rate(self) -> float | None:
        return min(1.0, self.answers.current / self.prompted) if self.prompted else None


@dataclass(frozen=True)
class Blocker:
    user_id: str
    standup: str
    text: str
    at: datetime


@dataclass(frozen=True)
class Ask:
    from_user: str
    to_user: str  # who owes it
    text: str
    at: datetime
    standup: str
    working_days: int | None = None  # how long it has been open, in the asked person's working days


@dataclass(frozen=True)
class Off:
    """Someone off for a public holiday or company day off at a stand-up of the week."""

    user_id: str
    holiday: str
    day: date


@dataclass(frozen=True)
class StandupSection:
    participation: tuple[SideParticipation, ...]
    blockers: tuple[Blocker, ...]
    blockers_total: int
    asks: tuple[Ask, ...]
    asks_total: int
    off: tuple[Off, ...] = ()

    @property
    def answers(self) -> Trend:
        return Trend(
            sum(p.answers.current for p in self.participation), sum(p.answers.previous for p in self.participation)
        )


@dataclass(frozen=True)
class InsightLine:
    number: int
    text: str
    segment: str
    customer: str
    plus_ones: int
    submitted_by: str


@dataclass(frozen=True)
class CategoryGroup:
    category: str  # ids.Category value or "" for uncategorised
    label: str
    count: int
    top: tuple[InsightLine, ...]  # most +1'd first


@dataclass(frozen=True)
class Quote:
    segment: str
    number: int
    text: str


@dataclass(frozen=True)
class InsightsSection:
    new: Trend
    groups: tuple[CategoryGroup, ...]  # biggest first
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class StatusChange:
    number: int
    text: str
    submitted_by: str
    from_status: str
    to_status: str
    at: datetime


@dataclass(frozen=True)
class LoopSection:
    changes: tuple[StatusChange, ...]
    total: Trend


@dataclass(frozen=True)
class ActionLine:
    text: str
    owner_id: str
    due_on: date
    overdue: bool = False


@dataclass(frozen=True)
class ActionsSection:
    done: Trend
    done_items: tuple[ActionLine, ...]
    overdue_total: int
    open_total: int  # open and not overdue
    open_items: tuple[ActionLine, ...]  # soonest due first, overdue ones first


@dataclass(frozen=True)
class HealthPoint:
    retro: str  # "Partnership check #3"
    closed_at: datetime
    raters: int
    score: float | None  # mean of the three strands; None: too few raters to show anonymously
    strands: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SideHealth:
    side: str
    points: tuple[HealthPoint, ...]  # oldest first

    @property
    def latest(self) -> HealthPoint | None:
        shown = [p for p in self.points if p.score is not None]
        return shown[-1] if shown else None

    @property
    def change(self) -> float | None:
        shown = [p.score for p in self.points if p.score is not None]
        return shown[-1] - shown[-2] if len(shown) >= 2 else None


@dataclass(frozen=True)
class HealthSection:
    sides: tuple[SideHealth, ...]


@dataclass(frozen=True)
class UpcomingRitual:
    kind: str  # "standup" | "retro"
    name: str
    first_at: datetime
    times: int


@dataclass(frozen=True)
class UpcomingSection:
    rituals: tuple[UpcomingRitual, ...]


@dataclass(frozen=True)
class GoalLine:
    """One shared goal as the digest shows it: its yardstick, where it is, and the week's change.

    ``week_ago`` is the latest value at or before the start of the week (None: no value then).
    """

    goal_id: int
    title: str
    metric_name: str
    kind: Kind
    unit: Unit
    unit_label: str
    direction: Direction
    baseline: float
    target: float | None
    range_low: float | None
    range_high: float | None
    status: GoalStatus
    channel_id: str
    confidence: Confidence | None  # the latest check-in's, None before any
    stale: bool
    current: float | None = None
    week_ago: float | None = None
    outcome: Outcome | None = None  # closed goals
    learning: str = ""

    @property
    def rank(self) -> tuple[int, int]:
        """Worst first: off track, at risk, on track, then goals nobody checked in on yet."""
        return (self.confidence.rank if self.confidence is not None else 3, self.goal_id)

    @property
    def progress(self) -> float | None:
        return progress_of(self.kind, baseline=self.baseline, target=self.target, current=self.current)

    @property
    def healthy(self) -> bool | None:
        return health_of(self.kind, self.current, self.range_low, self.range_high)

    @property
    def change(self) -> float | None:
        """The change since last week (None: no value a week ago or none now)."""
        if self.current is None or self.week_ago is None:
            return None
        return self.current - self.week_ago

    def show(self, value: float) -> str:
        return format_value(value, self.unit, self.unit_label)


@dataclass(frozen=True)
class GoalsSection:
    """Open goals worst first (capped at ``GOALS_SHOWN``), and the goals closed this week."""

    open_goals: tuple[GoalLine, ...]
    open_total: int
    closed: tuple[GoalLine, ...]
    closed_total: int


@dataclass(frozen=True)
class ChartData:
    week_starts: tuple[datetime, ...]  # 8 weeks, oldest first
    insights: dict[str, tuple[int, ...]]  # category label -> per week
    answers: dict[str, tuple[int, ...]]  # side label -> per week
    # Share of the answers expected from each side (answers / prompts), per week; None: nobody asked.
    participation: dict[str, tuple[float | None, ...]] = field(default_factory=dict)
    # Partnership health (1 to 5) per side at each week's end: the latest shown score so far.
    health: dict[str, tuple[float | None, ...]] = field(default_factory=dict)
    # Progress toward target per goal (title, 0..1+), at most ``CHART_GOALS``, worst first.
    goals: tuple[tuple[str, float], ...] = ()

    @property
    def empty(self) -> bool:
        return not any(any(v) for v in (*self.insights.values(), *self.answers.values())) and not self.goals


@dataclass(frozen=True)
class LaunchOverdue:
    title: str
    owner_id: str
    due_on: date


@dataclass(frozen=True)
class LaunchLine:
    """A launch as the digest shows it: its next (or latest) date, each side's readiness and its
    overdue items (the first few, and how many)."""

    launch_id: int
    name: str
    channel_id: str
    on: date  # the phase date this line is about (the next one; this week's for "launched")
    days: int  # from the digest's day to ``on`` (negative: in the past)
    phase: str  # the phase's name for a staggered launch, else ""
    product: Readiness
    marketing: Readiness
    overdue: tuple[LaunchOverdue, ...] = ()
    overdue_total: int = 0
    open_total: int = 0  # checklist items still open (a shared item counts once)


@dataclass(frozen=True)
class LaunchesSection:
    """Launches whose next date is in the next ``LAUNCH_DAYS_AHEAD`` days (soonest first), and
    the ones that launched (a phase) in the past week (latest first)."""

    upcoming: tuple[LaunchLine, ...]
    upcoming_total: int
    launched: tuple[LaunchLine, ...]
    launched_total: int


@dataclass(frozen=True)
class Digest:
    team_id: str
    start: datetime
    end: datetime
    standups: StandupSection | None = None
    insights: InsightsSection | None = None
    loop: LoopSection | None = None
    actions: ActionsSection | None = None
    health: HealthSection | None = None
    upcoming: UpcomingSection | None = None
    goals: GoalsSection | None = None
    in_three_lines: Summary | None = None  # bot.summaries: the model's or the extractive one
    launches: LaunchesSection | None = None

    @property
    def empty(self) -> bool:
        return not any(
            (self.standups, self.insights, self.loop, self.actions, self.health, self.upcoming, self.goals,
             self.launches)
        )  # fmt: skip


ChartRenderer = Callable[[ChartData], bytes]  # see chart.render_chart


THREE_LINES_TASK = (
    "Summarise this week between a product team and a marketing team in at most three sentences: what got "
    "done, what is blocked or asked across teams, what customers said."
)


def three_lines_request(digest: Digest) -> SummaryRequest:
    """What "This week in three lines" is made from: the texts the digest shows, without names."""
    passages: list[Passage] = []
    if digest.actions:
        passages += [Passage(a.text, "action item done") for a in digest.actions.done_items]
    if digest.standups:
        passages += [Passage(b.text, "blocker") for b in digest.standups.blockers]
        passages += [Passage(a.text, "ask across teams") for a in digest.standups.asks]
    if digest.insights:
        passages += [Passage(line.text, "customer insight") for g in digest.insights.groups for line in g.top]
    if digest.loop:
        passages += [Passage(c.text, f"insight moved to {c.to_status}") for c in digest.loop.changes]
    return SummaryRequest(THREE_LINES_TASK, tuple(passages), max_sentences=3)
