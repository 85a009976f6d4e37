"""Log lines never carry a token or a configured secret, and carry team and request ids."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.logs import ContextFilter, JsonFormatter, RedactingFilter, log_context


@pytest.fixture
def capture() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    handler.addFilter(RedactingFilter(["s3cr3t-signing-value"]))
    logger = logging.getLogger("tandem-test-logs")
    logger.handlers = [handler]
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger, stream


def test_tokens_and_secrets_are_masked_in_messages_args_and_tracebacks(capture) -> None:
    logger, stream = capture
    logger.debug("calling with xoxb-1234-5678-abcdef and %s", "xapp-1-A0-123-abc")
    logger.info("secret is %s", "s3cr3t-signing-value")
    try:
        raise RuntimeError("token xoxp-999-888-secret leaked into an exception")
    except RuntimeError:
        logger.exception("failed")
    output = stream.getvalue()
    for leaked in ("xoxb-1234", "xapp-1-A0", "s3cr3t-signing-value", "xoxp-999"):
        assert leaked not in output
    assert output.count("[redacted]") >= 4


def test_json_lines_carry_team_and_request_ids(capture) -> None:
    logger, stream = capture
    with log_context(team_id="T123", request_id="Ev42"):
        logger.warning("posting failed")
    logger.warning("outside")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["team_id"] == "T123" and first["request_id"] == "Ev42" and first["msg"] == "posting failed"
    assert "team_id" not in second
