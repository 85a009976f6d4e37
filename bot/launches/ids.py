"""Callback, block, action and job ids for launches, plus the domain vocabularies."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    CREATE = "launches_create"
    EDIT = "launches_edit"
    NOTICE = "launches_notice"  # a modal that only says something (saved, cancelled)


class Block(StrEnum):
    NAME = "launch_name"
    WHAT = "launch_what"
    KIND = "launch_kind"
    LAUNCH_DATE = "launch_date"
    PHASES = "launch_phases"  # staggered: one phase per line, "name | YYYY-MM-DD | audience"
    PRODUCT_LEAD = "launch_product_lead"
    MARKETING_LEAD = "launch_marketing_lead"
    CHANNEL = "launch_channel"
    GOALS = "launch_goals"  # existing shared goals as success metrics
    EXTERNAL = "launch_external"  # the Slack Connect confirmation (bot.slack.channels)
    # Messages.
    LAUNCH_ACTIONS = "launch_actions"


class Action(StrEnum):
    INPUT = "value"  # every input: one action id per block, named after what it holds
    ITEM_DONE = "launch_item_done"  # value: item id; from a DM, the checklist or the App Home


class Hook(StrEnum):
    POSTED = "launches.posted"  # the launch's channel message was posted: remember its ts


class JobKind(StrEnum):
    """Every launch timer's kind starts with ``launches.`` (``KIND_PREFIX``). All are one-off
    dates (``Cadence.once``) at a local time; per person ones follow that person's Slack zone."""

    ITEM_DUE = "launches.item_due"  # ref_id = item id, subject = its owner: the due-day DM
    OVERDUE = "launches.overdue"  # ref_id = item id, subject = a lead: raised once per lead
    GO_NO_GO = "launches.go_no_go"  # ref_id = phase id, subject = a lead: the day before its date
    LAUNCH_DAY = "launches.launch_day"  # ref_id = phase id, in the launch's zone: it shipped
    GOAL_CHECKIN = "launches.goal_checkin"  # ref_id = launch_goals id, subject = a goal owner (T+7, T+30)
    RETRO_BRIEF = "launches.retro_brief"  # ref_id = launch id: the retro's opening brief, just before it opens


KIND_PREFIX = "launches."


class LaunchKind(StrEnum):
    QUIET = "quiet"  # a quiet release: shipped, documented, told to those who need it
    FULL = "full"  # a full (big-bang) launch on one date
    STAGGERED = "staggered"  # phase by phase, each with its own date and audience

    @property
    def label(self) -> str:
        return {
            "quiet": "Quiet release",
            "full": "Full launch",
            "staggered": "Staggered launch (phases)",
        }[self.value]


class Side(StrEnum):
    PRODUCT = "product"
    MARKETING = "marketing"
    BOTH = "both"

    @property
    def label(self) -> str:
        return {"product": "Product", "marketing": "Marketing", "both": "Both"}[self.value]


class LaunchStatus(StrEnum):
    PLANNED = "planned"  # before the (first) launch date
    SHIPPED = "shipped"  # the last phase's launch day has come
    CANCELLED = "cancelled"


class ItemKind(StrEnum):
    """What a checklist item is; the kinds other than TASK are driven by the plan itself."""

    TASK = "task"  # done by its owner (Done in the due-day DM, the launch message, App Home)
    GO_NO_GO = "go_no_go"  # the leads' decision the day before a phase's date
    ANNOUNCEMENT = "announcement"  # the phase's launch-day announcement
    METRICS_CHECK = "metrics_check"  # the first look at the success metrics
    RETRO = "retro"  # the launch retro


class ItemStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    BLOCKED = "blocked"  # still open, with a reason
    DROPPED = "dropped"  # taken off the plan (shown in the retro)


class Anchor(StrEnum):
    """Which phase a template item's offset counts from."""

    FIRST = "first"  # before anything ships: positioning, pricing, enablement
    EACH = "each"  # one per phase: its go/no-go and announcement
    LAST = "last"  # after everything shipped: metrics check, retro


class Decision(StrEnum):
    GO = "go"
    NO_GO = "no_go"

    @property
    def label(self) -> str:
        return {"go": "Go", "no_go": "No-go"}[self.value]
