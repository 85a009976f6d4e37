"""Reading a pushed value (pure): the body's rules, the reasons given, and the dedupe keys."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.goals.push import FUTURE_SLACK, PushProblem, PushRequest, dedupe_keys, parse_push

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def parse(body: object, key: str | None = None) -> PushRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return parse_push(raw, idempotency_key=key, now=NOW)


def test_a_full_body_is_read_with_at_in_utc() -> None:
    push = parse({"value": 12.5, "at": "2026-12-01T10:00:00+01:00", "note": "  from the CRM \x07"})
    assert push.value == 12.5
    assert push.at == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert push.note == "from the CRM"  # cleaned like typed text
    assert parse({"value": 3}).at is None and parse({"value": 3}).value == 3.0
    assert parse({"value": 1, "at": "2026-12-07T08:00:00Z"}).at == NOW


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not UTF-8"),
        (b"[1, 2]", "JSON object"),
        ({}, '"value" is missing'),
        ({"value": "12.5"}, "JSON number"),
        ({"value": True}, "JSON number"),
        (b'{"value": NaN}', "finite number"),
        (b'{"value": Infinity}', "finite number"),
        (b'{"value": 1e400}', "finite number"),
        ({"value": 10**30}, "finite number"),
        ({"value": 1, "at": "yesterday"}, "not an ISO 8601 instant"),
        ({"value": 1, "at": "2026-12-01T09:00:00"}, "needs a UTC offset"),
        ({"value": 1, "at": 1733000000}, "ISO 8601 string"),
        ({"value": 1, "at": "1970-01-01T00:00:00Z"}, "before the year 2000"),
        ({"value": 1, "at": (NOW + FUTURE_SLACK + timedelta(seconds=1)).isoformat()}, "in the future"),
        ({"value": 1, "note": 5}, '"note" must be a string'),
        ({"value": 1, "note": "x" * 1001}, "over 1000 characters"),
        ({"value": 1, "colour": "red"}, "unknown field(s): colour"),
    ],
)
def test_a_malformed_body_gives_the_reason(body: object, reason: str) -> None:
    with pytest.raises(PushProblem) as caught:
        parse(body)
    assert reason in str(caught.value)


def test_a_few_minutes_of_clock_drift_are_fine() -> None:
    assert parse({"value": 1, "at": (NOW + FUTURE_SLACK).isoformat()}).at == NOW + FUTURE_SLACK


def test_idempotency_key_rules() -> None:
    assert parse({"value": 1}, key="  abc-123 ").idempotency_key == "abc-123"
    assert parse({"value": 1}, key="").idempotency_key is None
    for bad in ("x" * 256, "clé", "a\nb"):
        with pytest.raises(PushProblem, match="Idempotency-Key"):
            parse({"value": 1}, key=bad)


def test_dedupe_keys_follow_the_documented_rule() -> None:
    # 1. The Idempotency-Key wins: same key, same dedupe key, whatever the body.
    one, before = dedupe_keys(7, parse({"value": 1}, key="k1"), NOW)
    assert before == () and len(one) == 64
    assert dedupe_keys(7, parse({"value": 2}, key="k1"), NOW)[0] == one
    assert dedupe_keys(8, parse({"value": 1}, key="k1"), NOW)[0] != one  # per goal
    # 2. With "at": the request itself, whenever it arrives; the same instant in another offset is the same.
    at = dedupe_keys(7, parse({"value": 1, "at": "2026-12-01T09:00:00Z"}), NOW)
    later = NOW + timedelta(days=3)
    assert dedupe_keys(7, parse({"value": 1, "at": "2026-12-01T10:00:00+01:00"}), later) == at
    assert dedupe_keys(7, parse({"value": 1, "at": "2026-12-01T09:00:00Z", "note": "n"}), NOW)[0] != at[0]
    assert dedupe_keys(7, parse({"value": 1.5, "at": "2026-12-01T09:00:00Z"}), NOW)[0] != at[0]
    # 3. Neither: the 10-minute window, and a retry of the window before.
    first, _ = dedupe_keys(7, parse({"value": 1}), NOW)
    same_window, _ = dedupe_keys(7, parse({"value": 1}), NOW + timedelta(minutes=9, seconds=59))
    assert same_window == first
    next_key, retry_of = dedupe_keys(7, parse({"value": 1}), NOW + timedelta(minutes=10))
    assert next_key != first and retry_of == (first,)
    far_key, far_retry = dedupe_keys(7, parse({"value": 1}), NOW + timedelta(minutes=20))
    assert first not in (far_key, *far_retry)
