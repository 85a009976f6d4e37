"""The "Values: push & pull" modal of a goal, for its owners (and its creator, and workspace admins).

``open_values`` opens it (the /goal list overflow option ``values:<id>`` calls it after its ack,
inside ``with answering(respond)``: it raises the ``GoalError`` to answer). ``register`` adds:

- ``Action.NEW_TOKEN``: a new push token (the old one stops working), shown once in a modal pushed
  over this one; this one is updated to say when the token was made;
- ``Action.TEST_SOURCE``: fetch the pull source as typed (the stored token when the field is blank)
  and show the value or the problem in the modal;
- ``Callback.VALUES``: save the pull source (URL, pointer, bearer token sealed with
  TANDEM_ENCRYPTION_KEY; blank keeps the stored token, "remove" deletes it).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.goals import values, values_forms, values_views
from bot.goals.data import GoalClosed, GoalNotFound, NotGoalOwner, SourceInput, format_number, source_problems
from bot.goals.ids import Action, Block, Callback, Status
from bot.goals.lookups import require_goal
from bot.goals.models import Goal
from bot.goals.pull import fetch_value
from bot.services import Services
from bot.slack.answers import answering_submission
from bot.slack.errors import UserError
from bot.slack.forms import state_of
from bot.slack.payloads import team_id_of, user_id_of
from bot.slack.users import is_workspace_admin

log = logging.getLogger(__name__)

TYPE_THE_URL = "Type the source's URL and the JSON pointer first, then test it."


def _keys(services: Services) -> str | None:
    key = services.settings.tandem_encryption_key
    return key.get_secret_value() if key is not None else None


def _settings(
    goal: Goal, services: Services, *, url: str | None = None, pointer: str | None = None
) -> values_views.ValuesSettings:
    return values_views.ValuesSettings(
        goal_id=goal.id,
        title=goal.title,
        public_url=services.settings.tandem_public_url,
        token_created_at=goal.push_token_created_at if goal.push_token_hash else None,
        pull_url=goal.pull_url if url is None else url,
        pull_pointer=goal.pull_pointer if pointer is None else pointer,
        has_pull_token=bool(goal.pull_token),
    )


def _managed_goal(client: WebClient, session: Session, team_id: str, user_id: str, goal_id: int | None) -> Goal:
    """The goal, if this person may set up its values (owners, creator, workspace admins) and it is open."""
    if goal_id is None:
        raise GoalNotFound()
    goal = require_goal(session, team_id, goal_id)
    if not values.can_manage(goal, user_id) and not is_workspace_admin(client, team_id, user_id):
        raise NotGoalOwner("set up the values of")
    if goal.status == Status.CLOSED:
        raise GoalClosed()
    return goal


def open_values(
    client: WebClient, services: Services, *, trigger_id: str, team_id: str, user_id: str, goal_id: int
) -> None:
    """Open the values modal of ``goal_id``; a ``GoalError`` (not found, not an owner, closed) is
    raised for the caller to answer (``bot.slack.answers.answering``)."""
    with services.db.unit_of_work() as session:
        goal = _managed_goal(client, session, team_id, user_id, goal_id)
        view = values_views.values_modal(_settings(goal, services))
    client.views_open(trigger_id=trigger_id, view=view)


def _notice(client: WebClient, trigger_id: str, message: str) -> None:
    """A refusal from a button inside the modal (there is no response_url there): a small modal on top."""
    view = values_views.bk.modal(
        "Values", [values_views.bk.section(message)], callback_id=Callback.NOTICE, submit=None, close="OK"
    )
    try:
        client.views_push(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        log.warning("could not show a values notice: %s", error.response.get("error"))


def register(app: App, services: Services) -> None:
    db = services.db

    @app.action(Action.NEW_TOKEN.value)
    def on_new_token(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        goal_id = values_forms.goal_id_of((body.get("actions") or [{}])[0].get("value"))
        try:
            with db.unit_of_work() as session:
                goal = _managed_goal(client, session, team_id, user_id, goal_id)
                token = values.issue_token(session, goal, services.clock())
                settings = _settings(goal, services)
        except UserError as error:
            _notice(client, body["trigger_id"], str(error))
            return
        client.views_push(
            trigger_id=body["trigger_id"],
            view=values_views.token_modal(goal.id, goal.title, token, services.settings.tandem_public_url),
        )
        current = body.get("view") or {}
        if current.get("id"):
            # The modal underneath now says when the token was made (typed inputs are kept by Slack).
            try:
                client.views_update(view_id=current["id"], view=values_views.values_modal(settings))
            except SlackApiError as error:
                log.info("values modal not refreshed after a new token: %s", error.response.get("error"))

    @app.action(Action.TEST_SOURCE.value)
    def on_test_source(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        current = body.get("view") or {}
        team_id, user_id = team_id_of(body), user_id_of(body)
        goal_id = values_forms.goal_id_of(current.get("private_metadata"))
        source = values_forms.parse_source(state_of(current))
        try:
            with db.unit_of_work() as session:
                goal = _managed_goal(client, session, team_id, user_id, goal_id)
                stored_token = values.source_token(goal, _keys(services))
                settings = _settings(goal, services, url=source.url, pointer=source.pointer)
        except UserError as error:
            _notice(client, body["trigger_id"], str(error))
            return
        result = _test(source, stored_token)  # slow (up to 10 s): after the ack, outside any transaction
        try:
            client.views_update(
                view_id=current["id"],
                hash=current.get("hash"),
                view=values_views.values_modal(settings, test_result=result),
            )
        except SlackApiError as error:
            log.info("values modal not updated with the test result: %s", error.response.get("error"))

    @app.view(Callback.VALUES.value)
    def on_values_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        with answering_submission(ack, view, fallback_block=Block.PULL_URL) as answer:
            source = values_forms.parse_source(state_of(view))
            with db.unit_of_work() as session:
                goal = _managed_goal(
                    client,
                    session,
                    team_id_of(body),
                    user_id_of(body),
                    values_forms.goal_id_of(view.get("private_metadata")),
                )
                values.save_source(session, goal, source, keys=_keys(services), now=services.clock())
        if not answer.failed:
            ack()


def _test(source: SourceInput, stored_token: str | None) -> str:
    if not source.url or not source.pointer:
        return values_views.test_result_text(None, TYPE_THE_URL.rstrip("."))
    found = source_problems(source)
    if found:
        return values_views.test_result_text(None, next(iter(found.values())).rstrip("."))
    token = stored_token if source.token is None else (source.token or None)
    result = fetch_value(source.url, source.pointer, token)
    if result.value is None:
        return values_views.test_result_text(None, result.problem)
    return values_views.test_result_text(format_number(result.value))
