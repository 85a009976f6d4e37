"""A known week of rituals, written straight through the models (no Slack involved).

The week is [2026-11-16 09:00Z, 2026-11-23 09:00Z); NOW is Monday 2026-11-23 09:00Z. The figures
the digest must show are spelled out in ``Expected`` so tests assert against them, not against
whatever the code computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.insights.models import Insight, InsightStatusChange, InsightVote
from bot.retro.models import Retro, RetroActionItem, RetroRating, RetroSeries
from bot.scheduling.cadence import Cadence
from bot.scheduling.service import create_schedule, schedule_once
from bot.standup.models import (
    Standup,
    StandupAnswer,
    StandupAsk,
    StandupOccurrence,
    StandupParticipant,
    StandupPrompt,
)

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
WEEK_START = NOW - timedelta(days=7)


@dataclass(frozen=True)
class People:
    pat: str  # product, stand-up owner
    max: str  # product
    asha: str  # marketing
    mia: str  # marketing, retro facilitator


@dataclass
class Seeded:
    standup_id: int
    today_occurrence_id: int
    open_ask_id: int
    pat_action_id: int
    overdue_action_id: int
    retro_series_id: int


def _at(day: date, hour: int = 14) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def seed_week(session: Session, team_id: str, people: People) -> Seeded:
    standup = Standup(
        team_id=team_id,
        name="Launch sync",
        channel_id="C0PRODMKT",
        owner_id=people.pat,
        weekdays="0,1,2,3,4",
        local_time="09:00",
        zone_mode="fixed",
        timezone="UTC",
        questions={"all": ["Yesterday?", "Today?"]},
        blocker_question="Anything blocking you?",
        usergroups={},
        reminder_minutes=0,
        open_minutes=480,
        prefill=False,
        paused=False,
        created_at=NOW - timedelta(days=30),
        updated_at=NOW - timedelta(days=30),
    )
    session.add(standup)
    session.flush()
    sides = {people.pat: "product", people.max: "product", people.asha: "marketing", people.mia: "marketing"}
    for user, side in sides.items():
        session.add(
            StandupParticipant(
                team_id=team_id,
                standup_id=standup.id,
                user_id=user,
                side=side,
                timezone="UTC",
                active=True,
                joined_at=NOW - timedelta(days=30),
            )
        )

    def occurrence(day: date, opened: datetime, closed: bool = True) -> StandupOccurrence:
        row = StandupOccurrence(
            team_id=team_id,
            standup_id=standup.id,
            local_date=day,
            channel_id="C0PRODMKT",
            opened_at=opened,
            closes_at=opened + timedelta(hours=8),
            closed_at=opened + timedelta(hours=8) if closed else None,
            parent_key=f"seed:{day.isoformat()}",
            parent_ts=None,
        )
        session.add(row)
        session.flush()
        return row

    def answer(occ: StandupOccurrence, user: str, blocker: str = "") -> StandupAnswer:
        row = StandupAnswer(
            team_id=team_id,
            standup_id=standup.id,
            occurrence_id=occ.id,
            user_id=user,
            side=sides[user],
            responses=[{"question": "Today?", "answer": "work"}],
            blocker=blocker,
            created_at=occ.opened_at + timedelta(minutes=30 + len(user)),
            edited_at=None,
            late=False,
            message_key=f"seed:{occ.id}:{user}",
            message_ts=None,
        )
        session.add(row)
        session.flush()
        return row

    # This week: Mon-Fri, everyone prompted (10 product, 10 marketing);
    # answers: pat 5, max 3 (product 8); asha 4, mia 2 (marketing 6).
    answered = {people.pat: 5, people.max: 3, people.asha: 4, people.mia: 2}
    first_answer: StandupAnswer | None = None
    for i in range(5):
        day = date(2026, 11, 16) + timedelta(days=i)
        occ = occurrence(day, _at(day))
        for user in sides:
            session.add(
                StandupPrompt(
                    team_id=team_id,
                    occurrence_id=occ.id,
                    user_id=user,
                    side=sides[user],
                    due_at=occ.opened_at,
                    prompted_at=occ.opened_at,
                    reminded_at=None,
                    skipped_at=None,
                    away=False,
                )
            )
            if i < answered[user]:
                blocker = ""
                if user == people.pat and i == 0:
                    blocker = "Waiting for legal review"  # resolved: pat's later answers have none
                if user == people.max and i == 2:
                    blocker = "Waiting on <pricing page> copy"  # max's latest answer: still blocked
                row = answer(occ, user, blocker)
                first_answer = first_answer or row
    # The week before: 3 answers each (product 6, marketing 6).
    for i in range(3):
        day = date(2026, 11, 9) + timedelta(days=i)
        occ = occurrence(day, _at(day))
        for user in sides:
            answer(occ, user)
    assert first_answer is not None
    open_ask = StandupAsk(
        team_id=team_id,
        standup_id=standup.id,
        answer_id=first_answer.id,
        from_user=people.asha,
        to_user=people.pat,
        text="Need the beta feature list by Thursday",
        status="open",
        created_at=_at(date(2026, 11, 17)),
        handled_at=None,
    )
    handled = StandupAsk(
        team_id=team_id,
        standup_id=standup.id,
        answer_id=first_answer.id,
        from_user=people.mia,
        to_user=people.max,
        text="Screenshots please",
        status="handled",
        created_at=_at(date(2026, 11, 17)),
        handled_at=_at(date(2026, 11, 18)),
    )
    session.add_all([open_ask, handled])
    # Today's occurrence (opens at NOW, so outside the digest's week): pat has not answered.
    today = occurrence(date(2026, 11, 23), NOW, closed=False)
    session.add(
        StandupPrompt(
            team_id=team_id,
            occurrence_id=today.id,
            user_id=people.pat,
            side="product",
            due_at=NOW,
            prompted_at=NOW,
            reminded_at=None,
            skipped_at=None,
            away=False,
        )
    )

    # Insights: 5 new this week, 2 the week before.
    def insight(number: int, text: str, category: str | None, segment: str, created: datetime, votes: int) -> Insight:
        row = Insight(
            team_id=team_id,
            number=number,
            text=text,
            customer="",
            segment=segment,
            source="sales_call",
            category=category,
            impact=None,
            status="new",
            submitted_by=people.asha if number % 2 else people.mia,
            created_at=created,
            updated_at=created,
        )
        session.add(row)
        session.flush()
        for v in range(votes):
            session.add(InsightVote(team_id=team_id, insight_id=row.id, user_id=f"UVOTER{v}", created_at=created))
        return row

    week = date(2026, 11, 17)
    insight(1, "Onboarding takes too long for teams of 50+", "customer_needs", "Enterprise", _at(week), 3)
    insight(2, "Export to CSV is missing", "customer_needs", "SMB", _at(week, 15), 1)
    insight(3, "Per-seat pricing scares small agencies", "pricing", "Agencies", _at(week, 16), 2)
    insight(4, "Competitor X launched AI summaries", "competitive", "", _at(week, 17), 0)
    insight(5, "Search is slow", "customer_needs", "Enterprise", _at(week, 18), 0)
    older = insight(6, "Dark mode please", "roadmap", "SMB", _at(date(2026, 11, 10)), 0)
    insight(7, "Annual plan discount", "pricing", "SMB", _at(date(2026, 11, 11)), 0)
    older.status = "planned"
    session.add(
        InsightStatusChange(
            team_id=team_id,
            insight_id=older.id,
            from_status="new",
            to_status="planned",
            note="Q1",
            changed_by=people.pat,
            changed_at=_at(date(2026, 11, 19)),
        )
    )

    # Retros: partnership health twice; action items done / open / overdue.
    series = RetroSeries(
        team_id=team_id,
        title="Partnership check",
        channel_id="C0PRODMKT",
        facilitator_id=people.mia,
        template="partnership",
        prompts=["What went well?"],
        collect_minutes=60,
        created_at=NOW - timedelta(days=60),
    )
    session.add(series)
    session.flush()

    def retro(number: int, closed: datetime) -> Retro:
        row = Retro(
            team_id=team_id,
            series_id=series.id,
            number=number,
            status="closed",
            channel_id="C0PRODMKT",
            prompts=["What went well?"],
            opened_at=closed - timedelta(hours=1),
            closes_at=closed,
            closed_at=closed,
        )
        session.add(row)
        session.flush()
        return row

    first = retro(1, _at(date(2026, 10, 26)))
    second = retro(2, _at(date(2026, 11, 19)))
    ratings = [
        (first, "product", 3, 3, 3),
        (first, "product", 3, 3, 3),
        (first, "marketing", 2, 2, 2),  # a lone rater: never shown
        (second, "product", 4, 4, 4),
        (second, "product", 4, 3, 4),
        (second, "marketing", 3, 4, 3),
        (second, "marketing", 4, 4, 4),
    ]
    for n, (r, side, trust, ownership, planning) in enumerate(ratings):
        session.add(
            RetroRating(
                team_id=team_id,
                retro_id=r.id,
                rater_hash=f"h{n}",
                side=side,
                trust=trust,
                ownership=ownership,
                planning=planning,
                focus="trust",
            )
        )

    def action(text: str, owner: str, due: date, done_at: datetime | None) -> RetroActionItem:
        row = RetroActionItem(
            team_id=team_id,
            series_id=series.id,
            retro_id=second.id,
            text=text,
            owner_id=owner,
            due_on=due,
            owner_tz="UTC",
            status="done" if done_at else "open",
            created_by=people.mia,
            created_at=second.closed_at or NOW,
            completed_at=done_at,
        )
        session.add(row)
        session.flush()
        return row

    action("Share the launch calendar", people.mia, date(2026, 11, 21), _at(date(2026, 11, 20)))
    action("Old item", people.asha, date(2026, 11, 12), _at(date(2026, 11, 12)))  # done the week before
    pat_action = action("Draft the positioning doc", people.pat, date(2026, 11, 30), None)
    overdue = action("Fix the beta signup form", people.max, date(2026, 11, 20), None)

    # Next week: the stand-up every weekday at 09:00 UTC, and one retro.
    create_schedule(
        session,
        team_id=team_id,
        kind="standup.prompt",
        ref_id=standup.id,
        cadence=Cadence.weekdays_only(),
        local_time=time(9, 0),
        timezone="UTC",
        now=NOW,
    )
    schedule_once(
        session, team_id=team_id, kind="retro.open", ref_id=series.id, at=_at(date(2026, 11, 26), 15), now=NOW
    )
    session.flush()
    return Seeded(standup.id, today.id, open_ask.id, pat_action.id, overdue.id, series.id)
