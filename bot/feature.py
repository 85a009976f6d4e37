"""What a ritual package hands the composition root: one ``Feature`` object, no import side effects.

Each ritual package has ``feature.py`` defining ``FEATURE``; ``bot/features.py`` lists them in one
place. ``bot.app.build_app`` calls every feature's ``register(app, services)`` (its listeners);
``bot.runtime.build_services`` builds the tick's job table and the drainer's hook tables from
every feature's ``jobs``, ``result_hooks`` and ``failure_hooks``. A kind or hook name listed twice
fails at start-up (``DuplicateJob`` / ``DuplicateHook``), not at 3 a.m. in a tick.

Why ``feature.py`` and not the package's ``__init__.py``: ``__init__`` runs whenever *any* module of
the package is imported (``bot.standup.ids`` from the App Home's views, say); making it import
the listeners would load Bolt and every neighbour package behind a one-line import, and turn
today's one-way imports between packages into import cycles.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from slack_bolt import App

from bot.scheduling.registry import JobSpec, JobTable
from bot.services import Services
from bot.slack.outbox import DeliveryHooks, FailureHook, ResultHook

Register = Callable[[App, Services], None]


@dataclass(frozen=True)
class Feature:
    name: str  # the package name: "standup"
    register: Register  # adds the listeners to the Bolt app
    jobs: tuple[JobSpec, ...] = ()  # one spec per job kind the package schedules
    result_hooks: Mapping[str, ResultHook] = field(default_factory=dict)  # outbox on_result name -> hook
    failure_hooks: Mapping[str, FailureHook] = field(default_factory=dict)  # ritual kind -> hook


def job_table(features: Iterable[Feature]) -> JobTable:
    return JobTable(spec for feature in features for spec in feature.jobs)


def delivery_hooks(features: Iterable[Feature]) -> DeliveryHooks:
    features = list(features)
    return DeliveryHooks.of(
        [pair for feature in features for pair in feature.result_hooks.items()],
        [pair for feature in features for pair in feature.failure_hooks.items()],
    )
