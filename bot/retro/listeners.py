"""Slack listeners for retros: parse (``forms``), open the unit of work, call one service, render
(``views`` / ``modals``). A ``RetroError`` is answered once, by ``bot.slack.answers``: next to its
field on a modal, as one ephemeral line on a command or a click.

Nothing here logs a user id next to an item, vote or rating: anonymity holds in the logs too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.goals.ids import Action as GoalAction
from bot.home.publish import refresh_homes
from bot.retro import actions, forms, items, modals, runs, series, summary, views
from bot.retro.data import ManageResult, RetroError, SeriesForm
from bot.retro.ids import Action, Block, Callback, RetroStatus
from bot.retro.lookups import get_retro
from bot.services import Services
from bot.slack.answers import answering, answering_submission
from bot.slack.channel_access import access_problem, read_access
from bot.slack.commands import CommandRouter
from bot.slack.metadata import MetadataError, ViewMetadata
from bot.slack.text import channel_link, plain
from bot.slack.users import UserNotFound, get_user, is_workspace_admin

M = TypeVar("M", bound=ViewMetadata)

# The setup modal offers the customer-insights prompt: the insights ritual is always installed
# with the retro (bot/features.py), so the option is always there.
INSIGHTS_AVAILABLE = True


def _metadata(cls: type[M], view: dict[str, Any]) -> M:
    """The modal's typed ``private_metadata``; travelling through the client, it may be unreadable."""
    try:
        return cls.decode(view.get("private_metadata"))
    except MetadataError as error:
        raise RetroError(str(error)) from None


def _admin_check(client: WebClient, team_id: str, user_id: str) -> Callable[[], bool]:
    """Asked only when the person is not the facilitator (a Slack read)."""
    return lambda: is_workspace_admin(client, team_id, user_id)


