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
