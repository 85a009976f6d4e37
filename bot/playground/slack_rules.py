"""The rules the Slack emulator checks each Web API call against, pluggable.

The emulator asks a :class:`SlackRules` object whether a method call, a message or a view is one
Slack would accept. Two implementations:

* :class:`BlockKitRules` (the default, and what ``tandem playground`` uses): blocks and views must
  parse with slack_sdk's Block Kit models and pass their ``validate_json()`` checks. Light, and
  needs nothing but slack_sdk.
* the test suite's reference rules (``tests/support/conformance.py``), stricter: every method must
  exist in Slack's OpenAPI spec with its required arguments, and the published Block Kit limits
  hold. They need Slack's reference pack, which stays with the tests.

A broken rule is a :class:`Problem`: the Slack error the emulator answers and a detail for people.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

# Slack's own caps (https://docs.slack.dev/reference/block-kit/blocks): a message holds 50 blocks,
# a modal or Home tab 100.
MESSAGE_MAX_BLOCKS = 50
VIEW_MAX_BLOCKS = 100


@dataclass(frozen=True)
class Problem:
    """One rule broken by the caller: the Slack error it earns and what is wrong."""

    error: str  # the Slack error code answered, e.g. "invalid_blocks"
    detail: str  # human-readable: which field, which limit


class SlackRules(Protocol):
    """What the emulator checks. Each check returns the problems found (empty: accepted)."""

    def check_method(self, method: str, args: dict[str, Any]) -> list[Problem]:
        """The method exists and its required arguments are present."""
        ...

    def check_message(self, args: dict[str, Any]) -> list[Problem]:
        """``text`` / ``blocks`` / ``attachments`` of a message (postMessage, update, ephemeral, response_url)."""
        ...

    def check_view(self, view: Any) -> list[Problem]:
        """A modal or home view (views.open/push/update/publish, response_action update/push)."""
        ...

    def method_tier(self, method: str) -> str:
        """The method's rate-limit tier (``Tier1`` .. ``Tier4``), for the emulator's rate limiter."""
        ...


def check_blocks_with_models(blocks: Any, *, max_blocks: int, error: str = "invalid_blocks") -> list[Problem]:
    """Each block parses with slack_sdk's models and passes ``validate_json()``; block ids unique."""
    if not isinstance(blocks, list):
        return [Problem(error, "blocks must be a JSON array")]
    problems: list[Problem] = []
    if len(blocks) > max_blocks:
        problems.append(Problem(error, f"{len(blocks)} blocks, max {max_blocks}"))
    seen_ids: set[str] = set()
    for index, raw in enumerate(blocks):
        where = f"blocks[{index}]"
        if not isinstance(raw, dict):
            problems.append(Problem(error, f"{where}: not an object"))
            continue
        block_id = raw.get("block_id")
        if block_id is not None:
            if block_id in seen_ids:
                problems.append(Problem(error, f"{where}: duplicate block_id {block_id!r}"))
            seen_ids.add(block_id)
        parsed = Block.parse(raw)
        if parsed is None:
            problems.append(Problem(error, f"{where}: unknown block type {raw.get('type')!r}"))
            continue
        try:
            parsed.validate_json()
        except SlackObjectFormationError as exc:
            problems.append(Problem(error, f"{where} ({raw.get('type')}): {exc}"))
    return problems


def check_view_with_models(view: Any) -> list[Problem]:
    """The view is a modal or home that slack_sdk's ``View`` model accepts."""
    if not isinstance(view, dict):
        return [Problem("invalid_arguments", "view must be a JSON object")]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [Problem("invalid_arguments", f"view type must be modal or home, got {kind!r}")]
    problems: list[Problem] = []
    fields = {key: value for key, value in view.items() if key in View.attributes or key == "type"}
    try:
        View(**fields).validate_json()
    except (SlackObjectFormationError, TypeError) as exc:
        problems.append(Problem("invalid_arguments", f"{kind} view: {exc}"))
    return problems


class BlockKitRules:
    """The light default: Block Kit checked by slack_sdk's models; every method accepted."""

    def check_method(self, method: str, args: dict[str, Any]) -> list[Problem]:
        return []

    def check_message(self, args: dict[str, Any]) -> list[Problem]:
        blocks = args.get("blocks")
        if blocks is None:
            return []
        if isinstance(blocks, str):  # a form-encoded call the emulator could not decode
            try:
                blocks = json.loads(blocks)
            except json.JSONDecodeError:
                return [Problem("invalid_blocks", "blocks is not JSON")]
        return check_blocks_with_models(blocks, max_blocks=MESSAGE_MAX_BLOCKS)

    def check_view(self, view: Any) -> list[Problem]:
        problems = check_view_with_models(view)
        if problems or not isinstance(view, dict):
            return problems
        return check_blocks_with_models(view.get("blocks", []), max_blocks=VIEW_MAX_BLOCKS)

    def method_tier(self, method: str) -> str:
        return "Tier3"
