"""Slack listeners for shared goals: ``/goal new | list | edit | pause | resume | close | delete |
help``, the goal menu of ``/goal list``, and the new/edit, close and delete modals.

Each parses (``forms``), calls one service in one unit of work and answers with a pure builder
(``modals``, ``replies``); a ``GoalError`` is answered once (``bot.slack.answers``): one ephemeral
line on a command or a click, next to its field on a modal. Submissions do their (short) work
before the ack, because the ack carries the answer: field errors, or the "saved" notice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlalchemy.exc import IntegrityError

from bot.goals import closing, forms, listeners_checkin, listeners_values, modals, replies, setup
from bot.goals.data import Errors, GoalError, problems
from bot.goals.directory import SlackDirectory
from bot.goals.ids import Action, Block, Callback
from bot.goals.lookups import goal_view, goals_of
from bot.goals.models import Goal
from bot.services import Services
from bot.slack.answers import answering, answering_submission, errors_on_inputs
from bot.slack.channel_access import access_problem, read_access
from bot.slack.channels import is_channel_id
from bot.slack.commands import CommandRouter
from bot.slack.forms import state_of
from bot.slack.metadata import MetadataError
from bot.slack.payloads import team_id_of, user_id_of
from bot.slack.users import known_zone

COMMAND = "/goal"
OUT_OF_DATE = "This form is out of date. Close it and try again."
UNKNOWN_CHOICE = "That menu is out of date. Run `/goal list` again."


def _zone(directory: SlackDirectory, user_id: str) -> str:
    """The person's Slack zone (users.info), or UTC when Slack gives none we know."""
    return known_zone(directory.get_user(user_id))


def _only_present(errors: Errors, view: dict[str, Any]) -> Errors:
    return errors_on_inputs(errors, view, Block.TITLE)


