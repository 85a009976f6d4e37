"""Slack listeners for check-ins: the Update button (a prompt DM, the goal's channel message, App
Home) opens the check-in modal; its submission records the check-in. Thin: parse, one service
call in one unit of work, answer.

``register(app, services)`` is called by ``bot.goals.listeners.register``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.goals import checkin_forms, checkin_views, checkins, lookups
from bot.goals.checkin_forms import CheckinMetadata
from bot.goals.data import GoalError, GoalNotFound
from bot.goals.ids import Action, Block, Callback
from bot.services import Services
from bot.slack import forms as slack_forms
from bot.slack.answers import answering_submission
from bot.slack.metadata import MetadataError
from bot.slack.payloads import team_id_of, user_id_of
from bot.slack.users import is_workspace_admin

OUT_OF_DATE = "This form is out of date; close it and click Update again."


def _admin_check(client: WebClient, team_id: str, user_id: str) -> Callable[[], bool]:
    """Asked only when the person is neither an owner nor the creator (one users.info, cached)."""
    return lambda: is_workspace_admin(client, team_id, user_id)


def register(app: App, services: Services) -> None:
    db = services.db

    @app.action(Action.UPDATE)
    def on_goal_update_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        goal_id = checkin_forms.parse_goal_id(action.get("value"))
        try:
            if goal_id is None:
                raise GoalNotFound()
            with db.unit_of_work() as session:
                form = checkins.checkin_form(
                    session, team_id=team_id, goal_id=goal_id, user_id=user_id,
                    is_admin=_admin_check(client, team_id, user_id),
                )  # fmt: skip
            view = checkin_views.checkin_modal(
                form.goal, pulled=form.pulled, metadata=CheckinMetadata(goal_id=form.goal.id).encode()
            )
        except GoalError as error:
            if body.get("response_url"):  # a message: an ephemeral line beside it
                respond(text=str(error), response_type="ephemeral", replace_original=False)
                return
            view = checkin_views.notice_modal(str(error))  # App Home has no response_url
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(Callback.CHECKIN)
    def on_goal_checkin_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            goal_id = CheckinMetadata.decode(view.get("private_metadata")).goal_id
        except MetadataError:
            ack(response_action="errors", errors={Block.VALUE: OUT_OF_DATE})
            return
        # The service runs before the ack (milliseconds of database work) so that a problem comes
        # back on its field with everything typed still there.
        with answering_submission(ack, view, fallback_block=Block.VALUE) as answer:
            with db.unit_of_work() as session:
                unit_label = lookups.require_goal(session, team_id, goal_id).unit_label
            data, errors = checkin_forms.parse_checkin(slack_forms.state_of(view), unit_label)
            if data is None:
                ack(response_action="errors", errors=errors)
                return
            with db.unit_of_work() as session:
                checkins.record_checkin(
                    session, team_id=team_id, goal_id=goal_id, user_id=user_id, data=data, now=services.clock(),
                    is_admin=_admin_check(client, team_id, user_id), view_id=str(view.get("id") or "") or None,
                )  # fmt: skip
        if answer.failed:
            return
        ack()
