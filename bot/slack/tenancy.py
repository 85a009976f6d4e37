"""Single-workspace mode (SLACK_BOT_TOKEN): only the installed workspace is served.

Slack signs every request of an app with the same secret, whichever workspace it comes from: a
person of another workspace (say, in a Slack Connect channel with one of our posts) clicking one
of our buttons sends a validly signed request. In OAuth mode Bolt's authorize finds no
installation for that workspace and stops it; with a single bot token Bolt's
``SingleTeamAuthorization`` never compares the request's team with the token's (it turns its
cached ``auth.test`` into ``context.authorize_result`` for every request, and for
``app_uninstalled`` / ``tokens_revoked`` events it takes the request's own ids), so the listener
would run with our token. :class:`ForeignWorkspaceGuard` refuses such a request before any
listener: no Web API call, no database write.

What Slack gets for a refused request is a 200, as Bolt answers a workspace it has no
installation for in OAuth mode (``MultiTeamsAuthorization``, which also posts to the
response_url): a non-2xx answer is shown to the person as a generic failure (commands,
interactions) or, for events, makes Slack redeliver the event three times and counts against the
app's event delivery health. 401 is kept for bad signatures. The body tells the person why where
Slack displays the ack: a slash command's ephemeral text, a modal's ``update`` to a notice. Other
kinds ignore an ack's body (a click, a shortcut, an event): empty. Nothing is posted to the
request's ``response_url``: that would act in a workspace we are not installed in.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt.middleware import Middleware
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.web import SlackResponse

from bot.slack.blocks import modal, section

log = logging.getLogger(__name__)

NOT_INSTALLED = (
    "Sorry, this Tandem is installed in another Slack workspace and only works for the people there. Nothing was done."
)
NOTICE_CALLBACK_ID = "tandem_not_installed"
# Requests Slack sends without a workspace. Bolt's own middleware answers them before ours; should
# that ever change (url_verification_enabled=False), the guard must still let them through.
_NO_WORKSPACE_KINDS = frozenset({"url_verification", "ssl_check"})


@dataclass(frozen=True)
class InstalledWorkspace:
    """Where SLACK_BOT_TOKEN is installed, from ``auth.test``: one workspace, or a whole
    Enterprise Grid organization for an org-wide install (its token serves every workspace of it)."""

    team_id: str
    enterprise_id: str | None
    is_enterprise_install: bool

    @classmethod
    def from_auth_test(cls, response: SlackResponse | Mapping[str, Any]) -> InstalledWorkspace:
        return cls(
            team_id=str(response.get("team_id") or ""),
            enterprise_id=response.get("enterprise_id") or None,
            is_enterprise_install=bool(response.get("is_enterprise_install")),
        )

    def serves(self, *, team_id: str | None, enterprise_id: str | None) -> bool:
        """Whether a request of ``team_id`` (in ``enterprise_id``) is for this installation."""
        if self.is_enterprise_install:
            return self.enterprise_id is not None and enterprise_id == self.enterprise_id
        return bool(self.team_id) and team_id == self.team_id


def foreign_request_answer(body: Mapping[str, Any]) -> BoltResponse:
    """The 200 a request from another workspace gets (see the module docstring)."""
    payload: dict[str, Any] | None = None
    if body.get("command"):
        payload = {"response_type": "ephemeral", "text": NOT_INSTALLED}
    elif body.get("type") == "view_submission":
        notice = modal("Tandem", [section(NOT_INSTALLED)], callback_id=NOTICE_CALLBACK_ID, submit=None, close="Close")
        payload = {"response_action": "update", "view": notice}
    elif body.get("type") == "block_suggestion":
        payload = {"options": []}
    if payload is None:
        return BoltResponse(status=200, body="")
    return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})


class ForeignWorkspaceGuard(Middleware):
    """Bolt middleware, registered first: a request whose workspace is not the installed one is
    answered by :func:`foreign_request_answer` and goes no further."""

    def __init__(self, installed: InstalledWorkspace) -> None:
        self.installed = installed

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        body: Mapping[str, Any] = req.body
        if body.get("type") in _NO_WORKSPACE_KINDS or body.get("ssl_check"):
            return next()
        # Bolt's reading of the payload: the workspace the request was delivered for (an event's
        # authorizations, a modal's app_installed_team_id), else the team of the person who acted.
        context = req.context
        if self.installed.serves(team_id=context.team_id, enterprise_id=context.enterprise_id):
            return next()
        kind = body.get("command") or (body.get("event") or {}).get("type") or body.get("type") or "request"
        log.warning(
            "refused a %s from workspace %s (enterprise %s): Tandem is installed in %s only",
            kind,
            context.team_id,
            context.enterprise_id,
            self.installed.enterprise_id if self.installed.is_enterprise_install else self.installed.team_id,
        )
        return foreign_request_answer(body)
