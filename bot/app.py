"""build_app(services) -> the Bolt App with every feature registered.

Listeners stay thin: parse, ack, call one service, render with a pure view builder. Each feature
package's ``feature.py`` holds a ``Feature`` whose ``register(app, services)`` adds its listeners;
``bot.features.FEATURES`` lists them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.features import FEATURES
from bot.logs import log_context
from bot.services import Services
from bot.slack.blocks import modal, section
from bot.slack.clients import InstrumentedWebClient, instrumented_copy
from bot.slack.installations import make_state_store
from bot.slack.listener_runner import use_ack_safe_runner
from bot.slack.payloads import request_id_of, team_id_of, user_id_of
from bot.slack.tenancy import ForeignWorkspaceGuard, InstalledWorkspace

log = logging.getLogger(__name__)

# Minimal bot scopes; README explains each one. Kept in step with manifest.yml by a test.
BOT_SCOPES: tuple[str, ...] = (
    "commands",
    "chat:write",
    "users:read",
    "usergroups:read",
    "channels:read",
    "groups:read",
    "files:write",
)

FRIENDLY_ERROR = (
    "Sorry, something went wrong on my side and nothing was changed. "
    "Please try again in a minute; if it keeps happening, tell your Tandem admin."
)
# views.open/push need the click's trigger_id within 3 s; on a busy moment the form can miss it.
TRIGGER_EXPIRED = "Sorry, Slack was busy and that form could not open in time. Nothing was changed: please try again."
TRIGGER_ERRORS = frozenset({"expired_trigger_id", "exchanged_trigger_id"})


def _trigger_error(error: Exception) -> str | None:
    """The Slack error code when ``error`` is a trigger_id that expired or was used, else None."""
    code = error.response.get("error") if isinstance(error, SlackApiError) else None
    return code if code in TRIGGER_ERRORS else None


def friendly_ack(body: dict[str, Any]) -> BoltResponse:
    """The acknowledgement of a request whose listener failed before ``ack()``: a modal error on the
    first input of a submitted modal (the typed text stays there to submit again), else an
    ephemeral message (slash commands show an ack's text; other kinds ignore the body)."""
    if body.get("type") == "view_submission":
        view = body.get("view") or {}
        inputs = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input" and b.get("block_id")]
        if inputs:
            payload: dict[str, Any] = {"response_action": "errors", "errors": {inputs[0]: FRIENDLY_ERROR}}
        else:
            notice = modal("Tandem", [section(FRIENDLY_ERROR)], callback_id="tandem_error", submit=None, close="Close")
            payload = {"response_action": "update", "view": notice}
        return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})
    if body.get("command"):
        payload = {"response_type": "ephemeral", "text": FRIENDLY_ERROR}
        return BoltResponse(status=200, body=json.dumps(payload), headers={"content-type": "application/json"})
    return BoltResponse(status=200, body="")


def build_app(services: Services, listener_executor: Executor | None = None) -> App:
    settings = services.settings
    client = services.slack.base_client()
    common: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret.get_secret_value(),
        "client": client,
        "process_before_response": False,
        "listener_executor": listener_executor,
        # Bolt checks Slack's request signature and the 5-minute window before any listener runs.
        "request_verification_enabled": True,
    }
    if settings.oauth_enabled:
        assert settings.slack_client_id is not None and settings.slack_client_secret is not None
        assert services.installation_store is not None
        app = App(
            oauth_settings=OAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret.get_secret_value(),
                scopes=list(BOT_SCOPES),
                installation_store=services.installation_store,
                state_store=make_state_store(services.db.engine),
            ),
            installation_store=services.installation_store,
            **common,
        )
    else:
        assert settings.slack_bot_token is not None
        app = App(**common)  # the client carries SLACK_BOT_TOKEN; Bolt checks it with auth.test
        # Bolt keeps that auth.test but not its is_enterprise_install: one more call, at start-up only.
        # The guard is the first of our middleware: a request of another workspace stops there,
        # before any listener (Bolt's own authorization before it only reads its cached auth.test).
        app.middleware(ForeignWorkspaceGuard(InstalledWorkspace.from_auth_test(client.auth_test())))
    # A listener failing after its ack must not change the answer Slack already got (see the module).
    use_ack_safe_runner(app)

    @app.middleware
    def observe_request(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        if context.client is not None and not isinstance(context.client, InstrumentedWebClient):
            context["client"] = instrumented_copy(context.client)  # counted in /metrics
        # The log context (team, request id) is set where the listener runs: bot.slack.listener_runner.
        return next()

    @app.error
    def on_unhandled_error(
        error: Exception,
        body: dict[str, Any],
        response: BoltResponse | None = None,
        respond: Any = None,
        client: WebClient | None = None,
    ) -> BoltResponse | None:
        team = team_id_of(body)
        message = FRIENDLY_ERROR
        trigger_error = _trigger_error(error)
        with log_context(team_id=team, request_id=request_id_of(body)):
            if trigger_error:
                # Expected when the process is overloaded, not a bug: no stack trace, a specific message.
                message = TRIGGER_EXPIRED
                log.warning("a form could not open in time (team %s): %s", team, trigger_error)
            else:
                log.error("unhandled error in a listener (team %s): %s", team, type(error).__name__, exc_info=error)
        acknowledgement = None
        if response is not None:
            # Not acknowledged yet (Bolt passes no response once ack() ran): answer 200, not 500;
            # a command's ack or a modal's errors carry the message, so the person sees it at once.
            acknowledgement = friendly_ack(body)
            if body.get("type") == "view_submission" or body.get("command"):
                return acknowledgement
        user_id = user_id_of(body)
        try:
            if respond is not None and (body.get("response_url") or body.get("response_urls")):
                respond(text=message, response_type="ephemeral", replace_original=False)
            elif response is None and client is not None and user_id and body.get("type") != "event_callback":
                # Acknowledged already and nowhere to reply (a modal closed after its ack): a DM,
                # so a failure is never silent.
                client.chat_postMessage(channel=user_id, text=message)
        except Exception:  # noqa: BLE001 - best effort; telling the user must not raise again
            log.warning("could not tell the user about the error")
        return acknowledgement

    for feature in FEATURES:
        if feature.register is not None:
            feature.register(app, services)
    return app
