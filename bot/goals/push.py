"""A value pushed to ``POST /goals/<id>/values``, read and checked: pure (no database, no HTTP).

Body: ``{"value": 12.5, "at": "2026-12-01T09:00:00Z", "note": "..."}``; ``at`` and ``note`` are
optional. ``value`` is a finite JSON number within ``VALUE_LIMIT``; ``at`` is ISO 8601 with an
offset (``Z`` or ``+01:00``), not more than ``FUTURE_SLACK`` ahead of the server's clock; ``note``
is text up to ``NOTE_MAX`` characters. Anything else is a ``PushProblem`` whose message is the
reason the endpoint answers with its 400.

Idempotency: the dedupe key stored with the value (``GoalValue.dedupe_key``, unique per goal):

1. the ``Idempotency-Key`` header when given (any retry sends the same key);
2. else, when ``at`` is given: the request itself (goal, value, at, note): the same measurement
   sent twice is one value;
3. else (no key, no ``at``): the request and the 10-minute window it arrived in; a request is also
   taken for a retry of an identical one stored in the window before. So an identical body sent
   again within 10 minutes is always the same value, and 20 minutes or more later always a new one.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.goals.data import NOTE_MAX, VALUE_LIMIT
from bot.slack.text import clean_text

FUTURE_SLACK = timedelta(minutes=5)  # clocks drift: "at" may be this far ahead of ours
WINDOW = timedelta(minutes=10)  # the retry window of a body without "at" or Idempotency-Key
IDEMPOTENCY_KEY_MAX = 255
FIELDS = frozenset({"value", "at", "note"})


class PushProblem(ValueError):
    """The request cannot be taken; ``str()`` is the reason (the 400's ``error``)."""


@dataclass(frozen=True)
class PushRequest:
    value: float
    at: datetime | None  # None: measured when it arrived
    note: str
    idempotency_key: str | None = None


def parse_push(body: bytes, *, idempotency_key: str | None, now: datetime) -> PushRequest:
    """The request as the endpoint takes it, or ``PushProblem`` with the reason."""
    key = check_idempotency_key(idempotency_key)
    try:
        document = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except UnicodeDecodeError:
        raise PushProblem("the body is not UTF-8 text") from None
    except PushProblem:
        raise
    except ValueError:
        raise PushProblem('the body is not JSON; send {"value": 12.5}') from None
    if not isinstance(document, dict):
        raise PushProblem('the body must be a JSON object such as {"value": 12.5}')
    unknown = sorted(set(document) - FIELDS)
    if unknown:
        raise PushProblem(f"unknown field(s): {', '.join(unknown)}; a value has value, at and note")
    return PushRequest(
        value=_value(document.get("value")),
        at=_at(document.get("at"), now) if document.get("at") is not None else None,
        note=_note(document.get("note")),
        idempotency_key=key,
    )


def _refuse_constant(name: str) -> float:
    raise PushProblem(f"value must be a finite number, not {name}")


def _value(raw: object) -> float:
    if raw is None:
        raise PushProblem('"value" is missing: send {"value": 12.5}')
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise PushProblem('"value" must be a JSON number such as 12.5 (not a string or true/false)')
    value = float(raw) if not isinstance(raw, int) or abs(raw) <= VALUE_LIMIT else math.inf
    if not math.isfinite(value) or abs(value) > VALUE_LIMIT:
        raise PushProblem(f'"value" must be a finite number between -{VALUE_LIMIT:.0e} and {VALUE_LIMIT:.0e}')
    return value


def _at(raw: object, now: datetime) -> datetime:
    if not isinstance(raw, str):
        raise PushProblem('"at" must be an ISO 8601 string such as "2026-12-01T09:00:00Z"')
    text = raw.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise PushProblem(
            f'"at" is not an ISO 8601 instant: {raw[:40]!r} (expected e.g. "2026-12-01T09:00:00Z")'
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise PushProblem('"at" needs a UTC offset, such as "2026-12-01T09:00:00Z" or "2026-12-01T10:00:00+01:00"')
    if moment.year < 2000:
        raise PushProblem('"at" is before the year 2000; send when the value was measured')
    if moment - now > FUTURE_SLACK:
        raise PushProblem(f'"at" is in the future ({moment.isoformat()}); send when the value was measured')
    return moment


def _note(raw: object) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise PushProblem('"note" must be a string')
    note = clean_text(raw)
    if len(note) > NOTE_MAX:
        raise PushProblem(f'"note" is over {NOTE_MAX} characters')
    return note


def check_idempotency_key(raw: str | None) -> str | None:
    if raw is None:
        return None
    key = raw.strip()
    if not key:
        return None
    if len(key) > IDEMPOTENCY_KEY_MAX or not key.isascii() or not key.isprintable():
        raise PushProblem(
            f"the Idempotency-Key header must be printable ASCII, at most {IDEMPOTENCY_KEY_MAX} characters"
        )
    return key


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def dedupe_keys(goal_id: int, push: PushRequest, now: datetime) -> tuple[str, tuple[str, ...]]:
    """The key to store the value under, and the keys of earlier requests it is a retry of (the
    window before, for a body without ``at`` or ``Idempotency-Key``). 64 hex characters each."""
    if push.idempotency_key is not None:
        return _digest("key", str(goal_id), push.idempotency_key), ()
    if push.at is not None:
        at = push.at.astimezone(UTC).isoformat()
        return _digest("at", str(goal_id), repr(push.value), at, push.note), ()
    window = int(now.timestamp() // WINDOW.total_seconds())

    def in_window(index: int) -> str:
        return _digest("window", str(goal_id), repr(push.value), push.note, str(index))

    return in_window(window), (in_window(window - 1),)