def register(app: App, services: Services) -> None:
    db = services.db
    secret = items.app_secret(services.settings.slack_signing_secret.get_secret_value())

    def team_of(context: BoltContext) -> str:
        return str(context.team_id)

    # ---------------------------------------------------------------- /retro

    router = CommandRouter("/retro", "Retros", default="new")

    @router.add("new", "", "set up a retro")
    def on_retro_new(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, **_: Any) -> None:
        ack()
        view = modals.build_setup_modal(
            timezone=_user_tz_or_utc(client, team_of(context), str(context.user_id)),
            channel_id=command.get("channel_id"),
            insights_available=INSIGHTS_AVAILABLE,
        )
        client.views_open(trigger_id=command["trigger_id"], view=view)

    @router.add("list", "list", "retros in this workspace")
    def on_retro_list(ack: Ack, context: BoltContext, **_: Any) -> None:
        with db.unit_of_work() as session:
            lines = series.list_series(session, team_of(context))
        ack(text=views.build_list_text(lines), response_type="ephemeral")

    @router.add("close", "close <title>", "close a retro now and post its results")
    def on_retro_close_command(ack: Ack, argument: str, client: WebClient, context: BoltContext, **_: Any) -> None:
        team_id, user_id = team_of(context), str(context.user_id)
        # Closing is quick, so the answer, either way, goes in the ack itself.
        with answering(ack) as answer, db.unit_of_work() as session:
            closed, _summary = runs.close_by_title(
                session, team_id=team_id, title=argument, user_id=user_id,
                is_admin=_admin_check(client, team_id, user_id), now=services.clock(),
            )  # fmt: skip
            title, where = plain(closed.title), channel_link(closed.channel_id)
        if answer.failed:
            return
        ack(text=f"Closed *{title}*. The results are in its thread in {where}.", response_type="ephemeral")

    @router.add("edit", "edit <title>", "change a retro: prompts, schedule, anonymity… (facilitator or admin)")
    def on_retro_edit_command(
        ack: Ack,
        argument: str,
        command: dict[str, Any],
        client: WebClient,
        context: BoltContext,
        respond: Respond,
        **_: Any,
    ) -> None:
        ack()
        team_id, user_id = team_of(context), str(context.user_id)
        with answering(respond) as answer, db.unit_of_work() as session:
            form = series.edit_form(
                session, team_id=team_id, user_id=user_id, is_admin=_admin_check(client, team_id, user_id),
                title=argument,
            )  # fmt: skip
        if answer.failed:
            return
        client.views_open(trigger_id=command["trigger_id"], view=_edit_view(client, team_id, user_id, form))

    def manage(action: str, run: Callable[..., ManageResult]) -> Callable[..., None]:
        def handler(
            ack: Ack, argument: str, client: WebClient, context: BoltContext, respond: Respond, **_: Any
        ) -> None:
            ack()
            team_id, user_id = team_of(context), str(context.user_id)
            with answering(respond) as answer, db.unit_of_work() as session:
                result = run(
                    session, team_id=team_id, title=argument, user_id=user_id,
                    is_admin=_admin_check(client, team_id, user_id), now=services.clock(),
                )  # fmt: skip
                text = views.describe_managed(action, result)
                facilitator = result.series.facilitator_id
            if answer.failed:
                return
            respond(text=text, response_type="ephemeral", replace_original=False)
            refresh_homes(services, team_id, user_id, facilitator)  # "coming up" and the Edit buttons

        return handler

    router.add("pause", "pause <title>", "no new runs until resumed (facilitator or admin)")(
        manage("pause", series.pause_series)
    )
    router.add("resume", "resume <title>", "run again from the next date (facilitator or admin)")(
        manage("resume", series.resume_series)
    )
    router.add("delete", "delete <title>", "stop future runs, keep the history (facilitator or admin)")(
        manage("delete", series.delete_series)
    )

    @app.command("/retro")
    def on_retro_command(
        ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        # Bolt injects listener arguments by name, so the router gets them passed explicitly.
        router(ack=ack, command=command, client=client, context=context, respond=respond)

    @app.view(Callback.SETUP)
    def on_retro_setup_submitted(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = team_of(context), str(context.user_id)
        with answering_submission(ack, view, fallback_block=Block.TITLE) as answer:
            try:
                series_id = forms.SeriesMetadata.decode(view.get("private_metadata")).series_id
            except MetadataError:
                raise RetroError("This form is out of date. Close it and try again.", block_id=Block.TITLE) from None
            setup = forms.parse_setup(view["state"]["values"])
            if goal_id := forms.SeriesMetadata.decode(view.get("private_metadata")).goal_id:
                setup = dataclasses.replace(setup, goal_id=goal_id)
            access = read_access(client, setup.channel_id)
            if problem := access_problem(access, external_ok=setup.external_ok):
                raise RetroError(problem, block_id=Block.CHANNEL)
            setup = dataclasses.replace(setup, channel_external=access.external)
            with db.unit_of_work() as session:
                if series_id:
                    result = series.update_series(
                        session, team_id=team_id, series_id=series_id, user_id=user_id,
                        is_admin=_admin_check(client, team_id, user_id), setup=setup, now=services.clock(),
                    )  # fmt: skip
                    title, text = "Retro saved", views.describe_update(result)
                else:
                    result = series.create_series(
                        session, team_id=team_id, facilitator_id=user_id, setup=setup, now=services.clock()
                    )
                    title, text = "Retro set up", views.describe_setup(
                        result.series.title, result.series.channel_id, result.opened is not None,
                        result.first_run_at, result.cadence_text,
                    )  # fmt: skip
                facilitator = result.series.facilitator_id
        if answer.failed:
            return
        ack(response_action="update", view=modals.build_notice_modal(title, text))
        refresh_homes(services, team_id, user_id, facilitator)

    # ---------------------------------------------------------------- a retro about a shared goal

    @app.action(GoalAction.OPEN_RETRO)
    def on_goal_open_retro_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        """ "Open a retro about it", posted in a closed goal's thread: the setup modal, pre-filled."""
        ack()
        team_id, user_id = team_of(context), str(context.user_id)
        with answering(respond) as answer, db.unit_of_work() as session:
            try:
                goal_id = int(body["actions"][0]["value"])
            except (KeyError, IndexError, TypeError, ValueError):
                raise RetroError("That button is out of date. Set the retro up with `/retro new`.") from None
            prefill = series.setup_about_goal(session, team_id=team_id, goal_id=goal_id)
        if answer.failed:
            return
        view = modals.build_setup_modal(
            timezone=_user_tz_or_utc(client, team_id, user_id),
            channel_id=prefill.channel_id,
            insights_available=INSIGHTS_AVAILABLE,
            prefill=prefill,
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    # ---------------------------------------------------------------- the retro message's buttons

    def retro_id_of(body: dict[str, Any]) -> int:
        return int(body["actions"][0]["value"])

    @app.action(Action.ADD_ITEM)
    def on_retro_add_item_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        with answering(respond) as answer, db.unit_of_work() as session:
            card = summary.retro_card(session, get_retro(session, team_of(context), retro_id_of(body)))
            if card.status is not RetroStatus.OPEN:
                raise RetroError("This retro has closed, so it no longer takes items.")
        if answer.failed:
            return
        view = modals.build_add_item_modal(
            retro_id=card.retro_id, title=card.title, prompts=card.prompts, anonymity=card.anonymity
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(Callback.ADD_ITEM)
    def on_retro_item_submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        with answering_submission(ack, view, fallback_block=Block.ITEM_TEXT) as answer:
            metadata = _metadata(forms.RetroMetadata, view)
            prompt_index, text, anonymous = forms.parse_item(view["state"]["values"])
            with db.unit_of_work() as session:
                items.add_item(
                    session, team_id=team_of(context), retro_id=metadata.retro_id, user_id=str(context.user_id),
                    prompt_index=prompt_index, text=text, anonymous=anonymous, now=services.clock(),
                )  # fmt: skip
        if not answer.failed:
            ack()

    @app.action(Action.VOTE)
    def on_retro_vote_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        with answering(respond) as answer, db.unit_of_work() as session:
            state = items.vote_state(
                session, team_id=team_of(context), retro_id=retro_id_of(body), user_id=str(context.user_id),
                app_secret=secret,
            )  # fmt: skip
        if answer.failed:
            return
        client.views_open(trigger_id=body["trigger_id"], view=modals.build_vote_modal(state))

    @app.action(Action.TOGGLE_VOTE)
    def on_retro_vote_toggled(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        current = body["view"]
        # The vote modal is the answer here: a refusal replaces its content (no field to put it on).
        try:
            metadata = _metadata(forms.RetroMetadata, current)
            with db.unit_of_work() as session:
                state = items.toggle_vote(
                    session, team_id=team_of(context), retro_id=metadata.retro_id,
                    item_id=int(body["actions"][0]["value"]), user_id=str(context.user_id), app_secret=secret,
                )  # fmt: skip
            new_view = modals.build_vote_modal(state)
        except RetroError as error:
            new_view = modals.build_vote_notice_modal(str(error))
        client.views_update(view_id=current["id"], hash=current.get("hash"), view=new_view)

    @app.action(Action.RATE)
    def on_retro_rate_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        with answering(respond) as answer, db.unit_of_work() as session:
            form = items.rating_form(
                session, team_id=team_of(context), retro_id=retro_id_of(body), user_id=str(context.user_id)
            )
        if answer.failed:
            return
        client.views_open(trigger_id=body["trigger_id"], view=modals.build_rating_modal(form))

    @app.view(Callback.RATE)
    def on_retro_rating_submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        with answering_submission(ack, view, fallback_block=Block.SIDE) as answer:
            metadata = _metadata(forms.RetroMetadata, view)
            side, scores, focus = forms.parse_rating(view["state"]["values"])
            with db.unit_of_work() as session:
                items.save_rating(
                    session, team_id=team_of(context), retro_id=metadata.retro_id, user_id=str(context.user_id),
                    side=side, scores=scores, focus=focus, app_secret=secret, now=services.clock(),
                )  # fmt: skip
        if not answer.failed:
            ack()

    @app.action(Action.CLOSE)
    def on_retro_close_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_of(context), str(context.user_id)
        with answering(respond), db.unit_of_work() as session:
            runs.close_retro_by_user(
                session, team_id=team_id, retro_id=retro_id_of(body), user_id=user_id,
                is_admin=_admin_check(client, team_id, user_id), now=services.clock(),
            )  # fmt: skip

    # ---------------------------------------------------------------- action items

    @app.action(Action.ADD_ACTION_ITEM)
    def on_retro_add_action_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_of(context), str(context.user_id)
        with answering(respond) as answer, db.unit_of_work() as session:
            form = actions.action_form(
                session, team_id=team_id, retro_id=retro_id_of(body), user_id=user_id,
                is_admin=_admin_check(client, team_id, user_id),
            )  # fmt: skip
        if answer.failed:
            return
        client.views_open(trigger_id=body["trigger_id"], view=modals.build_action_item_modal(form))

    @app.view(Callback.ACTION_ITEM)
    def on_retro_action_submitted(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = team_of(context), str(context.user_id)
        with answering_submission(ack, view, fallback_block=Block.ACTION_OWNER) as answer:
            metadata = _metadata(forms.RetroMetadata, view)
            item_id, text, owner_id, due_on = forms.parse_action_item(view["state"]["values"])
            owner_tz = _user_tz(client, team_id, owner_id)
            with db.unit_of_work() as session:
                actions.add_action_item(
                    session, team_id=team_id, retro_id=metadata.retro_id, user_id=user_id,
                    is_admin=_admin_check(client, team_id, user_id), text=text, owner_id=owner_id,
                    owner_tz=owner_tz, due_on=due_on, item_id=item_id, now=services.clock(),
                )  # fmt: skip
        if answer.failed:
            return
        ack()
        refresh_homes(services, team_id, owner_id)  # a new action item on the owner's Home

    @app.action(Action.ACTION_DONE)
    def on_retro_action_done(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_of(context), str(context.user_id)
        with answering(respond) as answer, db.unit_of_work() as session:
            action = actions.complete_action_item(
                session, team_id=team_id, action_id=int(body["actions"][0]["value"]), user_id=user_id,
                now=services.clock(), is_admin=_admin_check(client, team_id, user_id),
            )  # fmt: skip
        if answer.failed:
            return
        respond(replace_original=True, **views.build_action_dm(action, "done"))
        refresh_homes(services, team_id, user_id, action.owner_id)

    @app.action(Action.ACTION_RESCHEDULE)
    def on_retro_action_reschedule_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        with answering(respond) as answer, db.unit_of_work() as session:
            action = actions.action_view(session, team_of(context), int(body["actions"][0]["value"]))
        if answer.failed:
            return
        container = body.get("container") or {}
        metadata = forms.ActionMetadata(
            action_id=action.id,
            channel_id=str(container.get("channel_id") or ""),
            message_ts=str(container.get("message_ts") or ""),
        )
        client.views_open(trigger_id=body["trigger_id"], view=modals.build_reschedule_modal(action, metadata))

    @app.view(Callback.RESCHEDULE)
    def on_retro_action_rescheduled(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = team_of(context), str(context.user_id)
        with answering_submission(ack, view, fallback_block=Block.ACTION_DUE) as answer:
            metadata = _metadata(forms.ActionMetadata, view)
            due_on = forms.parse_due(view["state"]["values"])
            with db.unit_of_work() as session:
                action = actions.reschedule_action_item(
                    session, team_id=team_id, action_id=metadata.action_id, user_id=user_id, due_on=due_on,
                    now=services.clock(), is_admin=_admin_check(client, team_id, user_id),
                )  # fmt: skip
        if answer.failed:
            return
        ack()
        if metadata.channel_id and metadata.message_ts:
            client.chat_update(
                channel=metadata.channel_id, ts=metadata.message_ts, **views.build_action_dm(action, "assigned")
            )
        refresh_homes(services, team_id, action.owner_id)


def _user_tz(client: WebClient, team_id: str, user_id: str) -> str:
    if not user_id:
        return "UTC"
    try:
        return get_user(client, team_id, user_id).tz
    except UserNotFound:
        raise RetroError("I couldn't find that person. Pick someone else.", block_id=Block.ACTION_OWNER) from None


def _user_tz_or_utc(client: WebClient, team_id: str, user_id: str) -> str:
    try:
        return get_user(client, team_id, user_id).tz or "UTC"
    except UserNotFound:
        return "UTC"


def _edit_view(client: WebClient, team_id: str, user_id: str, form: SeriesForm) -> dict[str, Any]:
    return modals.build_setup_modal(
        timezone=_user_tz_or_utc(client, team_id, user_id),
        channel_id=None,
        insights_available=INSIGHTS_AVAILABLE,
        form=form,
    )


def open_edit_modal(
    services: Services, client: WebClient, *, trigger_id: str, team_id: str, user_id: str, series_id: int
) -> None:
    """The App Home's Edit button: the same modal as ``/retro edit``, for the series by id."""
    try:
        with services.db.unit_of_work() as session:
            form = series.edit_form(
                session, team_id=team_id, user_id=user_id, series_id=series_id,
                is_admin=_admin_check(client, team_id, user_id),
            )  # fmt: skip
        view = _edit_view(client, team_id, user_id, form)
    except RetroError as error:
        # Opened from the Home, which has no response_url: the answer is a modal of its own.
        view = modals.build_notice_modal("Retro", str(error), close="Close")
    client.views_open(trigger_id=trigger_id, view=view)
