"""Slash-command subcommand routing shared by every feature.

``/standup pause Weekly sync`` -> subcommand ``pause``, argument ``Weekly sync``. ``help`` and
anything unknown answer with the command's usage, ephemerally, in the ack itself (fast, no
Web API call)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.slack.text import escape

Handler = Callable[..., None]


@dataclass(frozen=True)
class Subcommand:
    name: str
    usage: str
    summary: str
    handler: Handler


@dataclass
class CommandRouter:
    """Routes ``/command sub args`` to a handler. The bare command runs ``default``."""

    command: str
    title: str
    default: str | None = None
    subcommands: dict[str, Subcommand] = field(default_factory=dict)

    def add(self, name: str, usage: str, summary: str) -> Callable[[Handler], Handler]:
        def decorate(handler: Handler) -> Handler:
            self.subcommands[name] = Subcommand(name, usage, summary, handler)
            return handler

        return decorate

    def usage_text(self, problem: str | None = None) -> str:
        lines = [f"*{self.title}*"] if problem is None else [problem, ""]
        for sub in self.subcommands.values():
            usage = f"{self.command} {sub.usage}".strip()
            lines.append(f"• `{usage}` — {sub.summary}")
        if "help" not in self.subcommands:
            lines.append(f"• `{self.command} help` — this message")
        return "\n".join(lines)

    def split(self, text: str | None) -> tuple[str, str]:
        words = (text or "").strip().split(maxsplit=1)
        if not words:
            return (self.default or "help", "")
        return words[0].lower(), (words[1].strip() if len(words) > 1 else "")

    def __call__(
        self,
        ack: Ack,
        command: dict[str, Any],
        client: WebClient | None = None,
        respond: Respond | None = None,
        context: BoltContext | None = None,
        **extra: Any,
    ) -> None:
        # Bolt passes a listener only the arguments its signature names (not **kwargs), so the
        # ones subcommands use are spelled out here.
        kwargs: dict[str, Any] = {"client": client, "respond": respond, "context": context, **extra}
        name, argument = self.split(command.get("text"))
        sub = self.subcommands.get(name)
        if name == "help" and sub is None:
            ack(text=self.usage_text(), response_type="ephemeral")
            return
        if sub is None:
            shown = escape(name[:40])
            ack(
                text=self.usage_text(f"I don't know `{self.command} {shown}`. Here is what I can do:"),
                response_type="ephemeral",
            )
            return
        sub.handler(ack=ack, command=command, argument=argument, **kwargs)
