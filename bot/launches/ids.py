"""Callback, block, action and job ids for launches, plus the domain vocabularies."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    CREATE = "launches_create"
    EDIT = "launches_edit"
    NOTICE = "launches_notice"  # a modal that only says something (saved, cancelled)
    NEW_GOAL = "launches_new_goal"  # the /goal new form pushed on top of the launch modal
    CANCEL = "launches_cancel"  # "cancel this launch?": the confirmation
    # The checklist (lcheck): the modal and the small modals an item's actions open.
    CHECKLIST = "launches_checklist"
    ITEM_NEW_DATE = "launch_item_date_form"
    ITEM_BLOCKED = "launch_item_blocked_form"
    ITEM_REASSIGN = "launch_item_reassign_form"
    ITEM_DROP = "launch_item_drop_form"
    ITEM_ADD = "launch_item_add_form"
    DECISION = "launch_decision"  # go / no-go: the reason modal (bot.launches.listeners_dates)
    MOVE = "launches_move"  # move the launch date or a phase's


class Block(StrEnum):
    NAME = "launch_name"
    WHAT = "launch_what"
    KIND = "launch_kind"
    LAUNCH_DATE = "launch_date"
    PHASES = "launch_phases"  # staggered: the phase rows' prefix (``forms.phase_block``)
    DATES = "launch_dates"  # editing: the dates, read-only (moved with /launch move)
    PRODUCT_LEAD = "launch_product_lead"
    MARKETING_LEAD = "launch_marketing_lead"
    CHANNEL = "launch_channel"
    GOALS = "launch_goals"  # existing shared goals as success metrics
    GOAL_ACTIONS = "launch_goal_actions"  # the "Add a new goal" button
    NEW_GOALS = "launch_new_goals"  # the goals made from the launch modal, listed under the select
    EXTERNAL = "launch_external"  # the Slack Connect confirmation (bot.slack.channels)
    # Messages.
    LAUNCH_ACTIONS = "launch_actions"
    # The checklist's small modals and messages (lcheck).
    ITEM_DUE_ON = "launch_item_due_on"
    ITEM_REASON = "launch_item_reason"
    ITEM_OWNER = "launch_item_owner"
    ITEM_TITLE = "launch_item_title"
    ITEM_SIDE = "launch_item_side"
    ITEM_ACTIONS = "launch_item_actions"  # the buttons of an item's DM
    CHECKLIST_ITEM = "launch_item_row"  # + ":<item id>": one row of the checklist modal
    CHECKLIST_ADD = "launches_checklist_add"
    # Go / no-go and moving dates (bot.launches.listeners_dates).
    DECISION_REASON = "launch_decision_reason"
    DECISION_ACTIONS = "launch_decision_actions"
    MOVE_PHASE = "launches_move_phase"
    MOVE_DATE = "launches_move_date"
    MOVE_REASON = "launches_move_reason"


class Action(StrEnum):
    INPUT = "value"  # every input: one action id per block, named after what it holds
    KIND = "launch_kind_chosen"  # the kind select dispatches: staggered shows the phase rows
    NEW_GOAL = "launch_add_goal"  # "Add a new goal": pushes the /goal new form
    # The launch message's buttons (value: the launch id); lcheck and ldates handle them.
    OPEN_CHECKLIST = "launch_open_checklist"
    OPEN_MOVE = "launch_open_move"
    # An item's buttons (value: item id), from its DM, the checklist modal or the App Home.
    ITEM_DONE = "launch_item_done"
    ITEM_NEW_DATE = "launch_item_new_date"
    ITEM_BLOCKED = "launch_item_blocked"
    ITEM_MENU = "launch_item_menu"  # the checklist modal's per-item overflow ("<verb>:<item id>")
    ITEM_ADD = "launch_item_add"  # the checklist modal's "Add item" (value: launch id)
    GO = "launch_decision_go"  # the go/no-go DM's buttons (value = phase id)
    NO_GO = "launch_decision_no_go"
    MOVE_PHASE = "launches_move_phase"  # "Move the date" after a no-go (value = phase id)


class Hook(StrEnum):
    POSTED = "launches.posted"  # the launch's channel message was posted: remember its ts
    ITEM_DM_SENT = "launches.item_dm_sent"  # an item's DM (due, overdue) landed: remember where
    DECISION_ASKED = "launches.decision_asked"  # a go/no-go DM was posted: remember where (notice)


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
