"""Conformance checks the emulator runs on every Web API call.

* the method exists in Slack's Web API spec (``web-api-methods.json``, from the Oct 2020 OpenAPI spec) or
  in :data:`EXTRA_METHODS` (newer methods, each declared here with its source), and the spec's
  required arguments are present;
* every message (``blocks``) and view (modal / home) parses with slack_sdk's Block Kit models and
  passes ``validate_json()``;
* the limits in ``blockkit-limits.json`` hold (50 blocks per message, 100 per view, text lengths...).

Each problem is a :class:`Problem` with the Slack error the emulator answers with.
:data:`REFERENCE_RULES` plugs these checks into the emulator (``SlackEmulator(rules=REFERENCE_RULES)``,
which every test emulator uses); the emulator's own default, in the package, is lighter.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.playground.slack_rules import Problem, check_blocks_with_models

# Slack's reference data, vendored with the tests (tests/slack_reference/README.md: each file's
# source, version and licence), so a fresh clone needs nothing beside it.
REFERENCE = Path(__file__).resolve().parents[1] / "slack_reference"

# Methods newer than the 2020 OpenAPI spec. Required arguments and source for each.
EXTRA_METHODS: dict[str, dict[str, Any]] = {
    "files.getUploadURLExternal": {
        "required": ("filename", "length"),
        "source": "https://docs.slack.dev/reference/methods/files.getUploadURLExternal "
        "(response shape: java-slack-sdk json-logs/samples/api/files.getUploadURLExternal.json)",
    },
    "files.completeUploadExternal": {
        "required": ("files",),
        "source": "https://docs.slack.dev/reference/methods/files.completeUploadExternal "
        "(response shape: java-slack-sdk json-logs/samples/api/files.completeUploadExternal.json)",
    },
    "apps.connections.open": {
        "required": (),  # no arguments: the app-level token (xapp-, connections:write) goes as Bearer
        "source": "https://docs.slack.dev/reference/methods/apps.connections.open and "
        "https://docs.slack.dev/apis/events-api/using-socket-mode (response {ok, url: wss://.../link/?ticket=...}); "
        "tier: tests/slack_reference/rate-limits.json (Tier1)",
    },
}


@cache
def _methods() -> dict[str, dict[str, Any]]:
    """Method -> {"required": [...]}: derived from Slack's Web API OpenAPI spec (see the README)."""
    with (REFERENCE / "web-api-methods.json").open(encoding="utf-8") as handle:
        methods: dict[str, dict[str, Any]] = json.load(handle)["methods"]
    return methods


@cache
def _limits() -> dict[str, int]:
    with (REFERENCE / "blockkit-limits.json").open(encoding="utf-8") as handle:
        data = json.load(handle)
    return {item["key"]: int(item["max"]) for item in data["limits"] if item.get("max") is not None}


def limit(key: str) -> int:
    """A limit from blockkit-limits.json by key, e.g. ``limit("message.blocks") == 50``."""
    return _limits()[key]


@cache
def method_tiers() -> dict[str, str]:
    """Method -> rate-limit tier: rate-limits.json first, the java-slack-sdk table as fallback."""
    with (REFERENCE / "rate-limit-tiers.java-slack-sdk.json").open(encoding="utf-8") as handle:
        tiers: dict[str, str] = dict(json.load(handle))
    with (REFERENCE / "rate-limits.json").open(encoding="utf-8") as handle:
        for item in json.load(handle)["methods"]:
            tiers[item["method"]] = item["tier"]
    return tiers


def method_known(method: str) -> bool:
    return method in _methods() or method in EXTRA_METHODS


def required_arguments(method: str) -> tuple[str, ...]:
    if method in EXTRA_METHODS:
        return tuple(EXTRA_METHODS[method]["required"])
    return tuple(_methods().get(method, {}).get("required", ()))


def check_method(method: str, args: dict[str, Any]) -> list[Problem]:
    if not method_known(method):
        return [Problem("unknown_method", f"{method} is not a Slack Web API method")]
    missing = [name for name in required_arguments(method) if args.get(name) in (None, "")]
    return [Problem("invalid_arguments", f"{method}: missing required argument {name!r}") for name in missing]


# --- Block Kit -------------------------------------------------------------------------------

_ELEMENT_TYPES = {
    "button",
    "checkboxes",
    "datepicker",
    "datetimepicker",
    "timepicker",
    "image",
    "overflow",
    "plain_text_input",
    "number_input",
    "url_text_input",
    "email_text_input",
    "rich_text_input",
    "file_input",
    "radio_buttons",
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
    "workflow_button",
}


def _text_len(obj: Any) -> int:
    return len(obj.get("text", "")) if isinstance(obj, dict) else 0


