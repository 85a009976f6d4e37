"""Digest compile time on a large workspace, on SQLite and PostgreSQL, in one run.

    python bench/digest.py --postgres [--runs 9]

Builds (through migrations, in a temporary SQLite file and a throwaway PostgreSQL database) a
workspace with 100,000 insights (+ 50,000 "+1"s, 10,000 status changes), 50,000 stand-up
answers (and as many prompts, 10 stand-ups x 10 people x 500 days), 5,000 retro action items
and 50 rated retros, spread over two years; and 1,000 shared goals with two owners and 50 weekly
check-ins each (50,000 check-ins and as many values), 20 of them closed in the latest week.
Then it times ``compile_digest`` (every section) and ``compile_chart`` for the latest week, each
in a fresh unit of work, and prints the median, min and max of ``--runs`` runs. Goal: median
compile <= 100 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, text

from bench.postgres import scratch_database
from bot.db import Database
from bot.digest import compose
from bot.digest.ids import ALL_SECTIONS, Section
from bot.goals.models import Goal, GoalCheckin, GoalOwner, GoalValue
from bot.insights.models import Insight, InsightStatusChange, InsightVote
from bot.migrate import upgrade_to_head
from bot.retro.models import Retro, RetroActionItem, RetroRating, RetroSeries
from bot.standup.models import Standup, StandupAnswer, StandupOccurrence, StandupParticipant, StandupPrompt

TEAM = "TBENCH0001"
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
DAYS = 730
CATEGORIES = ["customer_needs", "positioning", "pricing", "roadmap", "competitive", "business_model", None]
SEGMENTS = ["Enterprise", "SMB", "Agencies", "Startups", ""]
BATCH = 5000
GOALS = 1000
CHECKINS_PER_GOAL = 50
CONFIDENCES = ["on_track", "on_track", "at_risk", "off_track"]


def _batched(db: Database, model: Any, rows: list[dict[str, Any]]) -> None:
    with db.unit_of_work() as session:
        for i in range(0, len(rows), BATCH):
            session.execute(insert(model), rows[i : i + BATCH])


def seed(db: Database, rng: random.Random) -> dict[str, int]:
    def moment() -> datetime:
        return NOW - timedelta(seconds=rng.randrange(DAYS * 86400))

    insights = [
        {
            "team_id": TEAM,
            "number": n,
            "text": f"Customer said thing number {n} about the product",
            "customer": "",
            "segment": rng.choice(SEGMENTS),
            "source": "sales_call",
            "category": rng.choice(CATEGORIES),
            "impact": None,
            "evidence_url": "",
            "status": "new",
            "status_note": "",
            "roadmap_url": "",
            "submitted_by": f"U{n % 40:04d}",
            "source_channel_id": "",
            "source_message_ts": "",
            "source_thread_ts": "",
            "source_author_id": "",
            "source_permalink": "",
            "channel_id": "",
            "version": 0,
            "created_at": (at := moment()),
            "updated_at": at,
        }
        for n in range(1, 100_001)
    ]
    _batched(db, Insight, insights)
    with db.unit_of_work() as session:
        ids = [
            row[0]
            for row in session.execute(text("SELECT id, created_at FROM insights WHERE team_id = :t"), {"t": TEAM})
        ]
    votes = {(rng.choice(ids), f"UV{rng.randrange(60):03d}") for _ in range(50_000)}
    _batched(
        db,
        InsightVote,
        [
            {"team_id": TEAM, "insight_id": i, "user_id": u, "customer": "", "note": "", "created_at": NOW}
            for i, u in votes
        ],
    )
    _batched(
        db,
        InsightStatusChange,
        [
            {
                "team_id": TEAM,
                "insight_id": rng.choice(ids),
                "from_status": "new",
                "to_status": "planned",
                "note": "",
                "roadmap_url": "",
                "changed_by": "U0001",
                "changed_at": moment(),
            }
            for _ in range(10_000)
        ],
    )

    with db.unit_of_work() as session:
        for s in range(10):
            session.execute(
                insert(Standup),
                [
                    {
                        "id": s + 1,
                        "team_id": TEAM,
                        "name": f"Stand-up {s}",
                        "channel_id": "C1",
                        "owner_id": "U0001",
                        "weekdays": "0,1,2,3,4",
                        "local_time": "09:00",
                        "zone_mode": "fixed",
                        "timezone": "UTC",
                        "questions": {"all": ["?"]},
                        "blocker_question": "?",
                        "usergroups": {},
                        "reminder_minutes": 0,
                        "open_minutes": 480,
                        "prefill": False,
                        "paused": False,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                ],
            )
    people = [(f"U{p:04d}", "product" if p % 2 else "marketing") for p in range(10)]
    _batched(
        db,
        StandupParticipant,
        [
            {
                "team_id": TEAM,
                "standup_id": s + 1,
                "user_id": u,
                "side": side,
                "timezone": "UTC",
                "name": "",
                "active": True,
                "joined_at": NOW,
            }
            for s in range(10)
            for u, side in people
        ],
    )
    occurrences = []
    occ_id = 0
    for s in range(10):
        for d in range(500):
            occ_id += 1
            opened = NOW - timedelta(days=d + 1, hours=-0.5)
            occurrences.append(
                {
                    "id": occ_id,
                    "team_id": TEAM,
                    "standup_id": s + 1,
                    "local_date": opened.date(),
                    "channel_id": "C1",
                    "opened_at": opened,
                    "closes_at": opened + timedelta(hours=8),
                    "closed_at": opened + timedelta(hours=8),
                    "parent_key": f"p{occ_id}",
                    "parent_ts": None,
                }
            )
    _batched(db, StandupOccurrence, occurrences)
    answers, prompts = [], []
    for occ in occurrences:
        for u, side in people:
            prompts.append(
                {
                    "team_id": TEAM,
                    "occurrence_id": occ["id"],
                    "user_id": u,
                    "side": side,
                    "due_at": occ["opened_at"],
                    "prompted_at": occ["opened_at"],
                    "reminded_at": None,
                    "skipped_at": None,
                    "away": False,
                }
            )
            answers.append(
                {
                    "team_id": TEAM,
                    "standup_id": occ["standup_id"],
                    "occurrence_id": occ["id"],
                    "user_id": u,
                    "side": side,
                    "responses": [{"question": "?", "answer": "ok"}],
                    "blocker": "stuck" if rng.random() < 0.05 else "",
                    "created_at": occ["opened_at"] + timedelta(minutes=5),
                    "edited_at": None,
                    "late": False,
                    "message_key": f"a{occ['id']}:{u}",
                    "message_ts": None,
                }
            )
    _batched(db, StandupPrompt, prompts)
    _batched(db, StandupAnswer, answers)

    with db.unit_of_work() as session:
        session.execute(
            insert(RetroSeries),
            [
                {
                    "id": 1,
                    "team_id": TEAM,
                    "title": "Partnership",
                    "channel_id": "C1",
                    "facilitator_id": "U0001",
                    "template": "partnership",
                    "prompts": ["?"],
                    "anonymity": "optional",
                    "votes_per_person": 3,
                    "collect_minutes": 60,
                    "include_insights": False,
                    "start_mode": "now",
                    "archived": False,
                    "created_at": NOW,
                }
            ],
        )
    retros = [
        {
            "id": r + 1,
            "team_id": TEAM,
            "series_id": 1,
            "number": r + 1,
            "status": "closed",
            "channel_id": "C1",
            "prompts": ["?"],
            "opened_at": NOW - timedelta(weeks=r, hours=2),
            "closes_at": NOW - timedelta(weeks=r, hours=1),
            "closed_at": NOW - timedelta(weeks=r, hours=1),
            "message_ts": None,
            "secret_salt": None,
        }
        for r in range(50)
    ]
    _batched(db, Retro, retros)
    _batched(
        db,
        RetroRating,
        [
            {
                "team_id": TEAM,
                "retro_id": r + 1,
                "rater_hash": f"{r}:{k}",
                "side": "product" if k % 2 else "marketing",
                "trust": rng.randint(1, 5),
                "ownership": rng.randint(1, 5),
                "planning": rng.randint(1, 5),
                "focus": "trust",
            }
            for r in range(50)
            for k in range(8)
        ],
    )
    actions = []
    for a in range(5000):
        created = moment()
        done = rng.random() < 0.7
        actions.append(
            {
                "team_id": TEAM,
                "series_id": 1,
                "retro_id": rng.randrange(50) + 1,
                "item_id": None,
                "text": f"Action {a}",
                "owner_id": f"U{a % 10:04d}",
                "due_on": (created + timedelta(days=14)).date(),
                "owner_tz": "UTC",
                "status": "done" if done else "open",
                "created_by": "U0001",
                "created_at": created,
                "completed_at": created + timedelta(days=rng.randrange(1, 20)) if done else None,
            }
        )
    _batched(db, RetroActionItem, actions)
    goals = seed_goals(db, rng)
    with db.unit_of_work() as session:
        if db.dialect == "postgresql":
            session.execute(text("ANALYZE"))
        else:
            session.execute(text("ANALYZE"))
    return {"insights": len(insights), "answers": len(answers), "action_items": len(actions), **goals}


def seed_goals(db: Database, rng: random.Random) -> dict[str, int]:
    """1,000 goals (two owners each), each with 50 weekly check-ins (a value and a check-in row)."""
    started = NOW - timedelta(weeks=CHECKINS_PER_GOAL + 1)
    goals = [
        {
            "id": g + 1,
            "team_id": TEAM,
            "title": f"Shared goal {g + 1}",
            "why": "",
            "kind": "target",
            "metric_name": "Trial-to-paid",
            "unit": "percent",
            "unit_label": "",
            "direction": "up",
            "baseline": 4.0,
            "target": 8.0,
            "due_on": (NOW + timedelta(days=90)).date(),
            "visibility_only": False,
            "channel_id": f"C{g % 20:04d}",
            "version": 0,
            "cadence": "weekly",
            "weekday": 0,
            "local_time": datetime(2026, 1, 1, 9, 30).time(),
            "starts_on": started.date(),
            "status": "closed" if g < 20 else "active",
            "outcome": "hit" if g < 20 else None,
            "closed_at": NOW - timedelta(days=2) if g < 20 else None,
            "pull_url": "",
            "pull_pointer": "",
            "learning": "",
            "created_by": "U0001",
            "created_at": started,
            "updated_at": NOW,
        }
        for g in range(GOALS)
    ]
    _batched(db, Goal, goals)
    owners = [
        {"team_id": TEAM, "goal_id": g + 1, "user_id": f"U{(g + k) % 10:04d}", "side": side}
        for g in range(GOALS)
        for k, side in ((0, "product"), (1, "marketing"))
    ]
    _batched(db, GoalOwner, owners)
    values, checkins = [], []
    value_id = 0
    for g in range(GOALS):
        level = 4.0
        for c in range(CHECKINS_PER_GOAL):
            value_id += 1
            at = started + timedelta(weeks=c + 1, hours=rng.randrange(48))
            level += rng.uniform(-0.1, 0.2)
            values.append(
                {
                    "id": value_id,
                    "team_id": TEAM,
                    "goal_id": g + 1,
                    "value": level,
                    "measured_at": at,
                    "source": "checkin",
                    "note": "",
                    "recorded_by": "U0001",
                    "dedupe_key": None,
                    "created_at": at,
                }
            )
            checkins.append(
                {
                    "team_id": TEAM,
                    "goal_id": g + 1,
                    "value_id": value_id,
                    "value": level,
                    "confidence": rng.choice(CONFIDENCES),
                    "note": "",
                    "user_id": "U0001",
                    "created_at": at,
                }
            )
    _batched(db, GoalValue, values)
    _batched(db, GoalCheckin, checkins)
    return {"goals": len(goals), "goal_checkins": len(checkins)}


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    fn()  # warm-up: connection, statement cache
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure(db: Database, runs: int) -> dict[str, list[float]]:
    def compile_digest() -> None:
        with db.unit_of_work() as session:
            digest = compose.compile_digest(session, TEAM, end=NOW, timezone="UTC")
            assert digest.insights is not None and digest.standups is not None and digest.actions is not None
            assert digest.goals is not None and digest.goals.open_total == GOALS - 20

    def compile_digest_without_goals() -> None:
        # The same sitting's baseline: every section but the shared goals (what the figure was before).
        with db.unit_of_work() as session:
            sections = [s for s in ALL_SECTIONS if s is not Section.GOALS]
            digest = compose.compile_digest(session, TEAM, end=NOW, sections=sections, timezone="UTC")
            assert digest.goals is None

    def compile_chart() -> None:
        with db.unit_of_work() as session:
            chart = compose.compile_chart(session, TEAM, end=NOW)
            assert chart.goals

    return {
        "compile_digest": timed(compile_digest, runs),
        "without_goals": timed(compile_digest_without_goals, runs),
        "compile_chart": timed(compile_chart, runs),
    }


def report(name: str, results: dict[str, list[float]]) -> None:
    for what, values in results.items():
        print(
            f"{name:<10} {what:<15} median {statistics.median(values):7.1f} ms   "
            f"min {min(values):7.1f}   max {max(values):7.1f}   ({len(values)} runs)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="also on PostgreSQL (bench/postgres.py: TANDEM_BENCH_POSTGRES or a throwaway cluster)",
    )
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    results: list[tuple[str, dict[str, list[float]]]] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade_to_head(db)
        started = time.perf_counter()
        counts = seed(db, random.Random(7))
        print(f"sqlite: seeded {counts} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
        results.append(("sqlite", measure(db, args.runs)))
        db.dispose()
    if args.postgres:
        with scratch_database("digest") as url:
            db = Database.from_url(url)
            upgrade_to_head(db)
            started = time.perf_counter()
            counts = seed(db, random.Random(7))
            print(f"postgresql: seeded {counts} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
            results.append(("postgresql", measure(db, args.runs)))
            db.dispose()
    for name, result in results:
        report(name, result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
