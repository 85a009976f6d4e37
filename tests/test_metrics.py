"""The /metrics endpoint speaks Prometheus text format and counts Slack requests by kind."""

from __future__ import annotations

import io
import json
import urllib.parse

from bot.metrics import instrument_wsgi, metrics_wsgi, record_slack_call, slack_request_kind


def _call(app, path: str, body: bytes = b"", content_type: str = "application/x-www-form-urlencoded"):
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "POST" if body else "GET",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
    }
    seen: dict[str, str] = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    out = b"".join(app(environ, start_response))
    return seen["status"], out


def test_request_kinds_are_recognised() -> None:
    form = {"CONTENT_TYPE": "application/x-www-form-urlencoded"}
    assert slack_request_kind(form, b"command=%2Fstandup&text=help") == "command"
    payload = urllib.parse.urlencode({"payload": json.dumps({"type": "view_submission"})}).encode()
    assert slack_request_kind(form, payload) == "view_submission"
    event = json.dumps({"type": "event_callback", "event": {"type": "app_home_opened"}}).encode()
    assert slack_request_kind({"CONTENT_TYPE": "application/json"}, event) == "event"
    assert slack_request_kind({"CONTENT_TYPE": "application/json"}, b"{not json") == "malformed"


def test_metrics_endpoint_reports_requests_acks_and_slack_calls() -> None:
    def inner(environ, start_response):
        assert environ["wsgi.input"].read() == b"command=%2Fretro&text=help"  # the body is still there for Bolt
        start_response("200 OK", [])
        return [b""]

    app = instrument_wsgi(inner)
    _call(app, "/slack/events", b"command=%2Fretro&text=help")
    record_slack_call("chat.postMessage", "ratelimited")
    status, body = _call(instrument_wsgi(metrics_wsgi), "/metrics")
    text = body.decode()
    assert status.startswith("200")
    assert 'tandem_requests_total{kind="command",route="/slack/events",status="200"}' in text
    assert 'tandem_ack_seconds_count{kind="command"}' in text
    assert 'tandem_slack_api_calls_total{method="chat.postMessage",outcome="ratelimited"}' in text
    assert 'tandem_slack_ratelimited_total{method="chat.postMessage"}' in text
