"""Golden check: every view builder Tandem has renders, with sample data, to safe HTML in which every
block and element is supported, every emoji shortcode is mapped, every date token is formatted and
every input block of a modal has its form control."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from types import SimpleNamespace
from typing import Any, cast
from zoneinfo import ZoneInfo

import pytest

from bot.digest import data as digest_data
from bot.digest import views as digest_views
from bot.digest.data import DigestLine
from bot.goals import modals as goal_modals
from bot.goals import replies as goal_replies
from bot.goals import values_views as goal_values_views
from bot.goals import views as goal_views
from bot.goals.data import CheckinView, GoalInput, GoalView
from bot.goals.ids import CheckinCadence, Confidence, Direction, Outcome, Unit
from bot.goals.ids import CheckinCadence as GoalCadence
from bot.goals.ids import Direction as GoalDirection
from bot.goals.ids import Kind as GoalKind
from bot.goals.ids import Outcome as GoalOutcome
from bot.goals.ids import Status as GoalStatus
from bot.goals.ids import Unit as GoalUnit
from bot.home import data as home
from bot.home import views as home_views
from bot.insights import forms as insight_forms
from bot.insights import views as insight_views
from bot.insights.data import CaptureForm, InsightFilter, InsightPage, SetupState, StatusNotice
from bot.insights.ids import LoopTarget, Status
from bot.launches import forms as launch_forms
from bot.launches import modals as launch_modals
from bot.launches import replies as launch_replies
from bot.launches import views as launch_views
from bot.launches.data import ItemView, LaunchView, PhaseView
from bot.launches.data import Readiness as LaunchReadiness
from bot.launches.ids import Decision, ItemKind, ItemStatus, LaunchKind, LaunchStatus
from bot.launches.ids import Side as LaunchSide
from bot.playground.render import RenderContext, render_message, render_mrkdwn, render_view
from bot.retro import data as retro
from bot.retro import forms as retro_forms
from bot.retro import modals as retro_modals
from bot.retro import views as retro_views
from bot.retro.ids import ActionStatus, Anonymity, RetroStatus, RetroTemplate, Side, StartMode, Strand
from bot.slack import blocks as bk
from bot.standup import data as standup_data
from bot.standup import views as standup_views
from bot.standup.ids import Side as StandupSide
from bot.standup.ids import ZoneMode
from tests.insights.test_views import HOSTILE, card
from tests.playground.htmlcheck import Tag, assert_safe

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)
CTX = RenderContext(
    tz=ZoneInfo("Europe/Berlin"),
    now=NOW,
    users={"U1": "Pat Lee", "U2": "Max Müller", "U3": "Mia Chen", "UMAX": "Max", "U0MIA": "Mia", "U0ADA": "Ada"},
    channels={"C1": "launch", "CSHARED": "product-marketing", "C0INS": "insights"},
    usergroups={"S1": "product", "S2": "marketing"},
    files={"F1": "/files/F1/chart.png"},
)

# --- sample data (shapes as in tests/*/test_views.py) -----------------------------------------------


def _digest() -> digest_data.Digest:
    start = NOW - timedelta(days=7)
    line = digest_data.InsightLine(4, "Needs SSO <now> & *soon*", "Enterprise", "Globex", 3, "U1")
    return digest_data.Digest(
        team_id="T1",
        start=start,
        end=NOW,
        standups=digest_data.StandupSection(
            participation=(
                digest_data.SideParticipation("product", digest_data.Trend(10, 4), 12),
                digest_data.SideParticipation("marketing", digest_data.Trend(3, 6), 0),
            ),
            blockers=(digest_data.Blocker("U3", "Sync", "Legal review", start),),
            blockers_total=3,
            asks=(digest_data.Ask("U1", "U2", "Pricing page copy", start, "Sync"),),
            asks_total=1,
        ),
        insights=digest_data.InsightsSection(
            digest_data.Trend(5, 2),
            (digest_data.CategoryGroup("pricing", "Pricing", 3, (line,)),),
            (digest_data.Quote("SMB", 4, "We'd pay for this"),),
        ),
        loop=digest_data.LoopSection(
            (digest_data.StatusChange(7, "Dark mode", "U9", "new", "shipped", start),), digest_data.Trend(1, 3)
        ),
        actions=digest_data.ActionsSection(
            done=digest_data.Trend(3, 1),
            done_items=(digest_data.ActionLine("Ship FAQ", "U1", DAY),),
            overdue_total=1,
            open_total=2,
            open_items=(digest_data.ActionLine("Update deck", "U2", DAY - timedelta(days=2), True),),
        ),
        health=digest_data.HealthSection(
            (
                digest_data.SideHealth(
                    "product",
                    (
                        digest_data.HealthPoint("Partnership #1", start, 4, 3.5, {"trust": 3.5}),
                        digest_data.HealthPoint("Partnership #2", NOW, 5, 4.0, {"trust": 4.0}),
                    ),
                ),
                digest_data.SideHealth("marketing", (digest_data.HealthPoint("Partnership #2", NOW, 1, None),)),
            )
        ),
        upcoming=digest_data.UpcomingSection((digest_data.UpcomingRitual("standup", "Launch sync", NOW, 5),)),
        goals=digest_data.GoalsSection(
            open_goals=(
                _goal_line(1, "Lift <trial> & *paid*", Confidence.OFF_TRACK, current=3.9, week_ago=4.2, stale=True),
                _goal_line(2, "Cut churn", Confidence.AT_RISK, current=4.4, kind=GoalKind.KPI),
                _goal_line(3, "Signups", None, current=None, status=GoalStatus.PAUSED),
            ),
            open_total=14,
            closed=(_goal_line(4, "Old goal", Confidence.ON_TRACK, outcome=Outcome.HIT, learning="Do <it> again"),),
            closed_total=1,
        ),
        launches=digest_data.LaunchesSection(
            upcoming=(
                _launch_line(1, "Shared <inbox> & *more*", DAY + timedelta(days=3), overdue=2),
                _launch_line(2, "Dark mode", DAY, phase="Beta <50>"),
            ),
            upcoming_total=4,
            launched=(_launch_line(3, "SSO", DAY - timedelta(days=2)),),
            launched_total=1,
        ),
    )


def _launch_line(launch_id: int, name: str, on: date, *, overdue: int = 0, phase: str = "") -> digest_data.LaunchLine:
    items = tuple(digest_data.LaunchOverdue(f"Item <{n}>", "U2", on - timedelta(days=9)) for n in range(overdue))
    return digest_data.LaunchLine(
        launch_id=launch_id, name=name, channel_id="C1", on=on, days=(on - DAY).days, phase=phase,
        product=LaunchReadiness(LaunchSide.PRODUCT, 3, 2, overdue),
        marketing=LaunchReadiness(LaunchSide.MARKETING, 1, 4, 0),
        overdue=items[:1], overdue_total=overdue,
    )  # fmt: skip


def _goal_line(goal_id: int, title: str, confidence: Confidence | None, **changes: Any) -> digest_data.GoalLine:
    values: dict[str, Any] = {
        "goal_id": goal_id, "title": title, "metric_name": "Trial-to-paid", "kind": GoalKind.TARGET,
        "unit": Unit.PERCENT, "unit_label": "", "direction": Direction.UP, "baseline": 4.0, "target": 6.0,
        "range_low": 1.0, "range_high": 5.0, "status": GoalStatus.ACTIVE, "channel_id": "C1",
        "confidence": confidence, "stale": False, "current": 5.0, "week_ago": 4.5,
    }  # fmt: skip
    values.update(changes)
    return digest_data.GoalLine(**values)


def _goal_view(goal_id: int, title: str, confidence: Confidence | None, **changes: Any) -> GoalView:
    values: dict[str, Any] = {
        "id": goal_id, "title": title, "why": "", "kind": GoalKind.TARGET, "metric_name": "Trial <b>to</b> paid",
        "unit": Unit.CURRENCY, "unit_label": "<EUR>", "direction": Direction.UP, "baseline": 4.0, "target": 6.0,
        "due_on": DAY, "range_low": None, "range_high": None, "status": GoalStatus.ACTIVE, "channel_id": "C1",
        "product_owners": ("U1",), "marketing_owners": ("U3",), "visibility_only": False,
        "cadence": CheckinCadence.BIWEEKLY, "weekday": 0, "local_time": time(9, 30), "current": 5.0,
        "current_at": NOW, "last_checkin": CheckinView(5.0, confidence, "", "U1", NOW) if confidence else None,
        "previous_checkin_value": None, "stale": False,
    }  # fmt: skip
    values.update(changes)
    return GoalView(**values)


def _digest_line(paused: bool) -> DigestLine:
    return DigestLine(4, "C1", 0, "09:00", "Europe/Berlin", "U1", paused, None if paused else NOW)


ITEMS = [retro.ItemView(1, 0, "Launch went <well> & *fast*", "U1", 3), retro.ItemView(2, 1, "Docs late", None, 1)]
ACTION = retro.ActionView(5, "Fix the FAQ", "U2", DAY + timedelta(days=3), ActionStatus.OPEN, "Launch retro")
SETUP = retro.SeriesSetup(
    title="Launch retro",
    channel_id="C1",
    start_mode=StartMode.RECURRING,
    template=RetroTemplate.CUSTOM,
    prompts=["What went well?", "What didn't?"],
    anonymity=Anonymity.OPTIONAL,
    votes_per_person=3,
    collect_minutes=2880,
    start_date=DAY,
    local_time=time(15, 0),
    timezone="Europe/Berlin",
    repeat_weeks=2,
    include_insights=True,
    launch_date=DAY,
)


def _retro_card(status: RetroStatus, template: RetroTemplate) -> retro.RetroCard:
    return retro.RetroCard(
        retro_id=1, title="Launch <retro>", number=2, template=template, prompts=["Went well", "Didn't"],
        items=ITEMS, anonymity=Anonymity.OPTIONAL, votes_per_person=3, closes_at=NOW + timedelta(days=1),
        status=status, facilitator_id="U1", rates_partnership=template is RetroTemplate.PARTNERSHIP, rating_count=2,
        previous_actions=[ACTION], insights=[retro.InsightLine(4, "Needs SSO")], insights_prompt_index=1,
    )  # fmt: skip


def _health() -> retro.HealthSummary:
    strands = {Strand.TRUST: 4.2, Strand.OWNERSHIP: 3.1, Strand.PLANNING: 2.5}
    change = {Strand.TRUST: 0.4, Strand.OWNERSHIP: -0.2, Strand.PLANNING: 0.0}
    return retro.HealthSummary(
        sides=[retro.SideHealth(Side.PRODUCT, 4, strands, change), retro.SideHealth(Side.MARKETING, 1, None, None)],
        focus_counts={Strand.TRUST: 2, Strand.PLANNING: 1},
        previous_number=1,
    )


def _series(paused: bool = False) -> Any:
    # describe_update / describe_managed read only these attributes of the ORM row.
    return SimpleNamespace(title="Launch *retro*", channel_id="C1", paused=paused)


ANSWER_VIEW = standup_data.AnswerView(
    answer_id=5, user_id="UMAX", name="Max <@U1>", side=StandupSide.MARKETING,
    responses=[("Moved?", "Copy <!channel> & more"), ("Next?", "")], blocker_question="Blocked?", blocker="Legal",
    ask_to_name="Pat", ask_text="Pricing", ask_handled=True, edited=True, late=True,
)  # fmt: skip
ASKS = [standup_data.AskLine(9, "UMAX", "Pricing <!here>")]
PROMPT = standup_data.PromptView(3, "Launch sync", "CSHARED", DAY, NOW + timedelta(hours=8), asks=ASKS)
SETUP_FORM = standup_data.SetupForm(
    standup_id=7, name="Launch sync", channel_id="CSHARED",
    people={StandupSide.PRODUCT: ["U1"], StandupSide.MARKETING: ["U2"]},
    groups={StandupSide.PRODUCT: ["S1"]}, timezone="Europe/Berlin", zone_mode=ZoneMode.FIXED,
    questions={"all": ["What did you move forward?"], "product": ["Shipped?"]}, blocker_question="Blocked?",
)  # fmt: skip
HOME = home.HomeData(
    user_id="U1",
    standups=(home.PendingStandup(3, "Launch sync", NOW + timedelta(hours=2)),),
    asks=(home.AskItem(9, "U2", "Pricing <copy>", NOW, "Launch sync"),),
    actions=(home.ActionItem(5, "Fix FAQ", DAY, "Launch retro", True), home.ActionItem(6, "Deck", DAY, "R", False)),
    insights=(home.MyInsight(4, "Needs SSO", "planned", NOW), home.MyInsight(5, "Odd", "unknown-status", NOW)),
    upcoming=(home.NextRitual("standup", "Launch sync", NOW), home.NextRitual("retro", "Launch retro", NOW)),
    can_manage=True,
    managed=(
        home.ManagedRitual("standup", 7, "Launch sync"),
        home.ManagedRitual("retro", 1, "Launch retro"),
        home.ManagedRitual("digest", 4, "Digest in <#C1>"),
    ),
    goals=(
        home.HomeGoal(_goal_view(1, "Lift <trial> conversion", Confidence.AT_RISK), True),
        home.HomeGoal(_goal_view(2, "Cut CAC", None, stale=True, status=GoalStatus.ACTIVE), False),
    ),
    goals_total=12,
    launch_items=(
        home.LaunchItemLine(11, "Pricing <page> & *copy*", "Shared <inbox>", "C1", DAY - timedelta(days=2), True),
        home.LaunchItemLine(12, "Docs", "Shared inbox", "C1", DAY, False, "Waiting on <legal>", True),
    ),
    launch_items_total=20,
    launches_led=(
        home.LedLaunch(
            3,
            "Shared <inbox>",
            "C1",
            DAY + timedelta(days=7),
            "Product",
            LaunchReadiness(LaunchSide.PRODUCT, 2, 3, 1),
            LaunchReadiness(LaunchSide.MARKETING, 1, 5, 0),
        ),
        home.LedLaunch(
            4,
            "SSO",
            "C1",
            DAY - timedelta(days=3),
            "Marketing",
            LaunchReadiness(LaunchSide.PRODUCT, 9, 0, 0),
            LaunchReadiness(LaunchSide.MARKETING, 8, 1, 0),
            True,
        ),
    ),
)


def _goal(**changes: Any) -> GoalView:
    values: dict[str, Any] = {
        "id": 7, "title": "Lift trial-to-paid <now> & *soon*", "why": "Trials <did not> convert",
        "kind": GoalKind.TARGET, "metric_name": "Trial-to-paid", "unit": GoalUnit.PERCENT, "unit_label": "",
        "direction": GoalDirection.UP, "baseline": 4.0, "target": 6.0, "due_on": DAY + timedelta(days=90),
        "range_low": None, "range_high": None, "status": GoalStatus.ACTIVE, "channel_id": "C1",
        "product_owners": ("U1",), "marketing_owners": ("U3",), "visibility_only": False,
        "cadence": GoalCadence.BIWEEKLY, "weekday": 0, "local_time": time(9, 30), "current": 5.0,
        "current_at": NOW, "last_checkin": CheckinView(5.0, Confidence.AT_RISK, "Webinar <moved>", "U3", NOW),
        "previous_checkin_value": 4.5, "stale": False,
    }  # fmt: skip
    values.update(changes)
    return GoalView(**values)


GOAL_KPI: dict[str, Any] = {
    "kind": GoalKind.KPI, "target": None, "due_on": None, "range_low": 90.0, "range_high": None,
    "unit": GoalUnit.CUSTOMIZED, "unit_label": "NPS <pts>", "status": GoalStatus.PAUSED, "stale": True,
    "last_checkin": None,
}  # fmt: skip


def _goal_saved() -> str:
    return goal_replies.saved_text(_goal(), created=True)


def _goal_input() -> GoalInput:
    return GoalInput(
        title="Lift <trials>", why="", kind=GoalKind.KPI, metric_name="NPS", unit=GoalUnit.CURRENCY, unit_label="EUR",
        direction=GoalDirection.DOWN, baseline=1200.0, target=None, due_on=None, range_low=10.0, range_high=20.5,
        product_owners=("U1",), marketing_owners=("U3",), visibility_only=True, channel_id="C1",
        cadence=GoalCadence.MONTHLY, weekday=2, local_time=time(16, 0),
    )  # fmt: skip


def _launch(**changes: Any) -> LaunchView:
    """A staggered launch: Beta in 10 days (a go), GA a month later; items in every state."""
    beta, ga = DAY + timedelta(days=10), DAY + timedelta(days=38)
    items = (
        ItemView(1, "Positioning <agreed> & *signed*", LaunchSide.BOTH, ItemKind.TASK, "U1", 1, -21,
                 beta - timedelta(days=21), ItemStatus.DONE, done_at=NOW),
        ItemView(2, "Pricing confirmed", LaunchSide.PRODUCT, ItemKind.TASK, "U1", 1, -14, DAY - timedelta(days=4),
                 ItemStatus.OPEN),
        ItemView(3, "Sales enablement", LaunchSide.MARKETING, ItemKind.TASK, "U3", 1, -10, DAY,
                 ItemStatus.BLOCKED, blocked_reason="Waiting on <legal> <!here>"),
        ItemView(4, "Old webinar", LaunchSide.MARKETING, ItemKind.TASK, "U3", 1, -7, DAY + timedelta(days=3),
                 ItemStatus.DROPPED),
        ItemView(5, "Beta: go/no-go", LaunchSide.BOTH, ItemKind.GO_NO_GO, "U1", 1, -1, beta - timedelta(days=1),
                 ItemStatus.OPEN),
        ItemView(6, "Launch retro", LaunchSide.BOTH, ItemKind.RETRO, "U1", 2, 14, ga + timedelta(days=14),
                 ItemStatus.OPEN),
    )  # fmt: skip
    values: dict[str, Any] = {
        "id": 4, "name": "Shared inbox <!channel> *beta*", "what": "Shared inboxes for <support> teams",
        "kind": LaunchKind.STAGGERED, "status": LaunchStatus.PLANNED, "channel_id": "C1", "product_lead": "U1",
        "marketing_lead": "U3", "timezone": "Europe/Berlin",
        "phases": (
            PhaseView(1, 0, "Beta", "50 <design> partners", beta, Decision.GO, "", "U1"),
            PhaseView(2, 1, "GA", "everyone", ga),
        ),
        "items": items, "goals": (_goal(),), "message_ts": "1700000000.000100",
    }  # fmt: skip
    values.update(changes)
    return LaunchView(**values)


def _launch_draft(kind: LaunchKind) -> launch_forms.Draft:
    return launch_forms.Draft(
        name="Shared <inbox>", what="For *support* teams", kind=kind, launch_on=DAY + timedelta(days=10),
        phases=(launch_forms.PhaseDraft("Beta", DAY + timedelta(days=10), "partners"),), product_lead="U1",
        marketing_lead="U3", channel_id="C1", goal_ids=(7,),
    )  # fmt: skip


LAUNCH_GOALS = [(7, "Lift trial-to-paid <now>"), (8, "Cut churn")]
LAUNCH_EDIT = launch_forms.LaunchMetadata(
    launch_id=4, kind="staggered", channel_id="C1", phase_dates=["2026-12-03", "2026-12-31"], new_goal_ids=[9]
)

Builder = Callable[[], Any]

MESSAGES: dict[str, Builder] = {
    "digest.digest": lambda: digest_views.build_digest_message(_digest()),
    "digest.empty": lambda: digest_views.build_digest_message(digest_data.Digest("T1", NOW, NOW)),
    "digest.preview": lambda: digest_views.build_preview_message(_digest()),
    "insights.message": lambda: insight_views.build_insight_message(card()),
    "insights.message_new": lambda: insight_views.build_insight_message(card(status=Status.NEW, plus_ones=0)),
    "insights.status_dm": lambda: insight_views.build_status_dm(
        StatusNotice(3, HOSTILE, Status.SHIPPED, HOSTILE, "https://r.example.com", "U0ADA", "C0INS"),
        submitter=True,
    ),
    "insights.status_dm_other": lambda: insight_views.build_status_dm(
        StatusNotice(3, "t", Status.WONT_DO, "", "", "U0ADA"), submitter=False
    ),
    "insights.thread_reply": lambda: insight_views.build_thread_reply(
        StatusNotice(3, "t", Status.ACKNOWLEDGED, "note", "", "U0ADA")
    ),
    "insights.list": lambda: insight_views.build_list_message(
        InsightPage(InsightFilter("search", HOSTILE), [card(id=i, number=i) for i in range(5)], 1, 12)
    ),
    "insights.list_empty": lambda: insight_views.build_list_message(InsightPage(InsightFilter("all"), [], 1, 0)),
    "retro.open": lambda: retro_views.build_retro_message(_retro_card(RetroStatus.OPEN, RetroTemplate.PARTNERSHIP)),
    "retro.closed": lambda: retro_views.build_retro_message(_retro_card(RetroStatus.CLOSED, RetroTemplate.CUSTOM)),
    "retro.launch_brief": lambda: retro_views.build_retro_message(
        dataclasses.replace(
            _retro_card(RetroStatus.OPEN, RetroTemplate.LAUNCH),
            opening_notes=[
                retro.OpeningNote("Success metrics <against> & *targets*", ("Lift <b> — 5.1% against a target of 6%",)),
                retro.OpeningNote("Late on the checklist", ()),
            ],
        )
    ),
    "retro.alignment_goals": lambda: retro_views.build_retro_message(
        dataclasses.replace(
            _retro_card(RetroStatus.OPEN, RetroTemplate.ALIGNMENT),
            goals=[
                _goal_view(1, "Lift <trial> conversion", Confidence.AT_RISK),
                _goal_view(2, "Closed goal", Confidence.ON_TRACK, status=GoalStatus.CLOSED, outcome="hit"),
                _goal_view(3, "Churn", None, kind=GoalKind.KPI, target=None, range_low=1.0, range_high=2.0, stale=True),
            ],
        )
    ),
    "retro.summary": lambda: retro_views.build_summary_message(
        retro.RetroSummary(1, "Launch retro", 2, ["Went well", "Didn't"], ITEMS, _health(), "U1", [ACTION])
    ),
    "retro.summary_bare": lambda: retro_views.build_summary_message(
        retro.RetroSummary(1, "Launch retro", 1, ["Went well"], [], None, "U1", [])
    ),
    "retro.action_assigned": lambda: retro_views.build_action_dm(ACTION, "assigned"),
    "retro.action_reminder": lambda: retro_views.build_action_dm(ACTION, "reminder"),
    "retro.action_done": lambda: retro_views.build_action_dm(ACTION, "done"),
    "standup.parent": lambda: standup_views.build_parent_message(
        standup_data.ParentView("Launch sync", DAY, NOW + timedelta(hours=8))
    ),
    "standup.prompt": lambda: standup_views.build_prompt_message(PROMPT),
    "standup.reminder": lambda: standup_views.build_prompt_message(PROMPT, reminder=True),
    "standup.skipped": lambda: standup_views.build_skipped_message("Launch sync"),
    "standup.owner_note": lambda: standup_views.build_owner_note("Heads up <!channel> & co"),
    "standup.answer": lambda: standup_views.build_answer_message(ANSWER_VIEW),
    "standup.ask": lambda: standup_views.build_ask_message(ASKS[0], standup_name="Launch sync", channel_id="C1"),
    "standup.ask_handled": lambda: standup_views.build_ask_handled_message(ASKS[0]),
    "standup.summary": lambda: standup_views.build_summary_message(
        standup_data.SummaryView(
            standup_name="Launch sync",
            local_date=DAY,
            sides={
                StandupSide.PRODUCT: standup_data.SideCount(answered=1, missing=1),
                StandupSide.MARKETING: standup_data.SideCount(2, 1, 1, 0),
            },
            blockers=[("Max", StandupSide.MARKETING, "Pricing")],
            asks=[("Max", "Pat", "Pricing by Wed", True), ("Pat", "Max", "Copy", False)],
            closed_at=NOW,
        )
    ),
    "goals.message": lambda: goal_views.goal_message(_goal()),
    "goals.message_kpi": lambda: goal_views.goal_message(_goal(**GOAL_KPI)),
    "goals.message_closed": lambda: goal_views.goal_message(_goal(status=GoalStatus.CLOSED, outcome="partly")),
    "goals.list": lambda: goal_replies.build_list_message([_goal(), _goal(id=8, status=GoalStatus.PAUSED)]),
    "goals.list_empty": lambda: goal_replies.build_list_message([]),
    "goals.outcome": lambda: goal_replies.outcome_reply(_goal(), GoalOutcome.HIT, "Pair *early* <!here>", "U1"),
    "goals.deleted": lambda: goal_replies.deleted_message("Lift <trials>", "U1", NOW),
    "launches.message": lambda: launch_views.launch_message(_launch(), DAY),
    "launches.message_full_shipped": lambda: launch_views.launch_message(
        _launch(
            kind=LaunchKind.FULL,
            status=LaunchStatus.SHIPPED,
            goals=(),
            phases=(PhaseView(1, 0, "Launch", "", DAY - timedelta(days=2), shipped=True),),
        ),
        DAY,
    ),
    "launches.message_cancelled": lambda: launch_views.launch_message(
        _launch(status=LaunchStatus.CANCELLED, cancelled_by="U3"), DAY
    ),
    "launches.list": lambda: launch_replies.build_list_message([_launch(), _launch(id=5, message_ts=None)], DAY),
    "launches.list_empty": lambda: launch_replies.build_list_message([], DAY),
    "launches.cancelled_dm": lambda: launch_replies.cancelled_dm(_launch(cancelled_by="U3")),
}

VIEWS: dict[str, Builder] = {
    "digest.setup": lambda: digest_views.build_setup_modal(
        channel_id="C1", weekday=0, local_time="09:00", timezone="Europe/Berlin", sections=[], digest_id=4
    ),
    "digest.notice": lambda: digest_views.build_notice_modal("Weekly digest", "Saved <#C1>."),
    "home": lambda: home_views.build_home_view(HOME),
    "home.empty": lambda: home_views.build_home_view(home.HomeData("U1", (), (), (), (), (), False, ())),
    "insights.capture": lambda: insight_views.build_capture_view(
        CaptureForm(text=HOSTILE), insight_forms.CaptureMetadata(), []
    ),
    "insights.capture_full": lambda: insight_views.build_capture_view(
        CaptureForm(text="x", source="survey", impact="low", tags=["a"], evidence_url="https://e.com"),
        insight_forms.CaptureMetadata(
            source_channel_id="C1", message_ts="1.2", author_id="U1", permalink="https://e.com"
        ),
        [f"tag{i}" for i in range(150)],
    ),
    "insights.duplicates": lambda: insight_views.build_duplicates_view(
        [card(id=i, number=i) for i in range(1, 6)], draft_id=9
    ),
    "insights.saved": lambda: insight_views.build_saved_view(3, plus_one=False, channel_id="C1"),
    "insights.saved_plus_one": lambda: insight_views.build_saved_view(3, plus_one=True, channel_id=None),
    "insights.plus_one": lambda: insight_views.build_plus_one_view(card()),
    "insights.triage": lambda: insight_views.build_triage_view(card()),
    "insights.notice": lambda: insight_views.build_notice_view("Triage insight", "Only admins can triage."),
    "insights.setup_empty": lambda: insight_views.build_setup_view(SetupState(None, [], None, [])),
    "insights.setup": lambda: insight_views.build_setup_view(
        SetupState("C1", ["U1"], "S1", list(LoopTarget), usergroups=[("S1", "product"), ("S2", "mkt")])
    ),
    "retro.setup_new": lambda: retro_modals.build_setup_modal(
        timezone="Europe/Berlin", channel_id="C1", insights_available=True
    ),
    "retro.setup_edit": lambda: retro_modals.build_setup_modal(
        timezone="Europe/Berlin", channel_id=None, insights_available=False, form=retro.SeriesForm(3, SETUP)
    ),
    "retro.add_item": lambda: retro_modals.build_add_item_modal(
        retro_id=1, title="Launch retro", prompts=["Went well", "Didn't"], anonymity=Anonymity.OPTIONAL
    ),
    "retro.vote": lambda: retro_modals.build_vote_modal(
        retro.VoteState(1, "Launch retro", ["Went well", "Didn't"], ITEMS, frozenset({1}), 3, notice="Saved.")
    ),
    "retro.rating": lambda: retro_modals.build_rating_modal(retro.RatingForm(1, "Partnership", None)),
    "retro.rating_known_side": lambda: retro_modals.build_rating_modal(
        retro.RatingForm(1, "Partnership", Side.MARKETING)
    ),
    "retro.action_item": lambda: retro_modals.build_action_item_modal(retro.ActionForm(1, "Launch retro", ITEMS)),
    "retro.reschedule": lambda: retro_modals.build_reschedule_modal(
        ACTION, retro_forms.ActionMetadata(action_id=5, channel_id="D1", message_ts="1.2")
    ),
    "standup.setup": lambda: standup_views.build_setup_modal(
        SETUP_FORM, [standup_data.Usergroup("S1", "product", "Product team")]
    ),
    "standup.setup_new": lambda: standup_views.build_setup_modal(standup_data.SetupForm(timezone="America/Bogota")),
    "standup.answer": lambda: standup_views.build_answer_modal(
        standup_data.AnswerForm(
            occurrence_id=3,
            standup_name="Launch sync",
            local_date=DAY,
            questions=["Moved forward?", "Next?"],
            blocker_question="Anything blocked?",
            initial=["Brief", ""],
            asks_for_me=ASKS,
            my_last_blocker="Legal review",
            editing=True,
            ask_user="U2",
            ask_text="Copy?",
        )
    ),
    "standup.notice": lambda: standup_views.build_notice_modal("Stand-up", "Saved."),
    "goals.values": lambda: goal_values_views.values_modal(
        goal_values_views.ValuesSettings(7, "Lift <trial> *conversion*", None, None, "", "", False)
    ),
    "goals.values_full": lambda: goal_values_views.values_modal(
        goal_values_views.ValuesSettings(
            7, "Lift trial", "https://tandem.example.com", NOW, "https://kpi.example/x.json?a=1&b=<2>", "/data/0", True
        ),
        test_result=goal_values_views.test_result_text("41.5"),
    ),
    "goals.values_problem": lambda: goal_values_views.values_modal(
        goal_values_views.ValuesSettings(7, "Lift trial", None, NOW, "https://kpi.example/", "/v", False),
        test_result=goal_values_views.test_result_text(None, "nothing at /*v* in the source's JSON"),
    ),
    "goals.token": lambda: goal_values_views.token_modal(
        7, "Lift trial", "tok_EN-abc123", "https://tandem.example.com"
    ),
    "goals.new": lambda: goal_modals.build_goal_modal(None, channel_id="C1", today=DAY),
    "goals.edit": lambda: goal_modals.build_goal_modal(_goal_input(), goal_id=7, external_ok=True),
    "goals.close": lambda: goal_modals.build_close_modal(_goal()),
    "goals.delete": lambda: goal_modals.build_delete_modal(_goal()),
    "goals.notice": lambda: goal_modals.build_notice_modal(
        "Goal saved", goal_replies.saved_text(_goal(), created=True)
    ),
    "launches.new": lambda: launch_modals.build_launch_modal(
        launch_forms.Draft(channel_id="C1"), launch_forms.LaunchMetadata(), goals=LAUNCH_GOALS
    ),
    "launches.new_staggered": lambda: launch_modals.build_launch_modal(
        _launch_draft(LaunchKind.STAGGERED),
        launch_forms.LaunchMetadata(kind="staggered"),
        goals=LAUNCH_GOALS,
        new_goals=[(9, "Beta <activation>")],
    ),
    "launches.new_no_goals": lambda: launch_modals.build_launch_modal(
        _launch_draft(LaunchKind.QUIET), launch_forms.LaunchMetadata()
    ),
    "launches.edit": lambda: launch_modals.build_launch_modal(
        _launch_draft(LaunchKind.STAGGERED), LAUNCH_EDIT, goals=LAUNCH_GOALS, new_goals=[(9, "Beta <activation>")]
    ),
    "launches.new_goal": lambda: launch_modals.build_new_goal_modal(
        "V1", launch_forms.LaunchMetadata(), LaunchKind.FULL, channel_id="C1", today=DAY
    ),
    "launches.cancel": lambda: launch_modals.build_cancel_modal(_launch()),
    "launches.notice": lambda: launch_modals.build_notice_modal(
        "Launch planned", launch_replies.saved_text(_launch(), created=True)
    ),
}

TEXTS: dict[str, Builder] = {
    "digest.saved": lambda: digest_views.build_saved_text("C1", 0, "09:00", "Europe/Berlin", True),
    "digest.list": lambda: digest_views.build_list_text([_digest_line(False), _digest_line(True)]),
    "digest.list_empty": lambda: digest_views.build_list_text([]),
    "digest.managed": lambda: "\n".join(
        digest_views.build_managed_text(action, _digest_line(action == "pause"), "C1", sent=2)
        for action in ("pause", "resume", "delete")
    ),
    "digest.chart_comment": digest_views.chart_comment,
    "insights.help": insight_views.help_text,
    "retro.list": lambda: retro_views.build_list_text(
        [
            retro.SeriesLine(1, "A *b*", "C1", "U1", RetroTemplate.LAUNCH, NOW, None, 1),
            retro.SeriesLine(2, "B", "C1", "U1", RetroTemplate.FOUR_LS, None, NOW, 2),
            retro.SeriesLine(3, "C", "C1", "U1", RetroTemplate.ALIGNMENT, None, None, 1, paused=True),
            retro.SeriesLine(4, "D", "C1", "U1", RetroTemplate.START_STOP_CONTINUE, None, None, 3),
        ]
    ),
    "retro.describe_setup": lambda: "\n".join(
        [
            retro_views.describe_setup("T", "C1", True, None, "once"),
            retro_views.describe_setup("T", "C1", False, NOW, "every 2 weeks"),
        ]
    ),
    "retro.describe_update": lambda: "\n".join(
        retro_views.describe_update(retro.SetupResult(series, opened, first, cadence))
        for series, opened, first, cadence in [
            (_series(), cast(Any, object()), None, "now"),
            (_series(paused=True), None, None, "once"),
            (_series(), None, NOW, "every week"),
            (_series(), None, None, "once"),
        ]
    ),
    "retro.describe_managed": lambda: "\n".join(
        retro_views.describe_managed(action, retro.ManageResult(_series(), NOW, 2, NOW))
        for action in ("pause", "resume", "delete")
    ),
    "retro.health_lines": lambda: "\n".join(retro_views.health_lines(_health())),
    "standup.saved": lambda: standup_views.build_saved_text(
        "Launch sync",
        "CSHARED",
        True,
        4,
        ["U9"],
        standup_views.describe_when([0, 2], "09:30", ZoneMode.PERSONAL, "UTC"),
    ),
    "standup.list": lambda: standup_views.build_list_text(
        [
            standup_data.ListRow(
                "Launch <sync>", "C1", [0, 1, 2, 3, 4], "09:00", ZoneMode.FIXED, "Europe/Berlin", 4, True, "U1"
            )
        ]
    ),
    "goals.help": lambda: goal_replies.help_text("• `/goal new` — set up a shared goal"),
    "launches.help": lambda: launch_replies.help_text("• `/launch new` — plan a launch"),
    "launches.answers": lambda: "\n".join(
        [
            launch_replies.saved_text(_launch(), created=True),
            launch_replies.saved_text(_launch(), created=False),
            launch_replies.cancelled_text(_launch()),
        ]
    ),
    "goals.answers": lambda: "\n".join(
        [
            goal_replies.saved_text(_goal(), created=True),
            goal_replies.paused_text(_goal()),
            goal_replies.resumed_text(_goal()),
            goal_replies.closed_text(_goal()),
            goal_replies.deleted_text("A <b>"),
        ]
    ),
}

# Tandem's shortcodes are all mapped: a ``:name:`` left in the shown text means one is missing.
SHORTCODE = re.compile(r":[a-z][a-z0-9_+-]*:")


def check_shown(root: Tag) -> None:
    text = root.text
    assert "bk-unsupported" not in str([t.classes() for t in root.find_all()])
    assert not SHORTCODE.search(text), SHORTCODE.search(text)
    assert "<!date" not in text and "\ufffd" not in text


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_every_message_builder_renders(name: str) -> None:
    message = MESSAGES[name]()
    markup = render_message(message, CTX)
    assert "bk-unsupported" not in markup
    root = assert_safe(markup)
    check_shown(root)
    if message.get("blocks"):
        assert len(root.find_all(None, data_block_index=str(len(message["blocks"]) - 1))) == 1
    else:
        assert root.by_class("bk-message-text")
    for tag in root.find_all():  # every control of a message can send block_actions
        if "data-element-type" in tag.attrs:
            assert tag.attrs.get("data-action-id"), tag.attrs


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_every_view_builder_renders(name: str) -> None:
    view = VIEWS[name]()
    markup = render_view(view, CTX)
    assert "bk-unsupported" not in markup
    root = assert_safe(markup)
    check_shown(root)
    assert bool(root.find_all("button", data_role="submit")) == (view["type"] == "modal" and "submit" in view)
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        block_id, action_id = block["block_id"], block["element"]["action_id"]
        names = {t.attrs.get("name") for t in root.find("div", data_block_id=block_id).find_all() if "name" in t.attrs}
        assert names == {f"{block_id}/{action_id}"}, (block_id, names)


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_every_text_builder_renders(name: str) -> None:
    markup = render_mrkdwn(TEXTS[name](), CTX)
    root = assert_safe(markup)
    check_shown(root)


def test_errors_show_under_every_input_of_every_modal() -> None:
    for name, build in VIEWS.items():
        view = build()
        inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        root = assert_safe(render_view(view, CTX, errors={block_id: f"Bad {block_id}" for block_id in inputs}))
        alerts = [t.text for t in root.find_all("div", role="alert")]
        assert alerts == [f"Bad {block_id}" for block_id in inputs], name


def test_the_builders_cover_every_block_and_element_type_tandem_sends() -> None:
    seen: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("type"), str):
                seen.add(node["type"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for build in [*MESSAGES.values(), *VIEWS.values()]:
        walk(build())
    expected = {
        "section", "context", "actions", "header", "divider", "input", "button", "static_select",
        "multi_static_select", "users_select", "multi_users_select", "conversations_select", "checkboxes",
        "radio_buttons", "datepicker", "timepicker", "plain_text_input", "url_text_input", "number_input", "modal",
        "home", "mrkdwn", "plain_text",
    }  # fmt: skip
    assert expected <= seen, expected - seen


def _classes(markup: str) -> set[str]:
    return {cls for tag in assert_safe(markup).find_all() for cls in tag.classes()}


def test_every_class_the_renderer_emits_is_styled() -> None:
    css = (resources.files("bot.playground") / "static" / "blockkit.css").read_text(encoding="utf-8")
    styled = set(re.findall(r"\.(bk-[a-z0-9-]+)", css))
    emitted: set[str] = set()
    for build in MESSAGES.values():
        emitted |= _classes(render_message(build(), CTX))
    for build in VIEWS.values():
        view = build()
        emitted |= _classes(render_view(view, CTX, errors={b.get("block_id", ""): "x" for b in view["blocks"]}))
    emitted |= _classes(render_message(KITCHEN_SINK, CTX))
    emitted |= _classes(render_view({"type": "home", "blocks": KITCHEN_SINK["blocks"]}, CTX))
    # Containers that only group (and carry data attributes for the page's script) need no style.
    unstyled_by_design = {"bk-block", "bk-section-text", "bk-field", "bk-input-control", "bk-plain",
                          "bk-modal-close", "bk-modal-submit", "bk-image-element-alt", "bk-context-image-alt",
                          "bk-image-img-alt", "bk-attachment-image-alt", "bk-rt-indent-0", "bk-attachment-text",
                          "bk-rt-section", "bk-context-text", "bk-view", "bk-header", "bk-divider"}  # fmt: skip
    assert emitted - styled - unstyled_by_design == set()
    assert {"bk-button--primary", "bk-button--danger", "bk-mention--broadcast", "bk-pre", "bk-quote"} <= emitted


KITCHEN_SINK: dict[str, Any] = {
    "text": "x",
    "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "*b* `c` ```p``` <!here> <@U1> <https://e.com|l>\n> q"},
         "accessory": {"type": "image", "image_url": "https://e.com/i.png", "alt_text": "i"}},
        {"type": "section", "fields": [{"type": "plain_text", "text": "f"}],
         "accessory": {"type": "overflow", "action_id": "o", "options": [{"text": bk.plain_text("a")}]}},
        {"type": "image", "image_url": "ftp://nope", "alt_text": "alt", "title": {"type": "plain_text", "text": "t"}},
        {"type": "image", "image_url": "https://e.com/i.png", "alt_text": "alt"},
        {"type": "context", "elements": [{"type": "image", "image_url": "https://e.com/i.png", "alt_text": "c"},
                                         {"type": "image", "image_url": "bad", "alt_text": "c"}]},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": "d", "style": "danger", "text": {"type": "plain_text", "text": "D"}},
            {"type": "datepicker", "action_id": "dp"}, {"type": "timepicker", "action_id": "tp"},
            {"type": "datetimepicker", "action_id": "dtp"}, {"type": "workflow_button", "action_id": "w"},
            {"type": "image", "image_url": "https://e.com/i.png", "alt_text": "e"},
            {"type": "image", "image_url": "bad", "alt_text": "e"},
        ]},
        {"type": "input", "block_id": "e", "label": {"type": "plain_text", "text": "E"},
         "element": {"type": "email_text_input", "action_id": "e"}},
        {"type": "rich_text", "elements": [
            {"type": "rich_text_section", "elements": [{"type": "text", "text": "t", "style": {"code": True}}]},
            {"type": "rich_text_list", "style": "bullet", "indent": 1, "border": 1, "elements": []},
            {"type": "rich_text_list", "style": "ordered", "indent": 2, "elements": []},
        ]},
        {"type": "file", "external_id": "X"},
        {"type": "video"},
    ],
    "attachments": [{"color": "good", "pretext": "p", "author_name": "a", "title": "t", "text": "x",
                     "fields": [{"title": "f", "value": "v", "short": True}, {"title": "g", "value": "w"}],
                     "image_url": "https://e.com/i.png", "footer": "f"},
                    {"image_url": "bad", "fallback": "fb", "text": "t"}],
    "files": [{"id": "F1", "title": "chart", "mimetype": "image/png"}, {"id": "F9", "name": "doc.pdf"}],
}  # fmt: skip
