"""Prometheus metrics, served at ``GET /metrics`` in HTTP mode.

One registry per process (not the global default one, so in-process tests can build several
apps). Gauges that reflect the database (delivery queue depth, scheduler lag) are read at scrape
time by ``DatabaseCollector``, so every replica reports the shared truth.
"""

from __future__ import annotations

import io
import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

REGISTRY = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "tandem_requests_total",
    "HTTP requests received, by route and Slack request kind and status code.",
    ["route", "kind", "status"],
    registry=REGISTRY,
)
ACK_SECONDS = Histogram(
    "tandem_ack_seconds",
    "Time from receiving a Slack request to answering it (the ack), by kind.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
    registry=REGISTRY,
)
SLACK_CALLS = Counter(
    "tandem_slack_api_calls_total",
    "Slack Web API calls, by method and outcome (ok, an error code, ratelimited, connection_error).",
    ["method", "outcome"],
    registry=REGISTRY,
)
SLACK_RATELIMITED = Counter(
    "tandem_slack_ratelimited_total",
    "HTTP 429 answers from Slack, by method.",
    ["method"],
    registry=REGISTRY,
)
TICKS = Counter("tandem_scheduler_ticks_total", "Scheduler ticks run by this process.", registry=REGISTRY)


def record_slack_call(method: str, outcome: str) -> None:
    SLACK_CALLS.labels(method=method, outcome=outcome).inc()
    if outcome == "ratelimited":
        SLACK_RATELIMITED.labels(method=method).inc()


class DatabaseCollector(Collector):
    """Reads queue depth and scheduler lag from the database at scrape time."""

    def __init__(self, probes: dict[str, tuple[str, Callable[[], float | None]]]) -> None:
        self._probes = probes

    def collect(self) -> Iterator[GaugeMetricFamily]:
        for name, (help_text, probe) in self._probes.items():
            try:
                value = probe()
            except Exception as error:  # noqa: BLE001 - a scrape must not fail because the DB blinked
                log.warning("metrics probe %s failed: %s", name, type(error).__name__)
                continue
            if value is not None:
                yield GaugeMetricFamily(name, help_text, value=value)


def register_database_probes(probes: dict[str, tuple[str, Callable[[], float | None]]]) -> None:
    REGISTRY.register(DatabaseCollector(probes))


def slack_request_kind(environ: dict[str, Any], body: bytes) -> str:
    """command / block_actions / view_submission / shortcut / message_action / event / ..."""
    content_type = environ.get("CONTENT_TYPE", "")
    try:
        if "json" in content_type:
            data = json.loads(body or b"{}")
            return "event" if data.get("type") == "event_callback" else str(data.get("type") or "unknown")
        form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
        if "command" in form:
            return "command"
        if "payload" in form:
            return str(json.loads(form["payload"][0]).get("type") or "unknown")
    except (ValueError, AttributeError):
        return "malformed"
    return "unknown"


def instrument_wsgi(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """Count requests and time Slack acks (the HTTP answer is the ack)."""

    def wrapped(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        path = environ.get("PATH_INFO", "")
        kind = "-"
        if path == "/slack/events" and environ.get("REQUEST_METHOD") == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(body)
            kind = slack_request_kind(environ, body)
        status_holder: list[str] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status_holder.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        result = list(app(environ, capture))
        route = path if path in ("/slack/events", "/healthz", "/metrics", "/slack/install") else "other"
        REQUESTS.labels(route=route, kind=kind, status=status_holder[0] if status_holder else "?").inc()
        if kind != "-":
            ACK_SECONDS.labels(kind=kind).observe(time.perf_counter() - started)
        return result

    return wrapped


def metrics_wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    body = generate_latest(REGISTRY)
    start_response("200 OK", [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")])
    return [body]


def seconds_since(moment: datetime | None, now: datetime) -> float | None:
    return None if moment is None else max(0.0, (now - moment).total_seconds())
