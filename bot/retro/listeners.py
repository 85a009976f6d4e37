"""Slack listeners for retros: parse, ack, one service call, render with a pure view builder.

Nothing here logs a user id next to an item, vote or rating: anonymity holds in the logs too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.home.publish import refresh_homes
from bot.retro import service, views
from bot.retro.ids import RetroAction, RetroBlock, RetroCallback, RetroStatus
from bot.retro.service import InputError, RetroError
from bot.services import Services
from bot.slack.blocks import modal, section
from bot.slack.channels import channel_choice_problem, is_external
from bot.slack.commands import CommandRouter
from bot.slack.metadata import MetadataError
from bot.slack.text import channel_link, plain
from bot.slack.users import UserNotFound, get_user, is_workspace_admin

T = TypeVar("T")

NOT_IN_CHANNEL = (
    "I'm not in {channel} yet, so I can't post the retro there. "
    "Type `/invite @Tandem` in that channel, then submit again."
)


def _insights_available() -> bool:
    try:
        from bot.insights.models import Insight  # noqa: F401
    except ImportError:
        return False
    return True


def register(app: App, services: Services) -> None:
    db = services.db
    secret = service.app_secret(services.settings.slack_signing_secret.get_secret_value())

    def admin_check(client: WebClient, team_id: str, user_id: str) -> Callable[[], bool]:
        return lambda: is_workspace_admin(client, team_id, user_id)

    def tell(respond: Respond, text: str) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    def team_of(context: BoltContext) -> str:
        return str(context.team_id)

    # ---------------------------------------------------------------- /retro

    router = CommandRouter("/retro", "Retros", default="new")

    @router.add("new", "", "set up a retro")
    def on_retro_new(ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, **_: Any) -> None:
        ack()
        view = views.build_setup_modal(
            timezone=_user_tz_or_utc(client, team_of(context), str(context.user_id)),
            channel_id=command.get("channel_id"),
            insights_available=_insights_available(),
        )
        client.views_open(trigger_id=command["trigger_id"], view=view)

    @router.add("list", "list", "retros in this workspace")
    def on_retro_list(ack: Ack, context: BoltContext, **_: Any) -> None:
        with db.unit_of_work() as session:
            lines = service.list_series(session, team_of(context))
        ack(text=views.build_list_text(lines), response_type="ephemeral")

    @router.add("close", "close <title>", "close a retro now and post its results")
    def on_retro_close_command(ack: Ack, argument: str, client: WebClient, context: BoltContext, **_: Any) -> None:
        team_id, user_id = team_of(context), str(context.user_id)
        try:
            with db.unit_of_work() as session:
                series, _summary = service.close_by_title(
                    session,
                    team_id=team_id,
                    title=argument,
                    user_id=user_id,
                    is_admin=admin_check(client, team_id, user_id),
                    now=services.clock(),
                )
                where = channel_link(series.channel_id)
                text = f"Closed *{plain(series.title)}*. The results are in its thread in {where}."
        except RetroError as error:
            text = str(error)
        ack(text=text, response_type="ephemeral")

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
        try:
            with db.unit_of_work() as session:
                form = service.edit_form(
                    session, team_id=team_id, user_id=user_id, is_admin=admin_check(client, team_id, user_id),
                    title=argument,
                )  # fmt: skip
        except RetroError as error:
            tell(respond, str(error))
            return
        client.views_open(trigger_id=command["trigger_id"], view=_edit_view(client, team_id, user_id, form))

    def manage(action: str, run: Callable[..., service.ManageResult]) -> Callable[..., None]:
        def handler(
            ack: Ack, argument: str, client: WebClient, context: BoltContext, respond: Respond, **_: Any
        ) -> None:
            ack()
            team_id, user_id = team_of(context), str(context.user_id)
            try:
                with db.unit_of_work() as session:
                    result = run(
                        session, team_id=team_id, title=argument, user_id=user_id,
                        is_admin=admin_check(client, team_id, user_id), now=services.clock(),
                    )  # fmt: skip
                    text = views.describe_managed(action, result)
                    facilitator = result.series.facilitator_id
            except RetroError as error:
                tell(respond, str(error))
                return
            tell(respond, text)
            refresh_homes(services, team_id, user_id, facilitator)  # "coming up" and the Edit buttons

        return handler

    router.add("pause", "pause <title>", "no new runs until resumed (facilitator or admin)")(
        manage("pause", service.pause_series)
    )
    router.add("resume", "resume <title>", "run again from the next date (facilitator or admin)")(
        manage("resume", service.resume_series)
    )
    router.add("delete", "delete <title>", "stop future runs, keep the history (facilitator or admin)")(
        manage("delete", service.delete_series)
    )

    @app.command("/retro")
    def on_retro_command(
        ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        # Bolt injects listener arguments by name, so the router gets them passed explicitly.
        router(ack=ack, command=command, client=client, context=context, respond=respond)

    @app.view(RetroCallback.SETUP)
    def on_retro_setup_submitted(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = team_of(context), str(context.user_id)
        try:
            series_id = views.SeriesMetadata.decode(view.get("private_metadata")).series_id
        except MetadataError:
            ack(
                response_action="errors", errors={RetroBlock.TITLE: "This form is out of date. Close it and try again."}
            )
            return
        try:
            setup = views.parse_setup(view["state"]["values"])
            member, external = _channel_state(client, setup.channel_id)
            if not member:
                raise InputError(RetroBlock.CHANNEL, NOT_IN_CHANNEL.format(channel=channel_link(setup.channel_id)))
            if problem := channel_choice_problem(external=external, ticked=setup.external_ok):
                raise InputError(RetroBlock.CHANNEL, problem)
            setup = dataclasses.replace(setup, channel_external=external)
            with db.unit_of_work() as session:
                if series_id:
                    result = service.update_series(
                        session, team_id=team_id, series_id=series_id, user_id=user_id,
                        is_admin=admin_check(client, team_id, user_id), setup=setup, now=services.clock(),
                    )  # fmt: skip
                    title, text = "Retro saved", views.describe_update(result)
                else:
                    result = service.create_series(
                        session, team_id=team_id, facilitator_id=user_id, setup=setup, now=services.clock()
                    )
                    title = "Retro set up"
                    text = views.describe_setup(
                        result.series.title,
                        result.series.channel_id,
                        result.opened is not None,
                        result.first_run_at,
                        result.cadence_text,
                    )
                facilitator = result.series.facilitator_id
        except InputError as error:
            ack(response_action="errors", errors={error.block_id: str(error)})
            return
        except RetroError as error:  # deleted meanwhile, or no longer allowed
            ack(response_action="errors", errors={RetroBlock.TITLE: str(error)})
            return
        done = modal(title, [section(text)], callback_id="retro_done", submit=None, close="Done")
        ack(response_action="update", view=done)
        refresh_homes(services, team_id, user_id, facilitator)

    # ---------------------------------------------------------------- the retro message's buttons

    def retro_id_of(body: dict[str, Any]) -> int:
        return int(body["actions"][0]["value"])

    @app.action(RetroAction.ADD_ITEM)
    def on_retro_add_item_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        try:
            with db.unit_of_work() as session:
                card = service.retro_card(session, service.get_retro(session, team_of(context), retro_id_of(body)))
                if card.status is not RetroStatus.OPEN:
                    raise RetroError("This retro has closed, so it no longer takes items.")
        except RetroError as error:
            tell(respond, str(error))
            return
        view = views.build_add_item_modal(
            retro_id=card.retro_id, title=card.title, prompts=card.prompts, anonymity=card.anonymity
        )
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(RetroCallback.ADD_ITEM)
    def on_retro_item_submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        def add_item() -> None:
            metadata = views.RetroMetadata.decode(view.get("private_metadata"))
            prompt_index, text, anonymous = views.parse_item(view["state"]["values"])
            with db.unit_of_work() as session:
                service.add_item(
                    session,
                    team_id=team_of(context),
                    retro_id=metadata.retro_id,
                    user_id=str(context.user_id),
                    prompt_index=prompt_index,
                    text=text,
                    anonymous=anonymous,
                    now=services.clock(),
                )

        answer_submission(ack, RetroBlock.ITEM_TEXT, add_item)

    @app.action(RetroAction.VOTE)
    def on_retro_vote_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        try:
            with db.unit_of_work() as session:
                state = service.vote_state(
                    session,
                    team_id=team_of(context),
                    retro_id=retro_id_of(body),
                    user_id=str(context.user_id),
                    app_secret=secret,
                )
        except RetroError as error:
            tell(respond, str(error))
            return
        client.views_open(trigger_id=body["trigger_id"], view=views.build_vote_modal(state))

    @app.action(RetroAction.TOGGLE_VOTE)
    def on_retro_vote_toggled(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        ack()
        current = body["view"]
        try:
            metadata = views.RetroMetadata.decode(current.get("private_metadata"))
            with db.unit_of_work() as session:
                state = service.toggle_vote(
                    session,
                    team_id=team_of(context),
                    retro_id=metadata.retro_id,
                    item_id=int(body["actions"][0]["value"]),
                    user_id=str(context.user_id),
                    app_secret=secret,
                )
            new_view = views.build_vote_modal(state)
        except (RetroError, MetadataError) as error:
            new_view = modal("Vote", [section(str(error))], callback_id=RetroCallback.VOTE, submit=None, close="Done")
        client.views_update(view_id=current["id"], hash=current.get("hash"), view=new_view)

    @app.action(RetroAction.RATE)
    def on_retro_rate_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        try:
            with db.unit_of_work() as session:
                form = service.rating_form(
                    session, team_id=team_of(context), retro_id=retro_id_of(body), user_id=str(context.user_id)
                )
        except RetroError as error:
            tell(respond, str(error))
            return
        client.views_open(trigger_id=body["trigger_id"], view=views.build_rating_modal(form))

    @app.view(RetroCallback.RATE)
    def on_retro_rating_submitted(ack: Ack, view: dict[str, Any], context: BoltContext) -> None:
        def save_rating() -> None:
            metadata = views.RetroMetadata.decode(view.get("private_metadata"))
            side, scores, focus = views.parse_rating(view["state"]["values"])
            with db.unit_of_work() as session:
                service.save_rating(
                    session,
                    team_id=team_of(context),
                    retro_id=metadata.retro_id,
                    user_id=str(context.user_id),
                    side=side,
                    scores=scores,
                    focus=focus,
                    app_secret=secret,
                    now=services.clock(),
                )

        answer_submission(ack, RetroBlock.SIDE, save_rating)

    @app.action(RetroAction.CLOSE)
    def on_retro_close_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_of(context), str(context.user_id)
        try:
            with db.unit_of_work() as session:
                service.close_retro_by_user(
                    session,
                    team_id=team_id,
                    retro_id=retro_id_of(body),
                    user_id=user_id,
                    is_admin=admin_check(client, team_id, user_id),
                    now=services.clock(),
                )
        except RetroError as error:
            tell(respond, str(error))

    # ---------------------------------------------------------------- action items

    @app.action(RetroAction.ADD_ACTION_ITEM)
    def on_retro_add_action_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_of(context), str(context.user_id)
        try:
            with db.unit_of_work() as session:
                form = service.action_form(
                    session,
                    team_id=team_id,
                    retro_id=retro_id_of(body),
                    user_id=user_id,
                    is_admin=admin_check(client, team_id, user_id),
                )
        except RetroError as error:
            tell(respond, str(error))
            return
        client.views_open(trigger_id=body["trigger_id"], view=views.build_action_item_modal(form))

    @app.view(RetroCallback.ACTION_ITEM)
    def on_retro_action_submitted(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = team_of(context), str(context.user_id)

        def add_action_item() -> str:
            metadata = views.RetroMetadata.decode(view.get("private_metadata"))
            item_id, text, owner_id, due_on = views.parse_action_item(view["state"]["values"])
            owner_tz = _user_tz(client, team_id, owner_id)
            with db.unit_of_work() as session:
                service.add_action_item(
                    session,
                    team_id=team_id,
                    retro_id=metadata.retro_id,
                    user_id=user_id,
                    is_admin=admin_check(client, team_id, user_id),
                    text=text,
                    owner_id=owner_id,
                    owner_tz=owner_tz,
                    due_on=due_on,
                    item_id=item_id,
                    now=services.clock(),
                )
            return owner_id

        saved, owner_id = answer_submission(ack, RetroBlock.ACTION_OWNER, add_action_item)
        if saved:
            refresh_homes(services, team_id, owner_id)  # a new action item on the owner's Home

    @app.action(RetroAction.ACTION_DONE)
    def on_retro_action_done(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_of(context), str(context.user_id)
        try:
            with db.unit_of_work() as session:
                action = service.complete_action_item(
                    session,
                    team_id=team_id,
                    action_id=int(body["actions"][0]["value"]),
                    user_id=user_id,
                    now=services.clock(),
                    is_admin=admin_check(client, team_id, user_id),
                )
        except RetroError as error:
            tell(respond, str(error))
            return
        respond(replace_original=True, **views.build_action_dm(action, "done"))
        refresh_homes(services, team_id, user_id, action.owner_id)

    @app.action(RetroAction.ACTION_RESCHEDULE)
    def on_retro_action_reschedule_clicked(
        ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, respond: Respond
    ) -> None:
        ack()
        try:
            with db.unit_of_work() as session:
                action = service.action_view(session, team_of(context), int(body["actions"][0]["value"]))
        except RetroError as error:
            tell(respond, str(error))
            return
        container = body.get("container") or {}
        metadata = views.ActionMetadata(
            action_id=action.id,
            channel_id=str(container.get("channel_id") or ""),
            message_ts=str(container.get("message_ts") or ""),
        )
        client.views_open(trigger_id=body["trigger_id"], view=views.build_reschedule_modal(action, metadata))

    @app.view(RetroCallback.RESCHEDULE)
    def on_retro_action_rescheduled(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        team_id, user_id = team_of(context), str(context.user_id)

        def reschedule() -> tuple[views.ActionMetadata, service.ActionView]:
            metadata = views.ActionMetadata.decode(view.get("private_metadata"))
            with db.unit_of_work() as session:
                action = service.reschedule_action_item(
                    session,
                    team_id=team_id,
                    action_id=metadata.action_id,
                    user_id=user_id,
                    due_on=views.parse_due(view["state"]["values"]),
                    now=services.clock(),
                    is_admin=admin_check(client, team_id, user_id),
                )
            return metadata, action

        saved, result = answer_submission(ack, RetroBlock.ACTION_DUE, reschedule)
        if not saved or result is None:
            return
        metadata, action = result
        if metadata.channel_id and metadata.message_ts:
            client.chat_update(
                channel=metadata.channel_id, ts=metadata.message_ts, **views.build_action_dm(action, "assigned")
            )
        refresh_homes(services, team_id, action.owner_id)


def answer_submission(ack: Ack, fallback_block: str, work: Callable[[], T]) -> tuple[bool, T | None]:
    """Run a modal submission's work and answer it: bad input comes back as an error on its field
    (the modal stays open with everything typed), any other refusal on ``fallback_block``."""
    try:
        result = work()
    except InputError as error:
        ack(response_action="errors", errors={error.block_id: str(error)})
        return False, None
    except (RetroError, MetadataError) as error:
        ack(response_action="errors", errors={fallback_block: str(error)})
        return False, None
    ack()
    return True, result


def _channel_state(client: WebClient, channel_id: str) -> tuple[bool, bool]:
    """(the bot is a member, the channel is shared with another organisation)."""
    try:
        response = client.conversations_info(channel=channel_id)
    except SlackApiError as error:
        if error.response.get("error") in ("channel_not_found", "not_in_channel"):
            return False, False
        raise
    channel = response.get("channel") or {}
    # DMs and group DMs have no is_member; the bot can post only where it is a member.
    return bool(channel.get("is_member")), is_external(channel)


def _user_tz(client: WebClient, team_id: str, user_id: str) -> str:
    if not user_id:
        return "UTC"
    try:
        return get_user(client, team_id, user_id).tz
    except UserNotFound:
        raise InputError(RetroBlock.ACTION_OWNER, "I couldn't find that person. Pick someone else.") from None


def _user_tz_or_utc(client: WebClient, team_id: str, user_id: str) -> str:
    try:
        return get_user(client, team_id, user_id).tz or "UTC"
    except UserNotFound:
        return "UTC"


def _edit_view(client: WebClient, team_id: str, user_id: str, form: service.SeriesForm) -> dict[str, Any]:
    return views.build_setup_modal(
        timezone=_user_tz_or_utc(client, team_id, user_id),
        channel_id=None,
        insights_available=_insights_available(),
        form=form,
    )


def open_edit_modal(
    services: Services, client: WebClient, *, trigger_id: str, team_id: str, user_id: str, series_id: int
) -> None:
    """The App Home's Edit button: the same modal as ``/retro edit``, for the series by id."""
    try:
        with services.db.unit_of_work() as session:
            form = service.edit_form(
                session, team_id=team_id, user_id=user_id, series_id=series_id,
                is_admin=lambda: is_workspace_admin(client, team_id, user_id),
            )  # fmt: skip
        view = _edit_view(client, team_id, user_id, form)
    except RetroError as error:
        view = modal("Retro", [section(str(error))], callback_id="retro_done", submit=None, close="Close")
    client.views_open(trigger_id=trigger_id, view=view)
