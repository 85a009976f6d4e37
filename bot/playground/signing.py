"""Slack request signing (v0): HMAC-SHA256 over ``v0:{timestamp}:{raw body}``.

See tests/slack_reference/signature-vector.json for Slack's worked example.
"""

from __future__ import annotations

import hashlib
import hmac
import time


def signature(secret: str, timestamp: str | int, body: bytes | str) -> str:
    raw = body.encode() if isinstance(body, str) else body
    base = b"v0:" + str(timestamp).encode() + b":" + raw
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    secret: str, body: bytes | str, content_type: str, *, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Slack sends with a request: content type, timestamp and signature."""
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": signature(secret, ts, body),
    }
