"""Web API methods about the app itself: api.test, auth.test, apps.connections.open, team.info."""

from __future__ import annotations

from typing import Any

from bot.playground.slack_emulator_state import EmulatorState, Method
from bot.playground.slack_emulator_types import SlackError
from bot.playground.workspace_state import APP_ID, Workspace


def _api_test(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"args": {k: v for k, v in args.items() if k != "token"}}


def _auth_test(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": f"https://{ws.domain}.slack.com/",
        "team": ws.name,
        "user": "tandem",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "app_id": APP_ID,
        "is_enterprise_install": False,
    }


def _apps_connections_open(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    endpoint = em.socket_mode
    if endpoint is None:
        raise SlackError("invalid_auth")
    return {"url": endpoint.connection_url()}


def _team_info(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"team": {"id": ws.team_id, "name": ws.name, "domain": ws.domain, "email_domain": "example.com"}}


AUTH_METHODS: dict[str, Method] = {
    "api.test": _api_test,
    "auth.test": _auth_test,
    "apps.connections.open": _apps_connections_open,
    "team.info": _team_info,
}
