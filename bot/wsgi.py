"""WSGI plumbing every HTTP route shares: the types, JSON answers and a bounded request body.

A foundation (standard library only): ``bot.web`` serves the routes, and a feature's own routes
(``bot.feature.WebRoute``, e.g. ``POST /goals/<id>/values``) answer with the same helpers, so
every error of ours is JSON and no body is read past its limit.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[Environ, StartResponse], Iterable[bytes]]

DEFAULT_BODY_LIMIT = 16 * 1024  # bytes: our JSON endpoints take a few hundred


class BodyProblem(Exception):
    """The request body cannot be read: ``status`` and ``str()`` are the answer."""

    def __init__(self, status: str, message: str) -> None:
        super().__init__(message)
        self.status = status


def json_response(
    start_response: StartResponse,
    status: str,
    payload: dict[str, Any],
    headers: Iterable[tuple[str, str]] = (),
    *,
    exc_info: Any = None,
) -> list[bytes]:
    """A JSON answer (``exc_info``: replacing a response that failed after it started, per PEP 3333)."""
    body = json.dumps(payload).encode()
    response_headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *headers,
    ]
    if exc_info is not None:
        start_response(status, response_headers, exc_info)
    else:
        start_response(status, response_headers)
    return [body]


def read_body(environ: Environ, limit: int = DEFAULT_BODY_LIMIT) -> bytes:
    """The request body, at most ``limit`` bytes; ``BodyProblem`` (413 / 411 / 400) otherwise.

    A declared length over the limit is refused before anything is read; a body that turns out
    longer than declared is not read past the limit either.
    """
    raw = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
            # waitress de-chunks and sets CONTENT_LENGTH; a server that does not gets a clear answer.
            raise BodyProblem("411 Length Required", "send a Content-Length header")
        return b""
    if not raw.isdigit():
        raise BodyProblem("400 Bad Request", "the Content-Length header is not a number")
    length = int(raw)
    if length > limit:
        raise BodyProblem("413 Content Too Large", f"the body is over {limit} bytes")
    stream = environ.get("wsgi.input")
    if stream is None or length == 0:
        return b""
    data: bytes = stream.read(length)
    return data
