"""Callback, action and block ids for the weekly digest, plus its vocabularies (one place)."""

from __future__ import annotations

from enum import StrEnum


class Section(StrEnum):
    """What a digest can contain; each digest keeps its own selection (``/digest setup``)."""

    STANDUPS = "standups"
    INSIGHTS = "insights"
    LOOP = "loop"
    ACTIONS = "actions"
    HEALTH = "health"
    UPCOMING = "upcoming"
    GOALS = "goals"
    LAUNCHES = "launches"
    CHART = "chart"

    @property
    def label(self) -> str:
        return SECTION_LABELS[self]


SECTION_LABELS: dict[Section, str] = {
    Section.STANDUPS: "Stand-ups: participation, blockers and asks",
    Section.INSIGHTS: "New customer insights and quotes",
    Section.LOOP: "Insights whose status changed",
    Section.ACTIONS: "Retro action items",
    Section.HEALTH: "Partnership health trend",
    Section.UPCOMING: "Rituals coming next week",
    Section.GOALS: "Shared goals: at risk first, change since last week",
    Section.LAUNCHES: "Launches: the next 30 days with readiness, and the past week's",
    Section.CHART: "Chart of the last 8 weeks",
}

ALL_SECTIONS: tuple[Section, ...] = tuple(Section)


class JobKind(StrEnum):
    POST = "digest.post"


class RunKind(StrEnum):
    SCHEDULED = "scheduled"
    NOW = "now"


class RunStatus(StrEnum):
    QUEUED = "queued"  # in the outbox
    POSTED = "posted"
    FAILED = "failed"


class ChartStatus(StrEnum):
    NONE = "none"  # not asked for, or nothing to draw
    QUEUED = "queued"  # bytes uploaded; sharing waits for the digest's ts in the outbox
    SHARED = "shared"
    FAILED = "failed"  # the digest went out anyway; see chart_error


class Callback(StrEnum):
    SETUP = "digest_setup"


class Action(StrEnum):
    CHANNEL = "channel"
    EXTERNAL = "external_ok"
    WEEKDAY = "weekday"
    TIME = "time"
    TIMEZONE = "timezone"
    SECTIONS = "sections"
    OPEN_SETUP = "digest_open_setup"  # App Home button: value = digest id, or "" for a new one


class Block(StrEnum):
    CHANNEL = "digest_channel"
    EXTERNAL = "digest_external"
    WEEKDAY = "digest_weekday"
    TIME = "digest_time"
    TIMEZONE = "digest_timezone"
    SECTIONS = "digest_sections"


class Hook(StrEnum):
    """Outbox result hooks (``on_result``), listed in the feature object."""

    POSTED = "digest.posted"
    CHART_SHARED = "digest.chart_shared"


RITUAL_KIND = "digest"  # the outbox ritual kind: failure alerts and the failure hook