def register(app: App, services: Services) -> None:
    listeners_checkin.register(app, services)  # the Update button and the check-in modal
    listeners_values.register(app, services)  # the values modal: push token, pull source
    db = services.db
    router = CommandRouter(COMMAND, "Shared goals", default="new")

    def today_in(zone: str) -> date:
        return services.clock().astimezone(ZoneInfo(zone)).date()

    # ------------------------------------------------------------------ what a command or the menu does

    def open_edit(client: WebClient, trigger_id: str, team_id: str, user_id: str, goal_id: int) -> None:
        directory = SlackDirectory(client, team_id)
        with db.unit_of_work() as session:
            data = setup.edit_form(session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id)
        # The channel stays the goal's, and with it the Slack Connect confirmation given at creation.
        view = modals.build_goal_modal(data, goal_id=goal_id)
        client.views_open(trigger_id=trigger_id, view=view)

    def pause_or_resume(paused: bool) -> Callable[..., None]:
        def act(client: WebClient, trigger_id: str, team_id: str, user_id: str, goal_id: int, respond: Respond) -> None:
            directory = SlackDirectory(client, team_id)
            zone = _zone(directory, user_id)
            with db.unit_of_work() as session:
                goal = setup.set_paused(
                    session, team_id=team_id, goal_id=goal_id, user_id=user_id, paused=paused,
                    now=services.clock(), directory=directory, fallback_tz=zone,
                )  # fmt: skip
                shown = goal_view(session, goal)
            text = replies.paused_text(shown) if paused else replies.resumed_text(shown)
            respond(text=text, response_type="ephemeral", replace_original=False)

        return act

    def open_close(client: WebClient, trigger_id: str, team_id: str, user_id: str, goal_id: int) -> None:
        directory = SlackDirectory(client, team_id)
        with db.unit_of_work() as session:
            shown = closing.closing_view(session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id)
        client.views_open(trigger_id=trigger_id, view=modals.build_close_modal(shown))

    def open_delete(client: WebClient, trigger_id: str, team_id: str, user_id: str, goal_id: int) -> None:
        directory = SlackDirectory(client, team_id)
        with db.unit_of_work() as session:
            goal = setup.managed_goal(
                session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id, action="delete"
            )
            shown = goal_view(session, goal)
        client.views_open(trigger_id=trigger_id, view=modals.build_delete_modal(shown))

    def with_modal(opener: Callable[[WebClient, str, str, str, int], None]) -> Callable[..., None]:
        def act(client: WebClient, trigger_id: str, team_id: str, user_id: str, goal_id: int, respond: Respond) -> None:
            opener(client, trigger_id, team_id, user_id, goal_id)

        return act

    def open_values(client: WebClient, trigger_id: str, team_id: str, user_id: str, goal_id: int) -> None:
        listeners_values.open_values(
            client, services, trigger_id=trigger_id, team_id=team_id, user_id=user_id, goal_id=goal_id
        )

    acts: dict[str, Callable[..., None]] = {
        "edit": with_modal(open_edit),
        "values": with_modal(open_values),
        "pause": pause_or_resume(True),
        "resume": pause_or_resume(False),
        "close": with_modal(open_close),
        "delete": with_modal(open_delete),
    }

    # ------------------------------------------------------------------ /goal

    @router.add("new", "new", "set up a shared goal (the bare command does too)")
    def on_goal_new(ack: Ack, command: dict[str, Any], client: WebClient, **_: Any) -> None:
        ack()
        zone = _zone(SlackDirectory(client, command["team_id"]), command["user_id"])
        here = str(command.get("channel_id") or "")
        view = modals.build_goal_modal(None, channel_id=here if is_channel_id(here) else None, today=today_in(zone))
        client.views_open(trigger_id=command["trigger_id"], view=view)

    @router.add("list", "list", "the workspace's open goals, each with its menu")
    def on_goal_list(ack: Ack, command: dict[str, Any], **_: Any) -> None:
        with db.unit_of_work() as session:
            shown = [goal_view(session, goal) for goal in goals_of(session, command["team_id"])]
        ack(response_type="ephemeral", **replies.build_list_message(shown))

    def managing(verb: str, summary: str) -> None:
        def handler(
            ack: Ack, command: dict[str, Any], argument: str, client: WebClient, respond: Respond, **_: Any
        ) -> None:
            ack()
            with answering(respond):
                goal_id = forms.parse_goal_id(argument, verb)
                acts[verb](client, command["trigger_id"], command["team_id"], command["user_id"], goal_id, respond)

        # Escaped per Slack's mrkdwn rules: a bare "<number>" reads as a link token.
        router.add(verb, f"{verb} &lt;number&gt;", summary)(handler)

    managing("edit", "change a goal, its owners or its check-ins (owners, its creator, admins)")
    managing("pause", "stop a goal's check-ins for now")
    managing("resume", "start its check-ins again")
    managing("close", "close a goal with its outcome and what you learned")
    managing("delete", "delete a goal and its history")
    managing("values", "where its number comes from: a push address and token, a pull source")

    @router.add("help", "help", "this message")
    def on_goal_help(ack: Ack, **_: Any) -> None:
        ack(response_type="ephemeral", text=replies.help_text(router.usage_text()))

    @app.command(COMMAND)
    def on_goal_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        router(ack=ack, command=command, client=client, respond=respond)

    @app.action(Action.GOAL_MENU)
    def on_goal_menu_chosen(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        choice = forms.parse_menu_choice((action.get("selected_option") or {}).get("value"))
        with answering(respond):
            if choice is None or choice[0] not in acts:
                raise GoalError(UNKNOWN_CHOICE)
            verb, goal_id = choice
            acts[verb](client, body["trigger_id"], team_id_of(body), user_id_of(body), goal_id, respond)

    # ------------------------------------------------------------------ the modals

    def on_goal_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        directory = SlackDirectory(client, team_id)
        with answering_submission(ack, view, fallback_block=Block.TITLE) as answer:
            try:
                meta = forms.GoalMetadata.decode(view.get("private_metadata"))
            except MetadataError:
                raise GoalError(OUT_OF_DATE, block_id=Block.TITLE) from None
            form, errors = forms.parse_goal(state_of(view), channel_id=meta.channel_id)
            zone = _zone(directory, user_id)
            today = today_in(zone)
            if not errors:
                errors = problems(form.data, today=today, editing=bool(meta.goal_id))
            external = False
            if not errors and not meta.goal_id:
                access = read_access(client, form.data.channel_id)
                if problem := access_problem(access, external_ok=form.external_ok):
                    errors[Block.CHANNEL] = problem
                external = access.external and form.external_ok
            if errors:
                ack(response_action="errors", errors=_only_present(errors, view))
                return

            def save() -> str:
                with db.unit_of_work() as session:
                    goal: Goal
                    if meta.goal_id:
                        goal = setup.update_goal(
                            session, team_id=team_id, goal_id=meta.goal_id, data=form.data, user_id=user_id,
                            today=today, now=services.clock(), directory=directory, fallback_tz=zone,
                        )  # fmt: skip
                    else:
                        goal = setup.create_goal(
                            session, team_id=team_id, data=form.data, created_by=user_id, today=today,
                            now=services.clock(), directory=directory, creator_tz=zone, view_id=str(view.get("id")),
                            external_confirmed=external,
                        )  # fmt: skip
                    return replies.saved_text(goal_view(session, goal), created=not meta.goal_id)

            try:
                text = save()
            except IntegrityError:  # the same modal submitted twice at once: the other request saved it
                text = save()
        if answer.failed:
            return
        ack(response_action="update", view=modals.build_notice_modal("Goal saved", text))

    app.view(Callback.CREATE.value)(on_goal_submitted)
    app.view(Callback.EDIT.value)(on_goal_submitted)

    @app.view(Callback.CLOSE.value)
    def on_goal_close_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        close, errors = forms.parse_close(state_of(view))
        if errors or close.outcome is None:
            ack(response_action="errors", errors=errors)
            return
        with answering_submission(ack, view, fallback_block=Block.OUTCOME) as answer:
            try:
                goal_id = forms.GoalRef.decode(view.get("private_metadata")).goal_id
            except MetadataError:
                raise GoalError(OUT_OF_DATE, block_id=Block.OUTCOME) from None
            with db.unit_of_work() as session:
                goal = closing.close_goal(
                    session, team_id=team_id, goal_id=goal_id, user_id=user_id, outcome=close.outcome,
                    learning=close.learning, now=services.clock(), directory=SlackDirectory(client, team_id),
                )  # fmt: skip
                text = replies.closed_text(goal_view(session, goal))
        if answer.failed:
            return
        ack(response_action="update", view=modals.build_notice_modal("Goal closed", text))

    @app.view(Callback.DELETE.value)
    def on_goal_delete_confirmed(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            goal_id = forms.GoalRef.decode(view.get("private_metadata")).goal_id
            with db.unit_of_work() as session:
                title = setup.delete_goal(
                    session, team_id=team_id, goal_id=goal_id, user_id=user_id, now=services.clock(),
                    directory=SlackDirectory(client, team_id),
                )  # fmt: skip
        except MetadataError:
            ack(response_action="update", view=modals.build_notice_modal("Delete goal", OUT_OF_DATE))
            return
        except GoalError as error:  # the confirmation has no input to hang it on: say it in its place
            ack(response_action="update", view=modals.build_notice_modal("Delete goal", str(error)))
            return
        ack(response_action="update", view=modals.build_notice_modal("Goal deleted", replies.deleted_text(title)))
