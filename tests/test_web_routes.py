"""Feature web routes (bot.feature.WebRoute -> bot.runtime.web_routes -> bot.web): routed by path
prefix in both transports, after the exact routes, behind a declared body-size limit and a JSON
500; a prefix claimed twice, or malformed, fails at start-up."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from slack_bolt import App

from bot.db import Database
from bot.feature import DuplicateRoute, Feature, WebRoute, web_routes
from bot.features import FEATURES
from bot.web import FEATURE_BODY_LIMIT, build_wsgi_app
from bot.wsgi import BodyProblem, Environ, StartResponse, json_response, read_body


@pytest.fixture
def db() -> Iterator[Database]:
    database = Database.from_url("sqlite://")
    yield database
    database.dispose()


def call(app: Any, path: str, method: str = "GET", body: bytes = b"", **extra: str) -> tuple[str, dict[str, Any]]:
    seen: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        seen["status"] = status

    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.input": io.BytesIO(body),
        **extra,
    }
    chunks = b"".join(app(environ, start_response))
    return seen["status"], json.loads(chunks) if chunks else {}


def echo(name: str) -> Any:
    def app(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = read_body(environ, 100)
        return json_response(start_response, "200 OK", {"route": name, "body": body.decode()})

    return app


def failing(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    raise RuntimeError("boom")


def bolt() -> App:
    return App(signing_secret="s", token="xoxb-test", token_verification_enabled=False)


@pytest.mark.parametrize("serve_slack", [True, False])
def test_prefix_routes_in_both_transports(db: Database, serve_slack: bool) -> None:
    routes = {"/goals/": echo("goals"), "/goals/special/": echo("special"), "/boom/": failing}
    app = build_wsgi_app(bolt(), db, serve_slack=serve_slack, prefix_routes=routes)
    assert call(app, "/goals/3/values", "POST", b"hi") == ("200 OK", {"route": "goals", "body": "hi"})
    assert call(app, "/goals/special/x")[1]["route"] == "special"  # the longest prefix wins
    assert call(app, "/goals")[0] == "404 Not Found"  # the prefix is "/goals/"
    assert call(app, "/healthz")[0] == "200 OK"  # exact routes first
    assert call(app, "/boom/x") == ("500 Internal Server Error", {"error": "internal error"})
    big = call(app, "/goals/1/values", "POST", b"x", CONTENT_LENGTH=str(FEATURE_BODY_LIMIT + 1))
    assert big[0] == "413 Content Too Large"


def test_read_body_limits() -> None:
    assert read_body({"CONTENT_LENGTH": "3", "wsgi.input": io.BytesIO(b"abcdef")}, 10) == b"abc"
    assert read_body({}, 10) == b""
    for environ, status in (
        ({"CONTENT_LENGTH": "11", "wsgi.input": io.BytesIO(b"x" * 11)}, "413 Content Too Large"),
        ({"CONTENT_LENGTH": "abc"}, "400 Bad Request"),
        ({"HTTP_TRANSFER_ENCODING": "chunked"}, "411 Length Required"),
    ):
        with pytest.raises(BodyProblem) as caught:
            read_body(environ, 10)
        assert caught.value.status == status


def test_web_routes_are_collected_once_and_checked() -> None:
    def register(app: App, services: Any) -> None:
        return None

    built: list[Any] = []

    def build(services: Any) -> Any:
        built.append(services)
        return echo("x")

    one = Feature("one", register, web_routes=(WebRoute("/one/", build),))
    two = Feature("two", register, web_routes=(WebRoute("/one/", build),))
    services = object()
    assert set(web_routes([one], services)) == {"/one/"} and built == [services]  # type: ignore[arg-type]
    with pytest.raises(DuplicateRoute):
        web_routes([one, two], services)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="starts and ends"):
        web_routes([Feature("bad", register, web_routes=(WebRoute("/one", build),))], services)  # type: ignore[arg-type]


def test_the_goals_feature_serves_the_values_endpoint() -> None:
    prefixes = [route.prefix for feature in FEATURES for route in feature.web_routes]
    assert prefixes == ["/goals/"]
