"""Who and where a Slack payload comes from, whatever its kind (command, interaction, event)."""

from __future__ import annotations

from typing import Any


def team_id_of(body: dict[str, Any]) -> str:
    """The workspace of a command (``team_id``), an interaction (``team.id``) or a user object."""
    team = body.get("team")
    if isinstance(team, dict) and team.get("id"):
        return str(team["id"])
    user = body.get("user")
    return str(body.get("team_id") or (user.get("team_id") if isinstance(user, dict) else "") or "")


def user_id_of(body: dict[str, Any]) -> str:
    """The person who acted: ``user.id`` in interactions, ``user_id`` in commands."""
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id") or "")
    return str(body.get("user_id") or "")


def request_id_of(body: dict[str, Any]) -> str | None:
    """Slack's id of this delivery, for logs: an event's ``event_id``, else the ``trigger_id`` of a
    command or interaction, else the id of the view a ``view_closed`` is about."""
    view = body.get("view")
    view_id = view.get("id") if isinstance(view, dict) else None
    return body.get("event_id") or body.get("trigger_id") or view_id or None
