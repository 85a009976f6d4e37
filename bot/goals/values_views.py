"""The "Values: push & pull" modal and the push token shown once: pure Block Kit builders.

The modal shows where to push (``POST <address>/goals/<id>/values``) with a curl example, the
"Make a new token" button, and the pull source's fields (URL, JSON pointer, bearer token) with a
"Test the source now" button whose result is shown in the modal. A stored token is never shown:
the field stays blank ("leave blank to keep it").
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.goals.data import POINTER_MAX, URL_MAX
from bot.goals.ids import Action, Block, Callback
from bot.slack import blocks as bk
from bot.slack.text import escape, plain, slack_date

TITLE = "Values: push & pull"
NO_ADDRESS = "<your Tandem's address>"
TOKEN_PLACEHOLDER = "<token>"
PULL_TOKEN_MAX = 2000


@dataclass(frozen=True)
class ValuesSettings:
    """What the modal shows about one goal's value sources (no secrets)."""

    goal_id: int
    title: str
    public_url: str | None  # None: TANDEM_PUBLIC_URL is not set
    token_created_at: datetime | None  # None: no push token yet
    pull_url: str
    pull_pointer: str
    has_pull_token: bool


def endpoint_url(goal_id: int, public_url: str | None) -> str:
    return f"{public_url or NO_ADDRESS}/goals/{goal_id}/values"


def curl_example(goal_id: int, public_url: str | None, token: str = TOKEN_PLACEHOLDER) -> str:
    body = json.dumps({"value": 12.5, "at": "2026-12-01T09:00:00Z", "note": "from the CRM"})
    return (
        f"curl -X POST '{endpoint_url(goal_id, public_url)}' \\\n"
        f"  -H 'Authorization: Bearer {token}' \\\n"
        "  -H 'Content-Type: application/json' \\\n"
        f"  -d '{body}'"
    )


def values_modal(settings: ValuesSettings, *, test_result: str | None = None) -> dict[str, Any]:
    goal_id = settings.goal_id
    if settings.token_created_at is not None:
        token_line = (
            f"A token was made {slack_date(settings.token_created_at)}. Making a new one stops the old one at once."
        )
    else:
        token_line = "No token yet: make one to start pushing. It is shown once; Tandem keeps only a fingerprint."
    push = [
        bk.section(f"*{plain(settings.title)}*"),
        bk.section(
            "*Push values* from a CRM workflow, an analytics export or a cron job:\n"
            f"`POST {escape(endpoint_url(goal_id, settings.public_url))}`\n"
            f"```{escape(curl_example(goal_id, settings.public_url))}```"
        ),
        bk.context(
            '"at" (when the value was measured, ISO 8601 with an offset) and "note" are optional. '
            "Send an Idempotency-Key header to make retries safe; without one, the same body with the same "
            '"at" (or, without "at", within 10 minutes) is stored once.'
        ),
    ]
    if settings.public_url is None:
        push.append(bk.context("Your Tandem admin can set TANDEM_PUBLIC_URL to show the full address here."))
    push.append(bk.context(token_line))
    push.append(
        bk.actions(
            bk.button("Make a new token", Action.NEW_TOKEN, str(goal_id), style="primary"), block_id=Block.PUSH_ACTIONS
        )
    )
    token_hint = (
        "A token is stored (encrypted). Leave this blank to keep it."
        if settings.has_pull_token
        else "Optional: sent as Authorization: Bearer <token>, stored encrypted."
    )
    pull: list[dict[str, Any]] = [
        bk.divider(),
        bk.section("*Pull the value* from a URL that answers JSON, before each check-in."),
        bk.input_block(
            "URL",
            bk.text_input(
                Action.INPUT, initial=settings.pull_url, max_length=URL_MAX, placeholder="https://example.com/kpis.json"
            ),
            block_id=Block.PULL_URL,
            optional=True,
            hint="Leave empty to remove the source (check-ins are then typed by hand).",
        ),
        bk.input_block(
            "Where the value is (JSON pointer)",
            bk.text_input(
                Action.INPUT, initial=settings.pull_pointer, max_length=POINTER_MAX, placeholder="/data/0/value"
            ),
            block_id=Block.PULL_POINTER,
            optional=True,
        ),
        bk.input_block(
            "Bearer token",
            bk.text_input(Action.INPUT, max_length=PULL_TOKEN_MAX, placeholder="Leave blank to keep the current one"),
            block_id=Block.PULL_TOKEN,
            optional=True,
            hint=token_hint,
        ),
    ]
    if settings.has_pull_token:
        pull.append(
            bk.input_block(
                "Stored token",
                {
                    "type": "checkboxes",
                    "action_id": Action.INPUT,
                    "options": [bk.option("Remove the stored token", "remove")],
                },
                block_id=Block.PULL_TOKEN_REMOVE,
                optional=True,
            )
        )
    pull.append(
        bk.actions(bk.button("Test the source now", Action.TEST_SOURCE, str(goal_id)), block_id=Block.PULL_ACTIONS)
    )
    if test_result is not None:
        pull.append(bk.section(test_result, block_id=Block.PULL_RESULT))
    return bk.modal(
        TITLE, [*push, *pull], callback_id=Callback.VALUES, submit="Save", close="Close", private_metadata=str(goal_id)
    )


def test_result_text(value: str | None, problem: str = "") -> str:
    """The outcome of "Test the source now": the value read, or why not."""
    if value is not None:
        return f":white_check_mark: The source answered *{plain(value)}*. Save to use it before each check-in."
    return f":warning: Could not read a value: {plain(problem)}."


def token_modal(goal_id: int, title: str, token: str, public_url: str | None) -> dict[str, Any]:
    """The new push token, shown once (pushed over the values modal)."""
    blocks = [
        bk.section(f"*New push token for {plain(title)}*"),
        bk.section(f"```{escape(token)}```"),
        bk.context(
            "Copy it now: Tandem keeps only a fingerprint and cannot show it again. "
            "The previous token, if any, no longer works."
        ),
        bk.section(f"```{escape(curl_example(goal_id, public_url, token))}```"),
    ]
    return bk.modal("Push token", blocks, callback_id=Callback.TOKEN, submit=None, close="Done")
