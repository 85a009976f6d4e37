"""What a ritual package hands the composition root: one ``Feature`` object, no import side effects.

Each ritual package has ``feature.py`` defining ``FEATURE``; ``bot/features.py`` lists them in one
place. ``bot.app.build_app`` calls every feature's ``register(app, services)`` (its listeners);
``bot.runtime.build_services`` builds the tick's job table and the drainer's hook tables from
every feature's ``jobs``, ``result_hooks``, ``failure_hooks`` and ``renderers``. A kind or hook name listed twice
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
from bot.slack.outbox import DeliveryHooks, FailureHook, Renderer, ResultHook
from bot.wsgi import WSGIApp

Register = Callable[[App, Services], None]


class DuplicateRoute(ValueError):
    """Two features claim the same web path prefix."""


@dataclass(frozen=True)
class WebRoute:
    """An HTTP route a feature serves beside Slack's (``POST /goals/<id>/values``): every path
    starting with ``prefix`` goes to the WSGI app ``build(services)`` returns (built once, at
    start-up). Served in HTTP mode and, in Socket Mode, on the port that serves /healthz."""

    prefix: str  # "/goals/": starts and ends with "/"
    build: Callable[[Services], WSGIApp]


@dataclass(frozen=True)
class Feature:
    name: str  # the package name: "standup"
    register: Register | None = None  # adds the listeners to the Bolt app (None: jobs and hooks only)
    jobs: tuple[JobSpec, ...] = ()  # one spec per job kind the package schedules
    result_hooks: Mapping[str, ResultHook] = field(default_factory=dict)  # outbox on_result name -> hook
    failure_hooks: Mapping[str, FailureHook] = field(default_factory=dict)  # ritual kind -> hook
    renderers: Mapping[str, Renderer] = field(default_factory=dict)  # outbox render_at_send name -> renderer
    web_routes: tuple[WebRoute, ...] = ()  # HTTP routes beside Slack's, by path prefix


def job_table(features: Iterable[Feature]) -> JobTable:
    return JobTable(spec for feature in features for spec in feature.jobs)


def delivery_hooks(features: Iterable[Feature]) -> DeliveryHooks:
    features = list(features)
    return DeliveryHooks.of(
        [pair for feature in features for pair in feature.result_hooks.items()],
        [pair for feature in features for pair in feature.failure_hooks.items()],
        [pair for feature in features for pair in feature.renderers.items()],
    )


def web_routes(features: Iterable[Feature], services: Services) -> dict[str, WSGIApp]:
    """Every feature's web routes, built: path prefix -> WSGI app (a prefix claimed twice fails)."""
    routes: dict[str, WSGIApp] = {}
    for feature in features:
        for route in feature.web_routes:
            if not (route.prefix.startswith("/") and route.prefix.endswith("/")):
                raise ValueError(f"{feature.name}: a web route prefix starts and ends with '/': {route.prefix!r}")
            if route.prefix in routes:
                raise DuplicateRoute(f"web route prefix {route.prefix!r} is claimed twice")
            routes[route.prefix] = route.build(services)
    return routes
