"""The explicit wiring: every job kind has exactly one handler, every hook name is unique, and
nothing registers itself on import (the tables come only from bot.features.FEATURES)."""

from __future__ import annotations

import ast
from collections import Counter
from datetime import timedelta
from enum import StrEnum
from pathlib import Path

import pytest

from bot.digest.ids import JobKind as DigestJob
from bot.feature import Feature, delivery_hooks, job_table
from bot.features import FEATURES
from bot.goals.ids import JobKind as GoalsJob
from bot.launches.ids import JobKind as LaunchesJob
from bot.retro.ids import JobKind as RetroJob
from bot.scheduling import JobContext, JobSpec, JobTable
from bot.scheduling.registry import DuplicateJob
from bot.slack.outbox import DeliveryHooks, DuplicateHook
from bot.standup.ids import JobKind as StandupJob

BOT = Path(__file__).resolve().parents[1] / "bot"

# Every enum of job kinds (the values ``create_schedule``/``schedule_once`` are called with).
# A package that gains jobs adds its enum here; the scan below fails until it does.
JOB_KIND_ENUMS: tuple[type[StrEnum], ...] = (StandupJob, RetroJob, DigestJob, GoalsJob, LaunchesJob)


def test_every_job_kind_has_exactly_one_handler() -> None:
    listed = Counter(str(spec.kind) for feature in FEATURES for spec in feature.jobs)
    assert [kind for kind, n in listed.items() if n > 1] == []
    kinds = {str(kind) for enum in JOB_KIND_ENUMS for kind in enum}
    assert set(listed) == kinds, "a job kind without a handler, or a handler for a kind no enum names"
    assert job_table(FEATURES).kinds() == sorted(kinds)


def test_schedules_are_only_created_with_kinds_from_the_enums() -> None:
    """Every ``kind=`` passed to create_schedule/schedule_once in bot/ is an enum member, so the
    test above covers every kind that can reach the database."""
    names = {enum.__name__ for enum in JOB_KIND_ENUMS}
    loose: list[str] = []
    seen = 0
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in {
                "create_schedule", "schedule_once"
            }):  # fmt: skip
                continue
            for keyword in node.keywords:
                if keyword.arg != "kind":
                    continue
                seen += 1
                value = keyword.value
                base = value.value if isinstance(value, ast.Attribute) else None
                if not (isinstance(base, ast.Name) and base.id in names):
                    loose.append(f"{path.relative_to(BOT.parent)}:{node.lineno}")
    assert seen >= 8  # the stand-up, retro and digest calls: the scan really looks
    assert loose == []


def test_hook_names_are_unique_across_features() -> None:
    results = Counter(name for feature in FEATURES for name in feature.result_hooks)
    failures = Counter(kind for feature in FEATURES for kind in feature.failure_hooks)
    assert [name for name, n in (results + failures).items() if n > 1] == []
    hooks = delivery_hooks(FEATURES)
    assert set(hooks.results) == set(results) and set(hooks.failures) == set(failures)
    assert len({feature.name for feature in FEATURES}) == len(FEATURES)


def _noop(ctx: JobContext) -> None:
    return None


def test_duplicates_fail_when_the_tables_are_built() -> None:
    with pytest.raises(DuplicateJob):
        JobTable([JobSpec("x.run", _noop), JobSpec("x.run", _noop, timedelta(hours=1))])
    with pytest.raises(DuplicateJob):
        job_table([*FEATURES, Feature("copy", FEATURES[0].register, jobs=FEATURES[0].jobs)])
    with pytest.raises(DuplicateHook):
        DeliveryHooks().plus(results={"a": lambda s, r, x: None}).plus(results={"a": lambda s, r, x: None})


def test_nothing_registers_on_import() -> None:
    """No module of bot/ calls a function at module level whose name says it registers."""
    offenders: list[str] = []
    for path in BOT.rglob("*.py"):
        for node in ast.parse(path.read_text(), str(path)).body:
            call = node.value if isinstance(node, ast.Expr) else None
            if isinstance(call, ast.Call):
                name = getattr(call.func, "id", getattr(call.func, "attr", ""))
                if "register" in name:
                    offenders.append(f"{path.relative_to(BOT.parent)}:{node.lineno} {name}()")
    assert offenders == []
