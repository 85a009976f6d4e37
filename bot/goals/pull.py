"""Fetching a goal's value from the system that holds it: an HTTP GET (httpx) of a JSON document
and an RFC 6901 pointer (``jsonpointer``) to the number in it.

Pure I/O, no database: the check-in job calls ``fetch_value`` before it asks the owners and
records the value (or tells them, once, why it could not). Every failure is a ``PullResult`` with
a sentence an owner can act on, never an exception.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import httpx
import jsonpointer

from bot.goals.data import VALUE_LIMIT

TIMEOUT_SECONDS = 10.0
MAX_BYTES = 1_000_000  # a metrics endpoint answers a small document; anything bigger is a mistake


@dataclass(frozen=True)
class PullResult:
    value: float | None  # None: see ``problem``
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.value is not None


def _number(found: object) -> float | None:
    if isinstance(found, bool):
        return None
    if isinstance(found, int | float):
        value = float(found)
    elif isinstance(found, str):
        try:
            value = float(found.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return value if math.isfinite(value) and abs(value) <= VALUE_LIMIT else None


def fetch_value(
    url: str,
    pointer: str,
    bearer_token: str | None = None,
    *,
    timeout: float = TIMEOUT_SECONDS,
    transport: httpx.BaseTransport | None = None,
) -> PullResult:
    """GET ``url`` and read the number at ``pointer``; a problem says what went wrong and where."""
    headers = {"Accept": "application/json", "User-Agent": "Tandem (shared goals)"}
    if bearer_token:
        headers["Authorization"] = f"Bearer {bearer_token}"
    try:
        with httpx.Client(timeout=timeout, transport=transport, follow_redirects=False) as client:
            response = client.get(url, headers=headers)
    except httpx.TimeoutException:
        return PullResult(None, f"the source did not answer within {timeout:g} s")
    except httpx.HTTPError as error:
        return PullResult(None, f"the source could not be reached ({type(error).__name__})")
    if response.status_code in (401, 403):
        return PullResult(None, f"the source refused the request (HTTP {response.status_code}): check the token")
    if response.status_code != 200:
        return PullResult(None, f"the source answered HTTP {response.status_code}")
    if len(response.content) > MAX_BYTES:
        return PullResult(None, "the source's answer is over 1 MB; point it at a smaller document")
    try:
        document = response.json()
    except ValueError:
        return PullResult(None, "the source did not answer with JSON")
    try:
        found = jsonpointer.resolve_pointer(document, pointer)
    except jsonpointer.JsonPointerException:
        return PullResult(None, f"nothing at {pointer} in the source's JSON")
    value = _number(found)
    if value is None:
        return PullResult(None, f"the value at {pointer} is not a number")
    return PullResult(value)
