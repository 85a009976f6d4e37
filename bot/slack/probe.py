"""Check the Slack tokens before serving (``tandem run``) and in ``tandem check``.

``auth.test`` with the bot token and, for Socket Mode, ``apps.connections.open`` with the app-level
token (the call Socket Mode starts with: ``tandem run`` connects to the URL it answers). Every failure is a
``Problem``: one line naming the setting and the fix. The probe client does not retry and keeps
slack_sdk's own ERROR log lines to itself, so the person sees that one line only.
"""

from __future__ import annotations

import logging
import urllib.error
from dataclasses import dataclass
from http.client import HTTPException

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.problems import EXIT_SETTINGS, TOKEN_ERRORS, Problem
from bot.settings import Settings

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 10  # seconds per call; Slack answers these in well under a second

BOT_TOKEN_FIX = "copy the Bot User OAuth Token (xoxb-...) from your app's Install App page into SLACK_BOT_TOKEN"
APP_TOKEN_FIX = (
    "create an app-level token with the connections:write scope (Basic Information > App-Level Tokens) "
    "and put it in SLACK_APP_TOKEN"
)


@dataclass(frozen=True)
class BotIdentity:
    team: str
    team_id: str
    user: str


def _quiet_logger() -> logging.Logger:
    """A logger outside the logging tree: slack_sdk logs a failed request at ERROR before raising,
    and the caller reports the failure in one line instead."""
    logger = logging.Logger("bot.slack.probe.sdk")
    logger.addHandler(logging.NullHandler())
    return logger


def probe_client(settings: Settings, token: str) -> WebClient:
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=PROBE_TIMEOUT,
        retry_handlers=[],
        logger=_quiet_logger(),
    )


def _call(client: WebClient, settings: Settings, method: str, variable: str, fix: str) -> dict:
    try:
        return dict(client.api_call(method).data)  # type: ignore[arg-type]
    except SlackApiError as error:
        code = str(error.response.get("error") or f"HTTP {error.response.status_code}")
        log.debug("%s failed: %s", method, code)
        if code in TOKEN_ERRORS:
            raise Problem(f"{variable}: Slack rejected it ({method}: {code}); {fix}", EXIT_SETTINGS) from None
        if code == "missing_scope":
            raise Problem(f"{variable}: the token lacks a scope {method} needs; {fix}", EXIT_SETTINGS) from None
        raise Problem(f"Slack answered {method} with {code}: try again later, or check SLACK_API_URL") from None
    except TimeoutError:
        raise Problem(
            f"Slack did not answer {method} within {PROBE_TIMEOUT} s at {settings.slack_api_url}: "
            "check the network (proxy, firewall) and try again"
        ) from None
    except urllib.error.URLError as error:
        reason = error.reason
        if isinstance(reason, TimeoutError):
            raise Problem(
                f"Slack did not answer {method} within {PROBE_TIMEOUT} s at {settings.slack_api_url}: "
                "check the network (proxy, firewall) and try again"
            ) from None
        detail = reason.strerror if isinstance(reason, OSError) and reason.strerror else str(reason)
        raise Problem(
            f"could not reach Slack at {settings.slack_api_url} ({detail}): check the network and SLACK_API_URL"
        ) from None
    except (HTTPException, ConnectionError, SlackClientError) as error:
        raise Problem(
            f"could not reach Slack at {settings.slack_api_url} ({type(error).__name__}): "
            "check the network and SLACK_API_URL"
        ) from None


def check_bot_token(settings: Settings) -> BotIdentity:
    """``auth.test`` with SLACK_BOT_TOKEN (single-workspace mode only)."""
    assert settings.slack_bot_token is not None
    client = probe_client(settings, settings.slack_bot_token.get_secret_value())
    data = _call(client, settings, "auth.test", "SLACK_BOT_TOKEN", BOT_TOKEN_FIX)
    return BotIdentity(str(data.get("team") or ""), str(data.get("team_id") or ""), str(data.get("user") or ""))


def check_app_token(settings: Settings) -> str:
    """``apps.connections.open`` with SLACK_APP_TOKEN (Socket Mode): the WebSocket URL it answers
    (``tandem run`` connects with it, so the check costs no extra ticket)."""
    assert settings.slack_app_token is not None
    client = probe_client(settings, settings.slack_app_token.get_secret_value())
    data = _call(client, settings, "apps.connections.open", "SLACK_APP_TOKEN", APP_TOKEN_FIX)
    return str(data.get("url") or "")
