"""App Home listeners: publish on ``app_home_opened``; the Home's own Done and set-up buttons."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.home.ids import Action
from bot.home.publish import publish_home
from bot.retro import actions as retro_actions
from bot.retro import modals as retro_modals
from bot.retro.data import RetroError
from bot.retro.listeners import open_edit_modal as open_retro_edit_modal
from bot.services import Services
from bot.slack.users import UserNotFound, get_user, is_workspace_admin
from bot.standup import asks as standup_asks
from bot.standup import data as standup_data
from bot.standup import lookups as standup_lookups
from bot.standup import setup as standup_setup
from bot.standup import views as standup_views


def _ids(body: dict[str, Any]) -> tuple[str, str, str]:
    """(team, user, action value) of a block_actions payload (home tab or message)."""
    user = body["user"]
    team = body["team"]["id"] if isinstance(body.get("team"), dict) else str(user.get("team_id"))
    value = str((body.get("actions") or [{}])[0].get("value") or "")
    return team, str(user["id"]), value


def _tz(client: WebClient, team_id: str, user_id: str) -> str:
    try:
        return get_user(client, team_id, user_id).tz or "UTC"
    except UserNotFound:
        return "UTC"


def register(app: App, services: Services) -> None:
    db = services.db

    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        publish_home(services, client, str(body.get("team_id") or event.get("view", {}).get("team_id")), event["user"])

    @app.action(Action.ASK_DONE)
    def on_home_ask_done(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id, value = _ids(body)
        if value.isdigit():
            try:
                with db.unit_of_work() as session:
                    standup_asks.mark_ask_handled(
                        session, team_id=team_id, user_id=user_id, ask_id=int(value), now=services.clock()
                    )
            except standup_data.StandupError:
                pass  # already handled or gone: the refreshed Home shows the truth
        publish_home(services, client, team_id, user_id)

    @app.action(Action.ACTION_DONE)
    def on_home_action_done(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id, value = _ids(body)
        if value.isdigit():
            try:
                with db.unit_of_work() as session:
                    retro_actions.complete_action_item(
                        session, team_id=team_id, action_id=int(value), user_id=user_id, now=services.clock(),
                        is_admin=lambda: is_workspace_admin(client, team_id, user_id),
                    )  # fmt: skip
            except RetroError:
                pass  # not theirs any more, or deleted: the refreshed Home shows the truth
        publish_home(services, client, team_id, user_id)

    @app.action(Action.NEW_STANDUP)
    def on_home_new_standup(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id, _ = _ids(body)
        form = standup_data.SetupForm(
            timezone=_tz(client, team_id, user_id),
            questions={"all": list(standup_data.DEFAULT_QUESTIONS)},
            blocker_question=standup_data.DEFAULT_BLOCKER_QUESTION,
        )
        client.views_open(trigger_id=body["trigger_id"], view=standup_views.build_setup_modal(form, []))

    @app.action(Action.EDIT_STANDUP)
    def on_home_edit_standup(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id, value = _ids(body)
        admin = is_workspace_admin(client, team_id, user_id)
        try:
            with db.unit_of_work() as session:
                standup = standup_lookups.get_standup(session, team_id, int(value or 0))
                if standup is None:
                    raise standup_data.NotFound("That stand-up was deleted.")
                form = standup_setup.managed_for_edit(
                    session, team_id=team_id, name=standup.name, actor_id=user_id, actor_is_admin=admin
                )
            view = standup_views.build_setup_modal(form, [])
        except standup_data.StandupError as error:
            view = standup_views.build_notice_modal("Stand-up", str(error))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.NEW_RETRO)
    def on_home_new_retro(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id, _ = _ids(body)
        view = retro_modals.build_setup_modal(
            timezone=_tz(client, team_id, user_id), channel_id=None, insights_available=True
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.EDIT_RETRO)
    def on_home_edit_retro(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id, value = _ids(body)
        # The retro's own modal and submission handler (``/retro edit``): one place for the rules.
        open_retro_edit_modal(
            services, client, trigger_id=body["trigger_id"], team_id=team_id, user_id=user_id,
            series_id=int(value) if value.isdigit() else 0,
        )  # fmt: skip
