"""The App Home's contract: what one person's Home shows, as plain frozen data, and its limits.

``service.home_data`` produces ``HomeData`` from the database; ``views.build_home_view`` renders it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.goals.data import GoalView
from bot.launches.data import Readiness

LIST_LIMIT = 15  # per list; the view caps the whole Home at Slack's 100 blocks
UPCOMING_DAYS = 7
GOALS_LIMIT = 8  # "Our shared goals": the person's own first; the rest is "…and N more"
LAUNCHES_LIMIT = 8  # "Launches I lead"
LED_SHIPPED_DAYS = 30  # a shipped launch stays in "Launches I lead" this long after its last date


@dataclass(frozen=True)
class PendingStandup:
    occurrence_id: int
    name: str
    closes_at: datetime


@dataclass(frozen=True)
class AskItem:
    ask_id: int
    from_user: str
    text: str
    at: datetime
    standup: str


@dataclass(frozen=True)
class ActionItem:
    action_id: int
    text: str
    due_on: date
    series: str
    overdue: bool


@dataclass(frozen=True)
class MyInsight:
    number: int
    text: str
    status: str
    updated_at: datetime


@dataclass(frozen=True)
class NextRitual:
    kind: str  # "standup" | "retro"
    name: str
    at: datetime


@dataclass(frozen=True)
class ManagedRitual:
    kind: str  # "standup" | "retro" | "digest"
    ref_id: int
    name: str


@dataclass(frozen=True)
class HomeGoal:
    goal: GoalView
    mine: bool  # an owner: sees the Update button


@dataclass(frozen=True)
class LaunchItemLine:
    """An open checklist item of a launch, owned by the person: Done from the Home."""

    item_id: int
    title: str
    launch_name: str
    channel_id: str
    due_on: date
    overdue: bool
    blocked_reason: str = ""
    blocked: bool = False


@dataclass(frozen=True)
class LedLaunch:
    """A launch the person leads (product or marketing), with where each side stands."""

    launch_id: int
    name: str
    channel_id: str
    next_on: date  # the next phase's date (the last one once all have shipped)
    side: str  # "Product" | "Marketing": which side the person leads
    product: Readiness
    marketing: Readiness
    shipped: bool = False


@dataclass(frozen=True)
class HomeData:
    user_id: str
    standups: tuple[PendingStandup, ...]
    asks: tuple[AskItem, ...]
    actions: tuple[ActionItem, ...]
    insights: tuple[MyInsight, ...]
    upcoming: tuple[NextRitual, ...]
    can_manage: bool  # workspace admin or owner of some ritual: sees set-up and edit buttons
    managed: tuple[ManagedRitual, ...]
    holidays: str = ""  # "My public holidays": what applies, and where it came from
    goals: tuple[HomeGoal, ...] = ()  # the workspace's active goals, the person's own first
    goals_total: int = 0
    launch_items: tuple[LaunchItemLine, ...] = ()  # open items the person owns, soonest first
    launch_items_total: int = 0
    launches_led: tuple[LedLaunch, ...] = ()
