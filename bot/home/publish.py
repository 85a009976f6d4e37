"""Publishing the App Home (``views.publish``): the Slack side of the Home, beside its listeners.

Other features call ``refresh_homes(services, team_id, *user_ids)`` after a change that affects
what someone's Home shows (an ask addressed to them, an action item they own, an insight's
status). It opens its own unit of work, so call it after yours has committed.

Why not through the outbox: ``views.publish`` is interactive and time-bound (the person just
opened the tab or clicked), the view is rebuilt in full from the database every time (nothing
is lost if one publish fails: the next opening shows the truth), and the outbox's pacing and
retries for up to a day would show a stale Home later instead of a fresh one now. So it is a
direct call, like ``views.open``, made here in the top layer, never from the service.
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.home.service import home_data
from bot.home.views import build_home_view
from bot.services import Services
from bot.slack.users import UserNotFound, get_user

log = logging.getLogger(__name__)


def _person(client: WebClient, team_id: str, user_id: str) -> tuple[str, bool]:
    try:
        user = get_user(client, team_id, user_id)
    except UserNotFound:
        return "UTC", False
    return user.tz or "UTC", user.is_admin


def publish_home(services: Services, client: WebClient, team_id: str, user_id: str) -> None:
    """Build this person's Home and publish it (``app_home_opened`` and after their clicks)."""
    tz, is_admin = _person(client, team_id, user_id)
    with services.db.unit_of_work() as session:
        data = home_data(session, team_id=team_id, user_id=user_id, user_tz=tz, is_admin=is_admin, now=services.clock())
    client.views_publish(user_id=user_id, view=build_home_view(data))


def refresh_homes(services: Services, team_id: str, *user_ids: str | None) -> None:
    """``refresh_home`` for each distinct person named (empty ids are skipped)."""
    for user_id in dict.fromkeys(u for u in user_ids if u):
        refresh_home(services, team_id, user_id)


def refresh_home(services: Services, team_id: str, user_id: str) -> bool:
    """Re-publish ``user_id``'s Home after a change that affects it; False if Slack refused.

    A refresh is a courtesy (the Home is rebuilt whenever it is opened), so a Slack error is
    logged and reported, never raised into the caller's flow.
    """
    try:
        publish_home(services, services.slack.for_team(team_id), team_id, user_id)
    except SlackApiError as error:
        log.warning("could not refresh the App Home of %s: %s", user_id, error.response.get("error"))
        return False
    return True
