"""HTTP mode: a WSGI application served by waitress (a production server, not Bolt's dev server).

Routes: ``POST /slack/events`` (commands, interactivity and events at one URL, Bolt's
convention), ``GET /healthz``, and with OAuth ``GET /slack/install`` and
``GET /slack/oauth_redirect``. Signatures are verified by Bolt.

Features add their own routes by path prefix (``bot.feature.WebRoute``, collected by
``bot.runtime.web_routes``: this module never imports a feature). They are served in both
transports; each gets a bounded body (``FEATURE_BODY_LIMIT``, refused before it runs) and a
JSON 500 if it fails.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from sqlalchemy.exc import SQLAlchemyError

from bot.db import Database
from bot.metrics import instrument_wsgi, metrics_wsgi
from bot.wsgi import StartResponse, WSGIApp, json_response

log = logging.getLogger(__name__)

SLACK_PATHS = ("/slack/events", "/slack/install", "/slack/oauth_redirect")
FEATURE_BODY_LIMIT = 64 * 1024  # bytes a feature route may be sent at most (its own limit may be lower)


def _json(start_response: StartResponse, status: str, payload: dict[str, Any]) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def _timestamp_is_numeric(environ: dict[str, Any]) -> bool:
    """False if X-Slack-Request-Timestamp is present but not a plain number (absent: Bolt answers 401)."""
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    return timestamp is None or re.fullmatch(r"[0-9]{1,12}", timestamp) is not None


def guarded(route: WSGIApp, body_limit: int = FEATURE_BODY_LIMIT) -> WSGIApp:
    """A feature route behind a declared-size check and a JSON 500 for anything it raises."""

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        length = str(environ.get("CONTENT_LENGTH") or "0").strip()
        if length.isdigit() and int(length) > body_limit:
            return json_response(start_response, "413 Content Too Large", {"error": f"body over {body_limit} bytes"})
        try:
            return list(route(environ, start_response))
        except Exception:
            log.exception("web route %s failed", environ.get("PATH_INFO", ""))
            return json_response(
                start_response, "500 Internal Server Error", {"error": "internal error"}, exc_info=sys.exc_info()
            )

    return application


def build_wsgi_app(
    app: App,
    db: Database,
    extra_routes: dict[str, WSGIApp] | None = None,
    *,
    serve_slack: bool = True,
    prefix_routes: Mapping[str, WSGIApp] | None = None,
) -> WSGIApp:
    """``serve_slack=False`` (Socket Mode): /healthz, /metrics and the features' ``prefix_routes``
    (path prefix -> WSGI app, from ``bot.runtime.web_routes``); Slack uses the socket."""
    slack = SlackRequestHandler(app)
    routes = dict(extra_routes or {})
    # Longest prefix first, so "/goals/x/" would win over "/goals/".
    prefixed = sorted(((p, guarded(r)) for p, r in (prefix_routes or {}).items()), key=lambda pr: -len(pr[0]))

    def healthz(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        try:
            db.ping()
        except SQLAlchemyError as error:
            log.warning("health check: database unreachable (%s)", type(error).__name__)
            return _json(start_response, "503 Service Unavailable", {"status": "error", "database": "unreachable"})
        return _json(start_response, "200 OK", {"status": "ok", "database": "ok"})

    routes.setdefault("/healthz", healthz)
    routes.setdefault("/metrics", metrics_wsgi)

    def application(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path in SLACK_PATHS and serve_slack:
            if not _timestamp_is_numeric(environ):
                # Bolt's verifier calls int() on it unguarded: a hostile header would be a 500.
                return _json(start_response, "401 Unauthorized", {"error": "invalid request"})
            return slack(environ, start_response)
        route = routes.get(path)
        if route is not None:
            return route(environ, start_response)
        for prefix, handler in prefixed:
            if path.startswith(prefix):
                return handler(environ, start_response)
        return _json(start_response, "404 Not Found", {"error": "not_found"})

    return instrument_wsgi(application)
