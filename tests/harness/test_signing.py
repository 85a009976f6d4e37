"""The signer reproduces Slack's worked example; Bolt rejects tampered and stale requests."""

from __future__ import annotations

import json
import time
from pathlib import Path

from slack_bolt import App
from slack_sdk.signature import SignatureVerifier

from bot.playground.signed_requests import FORM, Driver
from bot.playground.signing import signature, signed_headers
from bot.playground.slack_emulator import SlackEmulator
from tests.support.conformance import REFERENCE

VECTOR = json.loads(Path(REFERENCE, "signature-vector.json").read_text(encoding="utf-8"))


def test_signer_reproduces_slack_signature_vector() -> None:
    assert signature(VECTOR["signing_secret"], VECTOR["timestamp"], VECTOR["body"]) == VECTOR["expected_signature"]


def test_signer_differs_for_the_tampered_body_of_the_vector() -> None:
    tampered = VECTOR["negative_vectors"][0]
    produced = signature(VECTOR["signing_secret"], VECTOR["timestamp"], VECTOR["body"] + tampered["body_suffix"])
    assert produced == tampered["signature_of_modified_body"]
    assert produced != VECTOR["expected_signature"]


def test_signed_headers_are_accepted_by_slack_sdk_verifier() -> None:
    body = "token=x&team_id=T1&command=%2Fstandup&text=help"
    headers = signed_headers("s3cr3t", body, FORM)
    verifier = SignatureVerifier("s3cr3t")
    assert verifier.is_valid(body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])
    assert not verifier.is_valid(body + "x", headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"])


def test_bolt_accepts_good_and_rejects_tampered_and_stale_requests(
    emulator: SlackEmulator, toy_app: App, toy_driver: Driver
) -> None:
    user = emulator.workspace.user_id("pat")
    good = toy_driver.slash_command("/toy", "ping", user=user)
    assert good.status == 200 and good.text == "pong"

    body = (
        b"token=x&team_id="
        + emulator.workspace.team_id.encode()
        + b"&command=%2Ftoy&text=ping&user_id="
        + user.encode()
    )
    honest = signed_headers(toy_driver.signing_secret, body, FORM)
    tampered = toy_driver.send(
        "raw",
        body + b"------",
        FORM,
        {},
        signature=honest["X-Slack-Signature"],
        timestamp=int(honest["X-Slack-Request-Timestamp"]),
    )
    assert tampered.status == 401

    stale = toy_driver.send("raw", body, FORM, {}, timestamp=int(time.time()) - 301)
    assert stale.status == 401
    missing = toy_driver.send("raw", body, FORM, {}, signature="")
    assert missing.status == 401
