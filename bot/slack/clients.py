"""Web API clients for jobs that run outside a Slack request (scheduler, CLI).

Inside a listener, use the ``client`` Bolt hands you. Every client honours SLACK_API_URL.
"""

from __future__ import annotations

import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import InstallationStore
from slack_sdk.web import SlackResponse

from bot.metrics import record_slack_call
from bot.settings import Settings


class WorkspaceNotInstalled(Exception):
    def __init__(self, team_id: str) -> None:
        super().__init__(f"Tandem is not installed in workspace {team_id}")
        self.team_id = team_id


def default_retry_handlers() -> list:
    # slack_sdk retries connection errors only by default; rate limits need their own handler.
    return [ConnectionErrorRetryHandler(max_retry_count=2), RateLimitErrorRetryHandler(max_retry_count=2)]


class InstrumentedWebClient(WebClient):
    """A WebClient that counts every call by method and outcome for /metrics."""

    def api_call(self, api_method: str, **kwargs: Any) -> SlackResponse:
        try:
            response = super().api_call(api_method, **kwargs)
        except SlackApiError as error:
            record_slack_call(api_method, str(error.response.get("error") or error.response.status_code))
            raise
        except Exception:
            record_slack_call(api_method, "connection_error")
            raise
        record_slack_call(api_method, "ok")
        return response


def instrumented_copy(client: WebClient) -> InstrumentedWebClient:
    """The same client (token, base URL, retry handlers), counted. Bolt builds a plain WebClient
    per request; a global middleware swaps in this copy so listener calls are counted too."""
    return InstrumentedWebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        team_id=client.default_params.get("team_id"),  # WebClient keeps team_id only there
        retry_handlers=list(client.retry_handlers),
        logger=client.logger,
    )


def make_client(settings: Settings, token: str | None = None, *, timeout: int = 10) -> WebClient:
    return InstrumentedWebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=timeout,
        retry_handlers=default_retry_handlers(),
    )


class SlackClients:
    """Hands out a WebClient per workspace: the single bot token, or the installation's token."""

    def __init__(self, settings: Settings, installation_store: InstallationStore | None = None) -> None:
        self._settings = settings
        self._store = installation_store
        self._lock = threading.Lock()
        self._clients: dict[str, WebClient] = {}
        self._single_team_id: str | None = None

    def base_client(self) -> WebClient:
        token = self._settings.slack_bot_token
        return make_client(self._settings, token.get_secret_value() if token else None)

    def single_team_id(self) -> str:
        """The workspace of SLACK_BOT_TOKEN (single-workspace mode), from auth.test, cached."""
        if self._single_team_id is None:
            response = self.base_client().auth_test()
            self._single_team_id = str(response["team_id"])
        return self._single_team_id

    def for_team(self, team_id: str) -> WebClient:
        with self._lock:
            client = self._clients.get(team_id)
        if client is not None:
            return client
        if self._store is None:
            token = self._settings.slack_bot_token
            if token is None:
                raise WorkspaceNotInstalled(team_id)
            client = make_client(self._settings, token.get_secret_value())
        else:
            bot = self._store.find_bot(enterprise_id=None, team_id=team_id)
            if bot is None or not bot.bot_token:
                raise WorkspaceNotInstalled(team_id)
            client = make_client(self._settings, bot.bot_token)
        with self._lock:
            self._clients[team_id] = client
        return client

    def forget(self, team_id: str) -> None:
        with self._lock:
            self._clients.pop(team_id, None)
