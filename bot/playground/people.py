"""A simulated Slack user: types slash commands, fills and submits modals, clicks buttons, uses
message shortcuts, opens the App Home — through signed requests, like a person in Slack would.

    pat = SimulatedUser(emulator, driver, emulator.workspace, emulator.workspace.user_id("pat"))
    pat.command("/standup", "new")                       # -> Ack
    ack = pat.submit({"questions": "What did you ship?"})  # waits for the modal, fills, submits
    pat.click("answer_standup")                          # a button, found by action_id or text

Filling a modal: every input block is filled by element type, using its initial value when it
has one and a sensible default otherwise (required inputs only; optional inputs without an initial
value stay empty, as a person skipping them). Overrides are keyed by ``block_id`` or ``action_id``
and take natural values: a string for text/number/date/time/url/email inputs, an option value (or
its text) for selects/radio buttons, a list for multi-selects and checkboxes, a user or
conversation id for users/conversations selects; ``None`` leaves the input empty; a dict with a
``type`` is used verbatim as the Slack state value.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

from bot.playground.signed_requests import Ack, Driver
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Message, ViewRecord, Workspace

_EMPTY: dict[str, dict[str, Any]] = {
    "plain_text_input": {"value": None},
    "number_input": {"value": None},
    "url_text_input": {"value": None},
    "email_text_input": {"value": None},
    "rich_text_input": {"rich_text_value": None},
    "static_select": {"selected_option": None},
    "external_select": {"selected_option": None},
    "radio_buttons": {"selected_option": None},
    "multi_static_select": {"selected_options": []},
    "multi_external_select": {"selected_options": []},
    "checkboxes": {"selected_options": []},
    "users_select": {"selected_user": None},
    "multi_users_select": {"selected_users": []},
    "conversations_select": {"selected_conversation": None},
    "multi_conversations_select": {"selected_conversations": []},
    "channels_select": {"selected_channel": None},
    "multi_channels_select": {"selected_channels": []},
    "datepicker": {"selected_date": None},
    "timepicker": {"selected_time": None},
    "datetimepicker": {"selected_date_time": None},
    "file_input": {"files": []},
}

_INITIAL: dict[str, tuple[str, str]] = {  # element type -> (initial field, state field)
    "plain_text_input": ("initial_value", "value"),
    "number_input": ("initial_value", "value"),
    "url_text_input": ("initial_value", "value"),
    "email_text_input": ("initial_value", "value"),
    "rich_text_input": ("initial_value", "rich_text_value"),
    "static_select": ("initial_option", "selected_option"),
    "external_select": ("initial_option", "selected_option"),
    "radio_buttons": ("initial_option", "selected_option"),
    "multi_static_select": ("initial_options", "selected_options"),
    "multi_external_select": ("initial_options", "selected_options"),
    "checkboxes": ("initial_options", "selected_options"),
    "users_select": ("initial_user", "selected_user"),
    "multi_users_select": ("initial_users", "selected_users"),
    "conversations_select": ("initial_conversation", "selected_conversation"),
    "multi_conversations_select": ("initial_conversations", "selected_conversations"),
    "channels_select": ("initial_channel", "selected_channel"),
    "multi_channels_select": ("initial_channels", "selected_channels"),
    "datepicker": ("initial_date", "selected_date"),
    "timepicker": ("initial_time", "selected_time"),
    "datetimepicker": ("initial_date_time", "selected_date_time"),
}


_SINGLE_CHOICE = frozenset(
    {
        "plain_text_input",
        "number_input",
        "url_text_input",
        "email_text_input",
        "static_select",
        "external_select",
        "radio_buttons",
        "users_select",
        "conversations_select",
        "channels_select",
        "datepicker",
        "timepicker",
    }
)


def _options(element: dict[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _find_option(element: dict[str, Any], wanted: Any) -> dict[str, Any]:
    if isinstance(wanted, dict):
        return wanted
    for option in _options(element):
        if option.get("value") == wanted or (option.get("text") or {}).get("text") == wanted:
            return option
    if element.get("type", "").endswith("external_select"):
        return {"text": {"type": "plain_text", "text": str(wanted)}, "value": str(wanted)}
    values = [o.get("value") for o in _options(element)]
    raise ValueError(f"no option {wanted!r} in {element.get('action_id')!r}; options are {values}")


def _rich_text(text: str) -> dict[str, Any]:
    return {
        "type": "rich_text",
        "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
    }


class SimulatedUser:
    def __init__(self, emulator: SlackEmulator, driver: Driver, team: Workspace | str, user_id: str) -> None:
        self.emulator = emulator
        self.driver = driver
        self.workspace = team if isinstance(team, Workspace) else emulator.workspaces[team]
        self.id = user_id if user_id in self.workspace.users else self.workspace.user_id(user_id)
        self.user = self.workspace.users[self.id]
        self.today: date | None = None  # the date a default datepicker gets (default: today, UTC)

    def __repr__(self) -> str:
        return f"<SimulatedUser {self.user.name} {self.id} in {self.workspace.name}>"

    @property
    def name(self) -> str:
        return self.user.name

    # ------------------------------------------------------------------ commands
    def command(self, command: str, text: str = "", *, channel: str | None = None) -> Ack:
        """Type ``/command text`` in ``channel`` (name or id; default #general)."""
        return self.driver.slash_command(command, text, user=self.id, channel=channel)

    run = command

    # ------------------------------------------------------------------ modals
    def modal(self, *, timeout: float = 5.0, callback_id: str | None = None) -> ViewRecord:
        """The modal the user is looking at, waiting for the bot to open it."""
        return self.emulator.wait_for_modal(self.id, timeout=timeout, callback_id=callback_id)

    def fill(self, view: ViewRecord, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
        """``state.values`` for ``view`` as a person would fill it (see module docstring)."""
        overrides = dict(overrides or {})
        values: dict[str, Any] = {}
        for block in view.blocks:
            element = block.get("element") if block.get("type") == "input" else None
            if not isinstance(element, dict):
                element = None
                for candidate in self._stateful_elements(block):
                    key = self._override_key(block, candidate, overrides)
                    if key is not None:
                        values.setdefault(block.get("block_id", ""), {})[candidate["action_id"]] = self._value(
                            candidate, overrides.pop(key), required=True
                        )
                continue
            key = self._override_key(block, element, overrides)
            if key is not None:
                state = self._value(element, overrides.pop(key), required=not block.get("optional"))
            else:
                state = self._default(element, required=not block.get("optional"))
            values.setdefault(block.get("block_id", ""), {})[element.get("action_id", "")] = state
        if overrides:
            raise KeyError(f"no input with block_id/action_id {sorted(overrides)} in view {view.callback_id!r}")
        return values

    def state_values(self, view: ViewRecord, entered: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """``state.values`` for ``view`` from what a page sent: ``{block_id: {action_id: value}}``
        with form values (strings, lists of strings; ``""`` or absent: left empty). Each is typed
        from the view's own element, as Slack does (options by value, users and conversations by id,
        a datetimepicker's local ``YYYY-MM-DDTHH:MM`` in this person's zone)."""
        values: dict[str, Any] = {}
        for block in view.blocks:
            block_id = str(block.get("block_id") or "")
            if block.get("type") == "input" and isinstance(block.get("element"), dict):
                elements = [block["element"]]
            else:
                sent = entered.get(block_id, {})
                elements = [e for e in self._stateful_elements(block) if e.get("action_id") in sent]
            for element in elements:
                action_id = str(element.get("action_id") or "")
                wanted = entered.get(block_id, {}).get(action_id)
                values.setdefault(block_id, {})[action_id] = self.state_of(element, wanted)
        return values

    def state_of(self, element: dict[str, Any], wanted: Any) -> dict[str, Any]:
        """One element's typed state for a form value (see :meth:`state_values`)."""
        if wanted in ("", []) or (isinstance(wanted, list) and not any(wanted)):
            wanted = None
        if isinstance(wanted, list) and element.get("type") in _SINGLE_CHOICE:
            wanted = wanted[0]
        if wanted is not None and element.get("type") == "datetimepicker" and not isinstance(wanted, int):
            local = datetime.fromisoformat(str(wanted))
            wanted = int(local.replace(tzinfo=ZoneInfo(self.user.tz)).timestamp())
        return self._value(element, wanted, required=False)

    @staticmethod
    def find_option(element: dict[str, Any], wanted: Any) -> dict[str, Any]:
        """The option of a select / overflow / radio group with this value (or text)."""
        return _find_option(element, wanted)

    def submit(
        self,
        overrides: dict[str, Any] | None = None,
        *,
        view: ViewRecord | None = None,
        callback_id: str | None = None,
        timeout: float = 5.0,
    ) -> Ack:
        """Fill the open modal (waiting for it) and press its submit button."""
        view = view or self.modal(timeout=timeout, callback_id=callback_id)
        return self.driver.view_submission(user=self.id, view=view, values=self.fill(view, overrides))

    def close_modal(self, *, view: ViewRecord | None = None, timeout: float = 5.0) -> Ack:
        """Press Cancel / x on the open modal."""
        view = view or self.modal(timeout=timeout)
        return self.driver.view_closed(user=self.id, view=view)

    # ------------------------------------------------------------------ clicking
    def click(
        self,
        action_id: str | None = None,
        *,
        text: str | None = None,
        value: str | None = None,
        message: Message | None = None,
        in_modal: bool = False,
        in_home: bool = False,
    ) -> Ack:
        """Click a button, found by ``action_id`` and/or button ``text`` (and ``value`` to tell
        repeated buttons apart). Where: ``message=``, ``in_modal``, ``in_home``, or else the open
        modal, the Home tab, then the newest messages in the user's DM and channels."""
        if action_id is None and text is None:
            raise ValueError("click needs an action_id or a button text")
        for container, block, element in self._surfaces(message, in_modal, in_home):
            if element.get("type") != "button":
                continue
            if action_id is not None and element.get("action_id") != action_id:
                continue
            if text is not None and (element.get("text") or {}).get("text") != text:
                continue
            if value is not None and element.get("value") != value:
                continue
            action = {
                "type": "button",
                "action_id": element.get("action_id"),
                "block_id": block.get("block_id", ""),
                "text": element.get("text"),
            }
            if "value" in element:
                action["value"] = element["value"]
            return self._act(container, action)
        raise LookupError(f"{self.name} sees no button {action_id or text!r}")

    def select(
        self,
        action_id: str,
        choice: Any,
        *,
        message: Message | None = None,
        in_modal: bool = False,
        in_home: bool = False,
    ) -> Ack:
        """Pick from a select menu / overflow / radio / checkboxes in an actions block or accessory
        (dispatches a block_actions like Slack does on change)."""
        for container, block, element in self._surfaces(message, in_modal, in_home):
            if element.get("action_id") != action_id:
                continue
            kind = str(element.get("type"))
            if kind == "overflow":
                state: dict[str, Any] = {"selected_option": _find_option(element, choice)}
            else:
                state = self._value(element, choice, required=True)
                state.pop("type", None)
            action = {"type": kind, "action_id": action_id, "block_id": block.get("block_id", ""), **state}
            return self._act(container, action)
        raise LookupError(f"{self.name} sees no element {action_id!r}")

    def shortcut(self, callback_id: str, message: Message) -> Ack:
        """Use a message shortcut (``callback_id``) on ``message``."""
        return self.driver.message_action(user=self.id, callback_id=callback_id, message=message)

    def global_shortcut(self, callback_id: str) -> Ack:
        return self.driver.shortcut(user=self.id, callback_id=callback_id)

    def open_home(self) -> Ack:
        """Open the App Home tab (app_home_opened event)."""
        return self.driver.app_home_opened(user=self.id)

    def home(self, *, timeout: float = 5.0) -> dict[str, Any]:
        """The published Home view, waiting for it."""
        return self.emulator.wait_for(lambda: self.emulator.home_of(self.id), timeout, what=f"{self.name}'s home")

    # ------------------------------------------------------------------ what the user sees
    @property
    def dms(self) -> list[Message]:
        return self.emulator.dms_to(self.id)

    @property
    def ephemerals(self) -> list[Any]:
        return self.emulator.ephemerals_to(self.id)

    def wait_for_dm(self, *, count: int = 1, timeout: float = 5.0) -> Message:
        """The ``count``-th DM from the bot (1-based), waiting for it."""
        found = self.emulator.wait_for(
            lambda: self.dms if len(self.dms) >= count else None, timeout, what=f"{count} DM(s) to {self.name}"
        )
        return found[count - 1]

    # ------------------------------------------------------------------ internals
    def _act(self, container: Any, action: dict[str, Any]) -> Ack:
        if isinstance(container, Message):
            return self.driver.block_actions(user=self.id, actions=[action], message=container)
        return self.driver.block_actions(user=self.id, actions=[action], view=container)

    def _surfaces(
        self, message: Message | None, in_modal: bool, in_home: bool
    ) -> Iterator[tuple[Message | ViewRecord, dict[str, Any], dict[str, Any]]]:
        containers: list[Message | ViewRecord] = []
        if message is not None:
            containers.append(message)
        elif in_modal:
            containers.append(self.modal())
        elif in_home:
            self.home()
            containers.append(self.emulator.view(self.emulator._homes[(self.workspace.team_id, self.id)]))
        else:
            top = self.emulator.open_modal(self.id)
            if top is not None:
                containers.append(top)
            home_id = self.emulator._homes.get((self.workspace.team_id, self.id))
            if home_id:
                containers.append(self.emulator.view(home_id))
            containers.extend(reversed(self.dms))
            for channel in self.workspace.channels.values():
                if self.id in channel.members and not channel.is_im:
                    for posted in reversed(self.emulator.messages_in(channel.id)):
                        containers.append(posted)
                        containers.extend(reversed(posted.replies))
        for container in containers:
            blocks = container.blocks if isinstance(container, ViewRecord) else (container.blocks or [])
            for block in blocks:
                for element in self._elements(block):
                    yield container, block, element

    @staticmethod
    def _elements(block: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if isinstance(block.get("accessory"), dict):
            yield block["accessory"]
        if block.get("type") == "actions":
            yield from (e for e in block.get("elements") or [] if isinstance(e, dict))

    def _stateful_elements(self, block: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for element in self._elements(block):
            if element.get("type") in _INITIAL and element.get("action_id"):
                yield element

    @staticmethod
    def _override_key(block: dict[str, Any], element: dict[str, Any], overrides: dict[str, Any]) -> str | None:
        for key in (block.get("block_id"), element.get("action_id")):
            if key is not None and key in overrides:
                return str(key)
        return None

    def _value(self, element: dict[str, Any], wanted: Any, *, required: bool) -> dict[str, Any]:
        kind = str(element.get("type"))
        if isinstance(wanted, dict) and "type" in wanted:
            return dict(wanted)
        if wanted is None:
            return {"type": kind, **_EMPTY.get(kind, {})}
        state: dict[str, Any] = {"type": kind}
        if kind in ("plain_text_input", "url_text_input", "email_text_input") or kind == "number_input":
            state["value"] = str(wanted)
        elif kind == "rich_text_input":
            state["rich_text_value"] = _rich_text(str(wanted))
        elif kind in ("static_select", "external_select", "radio_buttons"):
            state["selected_option"] = _find_option(element, wanted)
        elif kind in ("multi_static_select", "multi_external_select", "checkboxes"):
            state["selected_options"] = [_find_option(element, w) for w in _as_list(wanted)]
        elif kind == "users_select":
            state["selected_user"] = str(wanted)
        elif kind == "multi_users_select":
            state["selected_users"] = [str(w) for w in _as_list(wanted)]
        elif kind == "conversations_select":
            state["selected_conversation"] = str(wanted)
        elif kind == "multi_conversations_select":
            state["selected_conversations"] = [str(w) for w in _as_list(wanted)]
        elif kind == "channels_select":
            state["selected_channel"] = str(wanted)
        elif kind == "multi_channels_select":
            state["selected_channels"] = [str(w) for w in _as_list(wanted)]
        elif kind == "datepicker":
            state["selected_date"] = wanted.isoformat() if isinstance(wanted, date) else str(wanted)
        elif kind == "timepicker":
            state["selected_time"] = wanted.strftime("%H:%M") if isinstance(wanted, clock_time) else str(wanted)
        elif kind == "datetimepicker":
            state["selected_date_time"] = int(wanted.timestamp()) if isinstance(wanted, datetime) else int(wanted)
        else:
            raise ValueError(f"don't know how to fill a {kind!r}")
        return state

    def _default(self, element: dict[str, Any], *, required: bool) -> dict[str, Any]:
        kind = str(element.get("type"))
        initial_field, state_field = _INITIAL.get(kind, ("", ""))
        if initial_field and element.get(initial_field) not in (None, "", []):
            initial = element[initial_field]
            if kind == "rich_text_input":
                return {"type": kind, state_field: initial}
            return {"type": kind, state_field: initial}
        if not required:
            return {"type": kind, **_EMPTY.get(kind, {})}
        if kind == "plain_text_input":
            text = f"{self.user.real_name}'s answer"
            minimum = int(element.get("min_length") or 0)
            maximum = int(element.get("max_length") or 3000)
            text = (text + " and more detail" * (minimum // 16 + 1))[: max(maximum, 1)] if minimum > len(text) else text
            return self._value(element, text[:maximum], required=True)
        defaults: dict[str, Any] = {
            "number_input": element.get("min_value") or "1",
            "url_text_input": "https://example.com/",
            "email_text_input": self.user.email,
            "rich_text_input": f"{self.user.real_name}'s answer",
            "users_select": self.id,
            "multi_users_select": [self.id],
            "conversations_select": self._default_channel(),
            "multi_conversations_select": [self._default_channel()],
            "channels_select": self._default_channel(),
            "multi_channels_select": [self._default_channel()],
            "datepicker": (self.today or datetime.now(UTC).date()).isoformat(),
            "timepicker": "09:00",
            "datetimepicker": int(time.time()) + 3600,
        }
        if kind in ("static_select", "radio_buttons", "multi_static_select", "checkboxes"):
            options = _options(element)
            if not options:
                raise ValueError(f"{element.get('action_id')!r} has no options to pick")
            return self._value(
                element, options[0] if kind in ("static_select", "radio_buttons") else [options[0]], required=True
            )
        if kind in defaults:
            return self._value(element, defaults[kind], required=True)
        if kind in _EMPTY:
            return {"type": kind, **_EMPTY[kind]}
        raise ValueError(f"don't know how to fill a {kind!r}")

    def _default_channel(self) -> str:
        for channel in self.workspace.channels.values():
            if not channel.is_im and self.id in channel.members and self.workspace.bot_user_id in channel.members:
                return channel.id
        return self.workspace.channel_id("general")


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple | set) else [value]
