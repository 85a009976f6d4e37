"""Slack listeners for the checklist: the launch message's "Checklist" button opens the checklist
modal; an item's Done / New date / Blocked buttons (its DM, the App Home) and the modal's
per-item menu (Done / New date / Blocked / Reassign / Drop) and "Add item" change it. Thin:
parse, one service call in one unit of work, answer.

Where the click came from decides the answer: a message (the DM) gets an ephemeral line on a
problem and is updated in place through the outbox; the checklist modal is updated in place
(``views.update``) and a problem opens a small notice on top; the App Home is re-published.

``register(app, services)`` is called by the launches feature.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.goals.directory import SlackDirectory
from bot.home.publish import refresh_home
from bot.launches import checklist, checklist_forms, checklist_views
from bot.launches.checklist_data import ItemChange
from bot.launches.checklist_forms import ItemFormMetadata, MenuVerb
from bot.launches.data import ItemNotFound, ItemView, LaunchNotFound
from bot.launches.ids import Action, Block, Callback
from bot.services import Services
from bot.slack import forms as slack_forms
from bot.slack.answers import answer_submission, first_input_block
from bot.slack.errors import UserError
from bot.slack.metadata import MetadataError
from bot.slack.payloads import team_id_of, user_id_of

log = logging.getLogger(__name__)

OUT_OF_DATE = "This form is out of date: close it and open the checklist again."

SMALL_MODALS: dict[MenuVerb, Callable[[ItemView, ItemFormMetadata], dict[str, Any]]] = {
    MenuVerb.NEW_DATE: checklist_views.new_date_modal,
    MenuVerb.BLOCKED: checklist_views.blocked_modal,
    MenuVerb.REASSIGN: checklist_views.reassign_modal,
    MenuVerb.DROP: checklist_views.drop_modal,
}


def _surface(body: dict[str, Any]) -> str:
    """Where the click came from: "message" (a DM or the channel message), "modal" (the checklist) or "home"."""
    view = body.get("view") or {}
    if (body.get("container") or {}).get("type") == "view" or view:
        return "home" if view.get("type") == "home" else "modal"
    return "message"


def _view_id(body: dict[str, Any]) -> str:
    return str((body.get("view") or {}).get("id") or (body.get("container") or {}).get("view_id") or "")


def register(app: App, services: Services) -> None:
    db = services.db

    def tell(client: WebClient, body: dict[str, Any], respond: Respond, error: UserError) -> None:
        """A problem, answered where the person clicked: beside the message, or a small notice."""
        surface = _surface(body)
        if surface == "message" and body.get("response_url"):
            respond(text=str(error), response_type="ephemeral", replace_original=False)
        elif surface == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=checklist_views.notice_modal(str(error)))
        else:
            client.views_open(trigger_id=body["trigger_id"], view=checklist_views.notice_modal(str(error)))

    def refresh_checklist(client: WebClient, team_id: str, launch_id: int, view_id: str) -> None:
        with db.unit_of_work() as session:
            launch = checklist.checklist(session, team_id=team_id, launch_id=launch_id)
        try:
            client.views_update(view_id=view_id, view=checklist_views.checklist_modal(launch, services.clock()))
        except SlackApiError as error:  # closed meanwhile: the change is saved, the modal is gone
            log.info("checklist modal %s not updated: %s", view_id, error.response.get("error"))

    def after_change(client: WebClient, team_id: str, user_id: str, change: ItemChange, *, view_id: str,
                     home: bool) -> None:  # fmt: skip
        if view_id:
            refresh_checklist(client, team_id, change.launch_id, view_id)
        if home:
            refresh_home(services, team_id, user_id)

    @app.action(Action.OPEN_CHECKLIST)
    def on_launch_checklist_opened(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        team_id = team_id_of(body)
        try:
            launch_id = checklist_forms.parse_id(action.get("value"))
            if launch_id is None:
                raise LaunchNotFound()
            with db.unit_of_work() as session:
                launch = checklist.checklist(session, team_id=team_id, launch_id=launch_id)
        except UserError as error:
            tell(client, body, respond, error)
            return
        view = checklist_views.checklist_modal(launch, services.clock())
        if _surface(body) == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    def done(client: WebClient, body: dict[str, Any], respond: Respond, item_id: int | None) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            if item_id is None:
                raise ItemNotFound()
            with db.unit_of_work() as session:
                change = checklist.mark_done(
                    session, SlackDirectory(client, team_id), team_id=team_id, user_id=user_id, item_id=item_id,
                    now=services.clock(),
                )  # fmt: skip
        except UserError as error:
            tell(client, body, respond, error)
            return
        surface = _surface(body)
        if not change.changed and surface == "message" and body.get("response_url"):
            respond(text=f"Already done by <@{change.by}>.", response_type="ephemeral", replace_original=False)
        after_change(
            client, team_id, user_id, change, view_id=_view_id(body) if surface == "modal" else "",
            home=surface == "home",
        )  # fmt: skip

    @app.action(Action.ITEM_DONE)
    def on_launch_item_done(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        done(client, body, respond, checklist_forms.parse_id(action.get("value")))

    def open_small_modal(client: WebClient, body: dict[str, Any], respond: Respond, verb: MenuVerb,
                         item_id: int | None) -> None:  # fmt: skip
        team_id, user_id = team_id_of(body), user_id_of(body)
        surface = _surface(body)
        try:
            if item_id is None:
                raise ItemNotFound()
            with db.unit_of_work() as session:
                item = checklist.item_for_form(
                    session, SlackDirectory(client, team_id), team_id=team_id, user_id=user_id, item_id=item_id
                )
        except UserError as error:
            tell(client, body, respond, error)
            return
        metadata = ItemFormMetadata(
            item_id=item.id, root_view_id=_view_id(body) if surface == "modal" else "", home=surface == "home"
        )
        view = SMALL_MODALS[verb](item, metadata)
        if surface == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(Action.ITEM_NEW_DATE)
    def on_launch_item_new_date(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        open_small_modal(client, body, respond, MenuVerb.NEW_DATE, checklist_forms.parse_id(action.get("value")))

    @app.action(Action.ITEM_BLOCKED)
    def on_launch_item_blocked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        open_small_modal(client, body, respond, MenuVerb.BLOCKED, checklist_forms.parse_id(action.get("value")))

    @app.action(Action.ITEM_MENU)
    def on_launch_item_menu(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        choice = checklist_forms.parse_menu((action.get("selected_option") or {}).get("value"))
        if choice is None:
            tell(client, body, respond, ItemNotFound())
            return
        if choice.verb is not MenuVerb.DONE:
            open_small_modal(client, body, respond, choice.verb, choice.item_id)
            return
        done(client, body, respond, choice.item_id)

    @app.action(Action.ITEM_ADD)
    def on_launch_item_add_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            launch_id = checklist_forms.parse_id(action.get("value"))
            if launch_id is None:
                raise LaunchNotFound()
            with db.unit_of_work() as session:
                launch = checklist.launch_for_add(
                    session, SlackDirectory(client, team_id), team_id=team_id, user_id=user_id, launch_id=launch_id
                )
        except UserError as error:
            tell(client, body, respond, error)
            return
        surface = _surface(body)
        metadata = ItemFormMetadata(launch_id=launch.id, root_view_id=_view_id(body) if surface == "modal" else "")
        view = checklist_views.add_item_modal(launch, metadata, default_owner=user_id)
        if surface == "modal":
            client.views_push(trigger_id=body["trigger_id"], view=view)
        else:
            client.views_open(trigger_id=body["trigger_id"], view=view)

    def submitted(
        ack: Ack,
        body: dict[str, Any],
        view: dict[str, Any],
        client: WebClient,
        change_of: Callable[[Any, SlackDirectory, str, str, ItemFormMetadata, slack_forms.State], ItemChange],
        fallback_block: str | None,
    ) -> None:
        """A small modal's submission: metadata, one service call, then close it and refresh where
        it came from; a problem stays on the form (or replaces a form without fields)."""
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            metadata = ItemFormMetadata.decode(view.get("private_metadata"))
            with db.unit_of_work() as session:
                change = change_of(
                    session, SlackDirectory(client, team_id), team_id, user_id, metadata, slack_forms.state_of(view)
                )
        except MetadataError:
            _answer_problem(ack, view, UserError(OUT_OF_DATE), fallback_block)
            return
        except UserError as error:
            _answer_problem(ack, view, error, fallback_block)
            return
        ack()
        after_change(client, team_id, user_id, change, view_id=metadata.root_view_id, home=metadata.home)

    @app.view(Callback.ITEM_NEW_DATE)
    def on_launch_item_new_date_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        submitted(
            ack, body, view, client,
            lambda session, directory, team_id, user_id, meta, state: checklist.set_due_on(
                session, directory, team_id=team_id, user_id=user_id, item_id=meta.item_id,
                due_on=checklist_forms.parse_due_on(state), now=services.clock(),
            ),
            Block.ITEM_DUE_ON,
        )  # fmt: skip

    @app.view(Callback.ITEM_BLOCKED)
    def on_launch_item_blocked_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        submitted(
            ack, body, view, client,
            lambda session, directory, team_id, user_id, meta, state: checklist.mark_blocked(
                session, directory, team_id=team_id, user_id=user_id, item_id=meta.item_id,
                reason=checklist_forms.parse_reason(state), now=services.clock(),
            ),
            Block.ITEM_REASON,
        )  # fmt: skip

    @app.view(Callback.ITEM_REASSIGN)
    def on_launch_item_reassign_submitted(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        submitted(
            ack, body, view, client,
            lambda session, directory, team_id, user_id, meta, state: checklist.reassign(
                session, directory, team_id=team_id, user_id=user_id, item_id=meta.item_id,
                owner_id=checklist_forms.parse_owner(state), now=services.clock(),
            ),
            Block.ITEM_OWNER,
        )  # fmt: skip

    @app.view(Callback.ITEM_DROP)
    def on_launch_item_drop_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        submitted(
            ack, body, view, client,
            lambda session, directory, team_id, user_id, meta, state: checklist.drop_item(
                session, directory, team_id=team_id, user_id=user_id, item_id=meta.item_id, now=services.clock(),
            ),
            None,
        )  # fmt: skip

    @app.view(Callback.ITEM_ADD)
    def on_launch_item_add_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        data, errors = checklist_forms.parse_new_item(slack_forms.state_of(view))
        if data is None:
            ack(response_action="errors", errors=errors)
            return
        submitted(
            ack, body, view, client,
            lambda session, directory, team_id, user_id, meta, state: checklist.add_item(
                session, directory, team_id=team_id, user_id=user_id, launch_id=meta.launch_id, data=data,
                now=services.clock(),
            ),
            Block.ITEM_TITLE,
        )  # fmt: skip


def _answer_problem(ack: Ack, view: dict[str, Any], error: UserError, fallback_block: str | None) -> None:
    """On the form's field; a form without fields (Drop) is replaced by a notice saying why."""
    if first_input_block(view) is None:
        ack(response_action="update", view=checklist_views.notice_modal(str(error)))
        return
    answer_submission(ack, error, view, fallback_block)