def _walk_elements(block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for key in ("accessory", "element"):
        if isinstance(block.get(key), dict):
            yield block[key]
    if block.get("type") == "actions":
        yield from (e for e in block.get("elements", []) if isinstance(e, dict))


def _check_option(option: dict[str, Any], where: str, problems: list[Problem]) -> None:
    if _text_len(option.get("text")) > limit("option.text"):
        problems.append(Problem("invalid_blocks", f"{where}: option text longer than {limit('option.text')}"))
    if len(str(option.get("value", ""))) > limit("option.value"):
        problems.append(Problem("invalid_blocks", f"{where}: option value longer than {limit('option.value')}"))
    if _text_len(option.get("description")) > limit("option.description"):
        problems.append(Problem("invalid_blocks", f"{where}: option description too long"))


def _check_element(element: dict[str, Any], where: str, problems: list[Problem]) -> None:
    kind = element.get("type")
    if kind not in _ELEMENT_TYPES:
        problems.append(Problem("invalid_blocks", f"{where}: unknown element type {kind!r}"))
        return
    if len(str(element.get("action_id", ""))) > limit("element.action_id"):
        problems.append(Problem("invalid_blocks", f"{where}: action_id longer than {limit('element.action_id')}"))
    if _text_len(element.get("placeholder")) > limit("element.placeholder"):
        problems.append(Problem("invalid_blocks", f"{where}: placeholder longer than {limit('element.placeholder')}"))
    if kind == "button":
        for key, name in (("text", "button.text"), ("accessibility_label", "button.accessibility_label")):
            value = element.get(key)
            size = _text_len(value) if isinstance(value, dict) else len(str(value or ""))
            if size > limit(name):
                problems.append(Problem("invalid_blocks", f"{where}: button {key} longer than {limit(name)}"))
        if len(str(element.get("value", ""))) > limit("button.value"):
            problems.append(Problem("invalid_blocks", f"{where}: button value longer than {limit('button.value')}"))
    caps = {
        "static_select": "static_select.options",
        "multi_static_select": "static_select.options",
        "overflow": "overflow.options",
        "checkboxes": "checkboxes.options",
        "radio_buttons": "radio_buttons.options",
    }
    options = element.get("options") or []
    if kind in caps and len(options) > limit(caps[kind]):
        problems.append(Problem("invalid_blocks", f"{where}: {len(options)} options, max {limit(caps[kind])}"))
    for group in element.get("option_groups") or []:
        options = [*options, *group.get("options", [])]
        if _text_len(group.get("label")) > limit("option_group.label"):
            problems.append(Problem("invalid_blocks", f"{where}: option group label too long"))
    for option in options:
        if isinstance(option, dict):
            _check_option(option, where, problems)
    confirm = element.get("confirm")
    if isinstance(confirm, dict):
        for key in ("title", "text", "confirm", "deny"):
            if _text_len(confirm.get(key)) > limit(f"confirm.{key}"):
                problems.append(Problem("invalid_blocks", f"{where}: confirm {key} too long"))


def _check_block_limits(block: dict[str, Any], where: str, problems: list[Problem]) -> None:
    kind = block.get("type")
    if len(str(block.get("block_id", ""))) > limit("block.block_id"):
        problems.append(Problem("invalid_blocks", f"{where}: block_id longer than {limit('block.block_id')}"))
    if kind == "section":
        if _text_len(block.get("text")) > limit("section.text"):
            problems.append(Problem("invalid_blocks", f"{where}: section text longer than {limit('section.text')}"))
        fields = block.get("fields") or []
        if len(fields) > limit("section.fields.count"):
            problems.append(Problem("invalid_blocks", f"{where}: {len(fields)} fields, max 10"))
        if any(_text_len(field) > limit("section.fields.item_text") for field in fields):
            problems.append(Problem("invalid_blocks", f"{where}: a section field is longer than 2000"))
    elif kind == "header":
        text = block.get("text") or {}
        if text.get("type") != "plain_text":
            problems.append(Problem("invalid_blocks", f"{where}: header text must be plain_text"))
        if _text_len(text) > limit("header.text"):
            problems.append(Problem("invalid_blocks", f"{where}: header text longer than {limit('header.text')}"))
    elif kind == "actions" and len(block.get("elements") or []) > limit("actions.elements"):
        problems.append(Problem("invalid_blocks", f"{where}: more than {limit('actions.elements')} elements"))
    elif kind == "context" and len(block.get("elements") or []) > limit("context.elements"):
        problems.append(Problem("invalid_blocks", f"{where}: more than {limit('context.elements')} elements"))
    elif kind == "input":
        if _text_len(block.get("label")) > limit("input.label"):
            problems.append(Problem("invalid_blocks", f"{where}: input label too long"))
        if _text_len(block.get("hint")) > limit("input.hint"):
            problems.append(Problem("invalid_blocks", f"{where}: input hint too long"))
        if not isinstance(block.get("element"), dict):
            problems.append(Problem("invalid_blocks", f"{where}: input block without an element"))
    elif kind == "markdown" and len(str(block.get("text", ""))) > limit("markdown_block.text"):
        problems.append(Problem("invalid_blocks", f"{where}: markdown text too long"))
    for index, element in enumerate(_walk_elements(block)):
        if kind == "section" and element.get("type") == "image" and element is block.get("accessory"):
            continue
        _check_element(element, f"{where}.element[{index}]", problems)


def check_blocks(blocks: Any, *, max_blocks: int, error: str = "invalid_blocks") -> list[Problem]:
    """Validate a blocks array with slack_sdk's models (the emulator's default check) and, for each
    block the models know, the reference limits."""
    problems = check_blocks_with_models(blocks, max_blocks=max_blocks, error=error)
    for index, raw in enumerate(blocks if isinstance(blocks, list) else []):
        if isinstance(raw, dict) and Block.parse(raw) is not None:
            sub: list[Problem] = []
            _check_block_limits(raw, f"blocks[{index}]", sub)
            problems.extend(Problem(error, p.detail) for p in sub)
    return problems


def check_message(args: dict[str, Any]) -> list[Problem]:
    """``text`` / ``blocks`` / ``attachments`` of chat.postMessage, chat.update, chat.postEphemeral, response_url."""
    problems: list[Problem] = []
    text = args.get("text")
    if text is not None and len(str(text)) > limit("message.text"):
        problems.append(Problem("msg_too_long", f"text is {len(str(text))} characters, max {limit('message.text')}"))
    if args.get("markdown_text") is not None and len(str(args["markdown_text"])) > limit("message.markdown_text"):
        problems.append(Problem("msg_too_long", "markdown_text too long"))
    blocks = args.get("blocks")
    if blocks is not None:
        problems.extend(check_blocks(blocks, max_blocks=limit("message.blocks")))
    attachments = args.get("attachments")
    if isinstance(attachments, list) and len(attachments) > limit("message.attachments"):
        problems.append(Problem("too_many_attachments", f"{len(attachments)} attachments"))
    return problems


def check_view(view: Any) -> list[Problem]:
    """A modal or home view for views.open/push/update/publish."""
    if not isinstance(view, dict):
        return [Problem("invalid_arguments", "view must be a JSON object")]
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return [Problem("invalid_arguments", f"view type must be modal or home, got {kind!r}")]
    problems: list[Problem] = []
    size = len(json.dumps(view).encode())
    if size > limit("view.payload_size") * 1024:
        problems.append(Problem("invalid_arguments", f"view is {size} bytes, max {limit('view.payload_size')} kB"))
    fields = {key: value for key, value in view.items() if key in View.attributes or key == "type"}
    try:
        View(**fields).validate_json()
    except (SlackObjectFormationError, TypeError) as exc:
        problems.append(Problem("invalid_arguments", f"{kind} view: {exc}"))
    if kind == "modal":
        title = view.get("title")
        if not isinstance(title, dict) or title.get("type") != "plain_text":
            problems.append(Problem("invalid_arguments", "modal title must be a plain_text object"))
        for key in ("title", "submit", "close"):
            if _text_len(view.get(key)) > limit(f"modal.{key}.text"):
                problems.append(Problem("invalid_arguments", f"modal {key} longer than {limit(f'modal.{key}.text')}"))
        has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in view.get("blocks") or [])
        if has_input and not view.get("submit"):
            problems.append(Problem("invalid_arguments", "a modal with input blocks needs a submit button"))
    if len(str(view.get("private_metadata") or "")) > limit("view.private_metadata"):
        problems.append(Problem("invalid_arguments", "private_metadata longer than 3000"))
    if len(str(view.get("callback_id") or "")) > limit("view.callback_id"):
        problems.append(Problem("invalid_arguments", "callback_id longer than 255"))
    if len(str(view.get("external_id") or "")) > limit("view.external_id"):
        problems.append(Problem("invalid_arguments", "external_id longer than 255"))
    problems.extend(check_blocks(view.get("blocks", []), max_blocks=limit("view.blocks"), error="invalid_blocks"))
    return problems


class ReferenceRules:
    """These checks as the emulator's :class:`bot.playground.slack_rules.SlackRules`."""

    def check_method(self, method: str, args: dict[str, Any]) -> list[Problem]:
        return check_method(method, args)

    def check_message(self, args: dict[str, Any]) -> list[Problem]:
        return check_message(args)

    def check_view(self, view: Any) -> list[Problem]:
        return check_view(view)

    def method_tier(self, method: str) -> str:
        return method_tiers().get(method, "Tier3")


REFERENCE_RULES = ReferenceRules()
