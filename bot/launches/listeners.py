"""Slack listeners for launches: ``/launch new | list | edit | cancel | help``, the launch modal
(its kind select rebuilds it; "Add a new goal" pushes the /goal new form on top), and the cancel
confirmation.

Each parses (``forms``), calls one service in one unit of work and answers with a pure builder
(``modals``, ``replies``); a ``LaunchError`` is answered once (``bot.slack.answers``): one
ephemeral line on a command, next to its field on a modal. Submissions do their (short) work
before the ack, because the ack carries the answer: field errors, or the "saved" notice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError

from bot.goals import forms as goal_forms
from bot.goals import setup as goal_setup
from bot.goals.data import problems as goal_problems
from bot.goals.directory import SlackDirectory
from bot.goals.ids import Block as GoalBlock
from bot.launches import forms, listeners_checklist, listeners_dates, modals, plan, replies
from bot.launches.data import Errors, LaunchError, LaunchInput
from bot.launches.forms import Draft, LaunchMetadata
from bot.launches.ids import Action, Block, Callback, LaunchKind
from bot.launches.lookups import launch_view, require_launch
from bot.launches.models import Launch
from bot.services import Services
from bot.slack.answers import answering, answering_submission, errors_on_inputs
from bot.slack.channel_access import access_problem, read_access
from bot.slack.channels import is_channel_id
from bot.slack.commands import CommandRouter
from bot.slack.forms import state_of
from bot.slack.metadata import MetadataError
from bot.slack.payloads import team_id_of, user_id_of
from bot.slack.users import known_zone

COMMAND = "/launch"
OUT_OF_DATE = "This form is out of date. Close it and try again."


def _zone(directory: SlackDirectory, user_id: str) -> str:
    """The person's Slack zone (users.info), or UTC when Slack gives none we know."""
    return known_zone(directory.get_user(user_id))


def _only_present(errors: Errors, view: dict[str, Any]) -> Errors:
    return errors_on_inputs(errors, view, Block.NAME)


def _kind_in(meta: LaunchMetadata) -> LaunchKind | None:
    """The edit modal has no kind select: the launch's kind travels in its metadata."""
    return LaunchKind(meta.kind) if meta.launch_id and meta.kind in {k.value for k in LaunchKind} else None


def register(app: App, services: Services) -> None:
    db = services.db
    listeners_checklist.register(app, services)  # the checklist's buttons, DMs and modals
    listeners_dates.register(app, services)  # go/no-go, the move modal and its buttons
    router = CommandRouter(COMMAND, "Launches", default="new")

    def today_in(zone: str) -> date:
        return services.clock().astimezone(ZoneInfo(zone)).date()

    def launch_modal(team_id: str, draft: Draft, meta: LaunchMetadata, linked: tuple[int, ...] = ()) -> dict[str, Any]:
        with db.unit_of_work() as session:
            choices = plan.goal_choices(session, team_id)
            offered = {goal_id for goal_id, _ in choices}
            choices += plan.picked_goals(session, team_id, [g for g in linked if g not in offered])
            new_goals = plan.picked_goals(session, team_id, meta.new_goal_ids)
        return modals.build_launch_modal(draft, meta, goals=choices, new_goals=new_goals)

    # ------------------------------------------------------------------ /launch

    @router.add("new", "new", "plan a launch with a lead from each team (the bare command does too)")
    def on_launch_new(ack: Ack, command: dict[str, Any], client: WebClient, **_: Any) -> None:
        ack()
        here = str(command.get("channel_id") or "")
        draft = Draft(channel_id=here if is_channel_id(here) else "")
        view = launch_modal(command["team_id"], draft, LaunchMetadata())
        client.views_open(trigger_id=command["trigger_id"], view=view)

    @router.add("list", "list", "the workspace's launches: dates, leads, readiness, their messages")
    def on_launch_list(ack: Ack, command: dict[str, Any], client: WebClient, **_: Any) -> None:
        # The ack carries the list; "today" is the workspace clock's UTC date (the list's countdowns).
        with db.unit_of_work() as session:
            shown = plan.listed_launches(session, command["team_id"])
        ack(response_type="ephemeral", **replies.build_list_message(shown, services.clock().date()))

    @router.add("edit", "edit &lt;number&gt;", "change a launch's name, leads, phases' names or success metrics")
    def on_launch_edit(
        ack: Ack, command: dict[str, Any], argument: str, client: WebClient, respond: Respond, **_: Any
    ) -> None:
        ack()
        team_id, user_id = command["team_id"], command["user_id"]
        with answering(respond):
            launch_id = forms.parse_launch_id(argument, "edit")
            with db.unit_of_work() as session:
                data = plan.edit_form(
                    session, SlackDirectory(client, team_id), team_id=team_id, launch_id=launch_id, user_id=user_id
                )
            view = launch_modal(team_id, forms.draft_of(data), forms.edit_metadata(launch_id, data), data.goal_ids)
            client.views_open(trigger_id=command["trigger_id"], view=view)

    @router.add("cancel", "cancel &lt;number&gt;", "cancel a launch: its reminders stop, the leads are told")
    def on_launch_cancel(
        ack: Ack, command: dict[str, Any], argument: str, client: WebClient, respond: Respond, **_: Any
    ) -> None:
        ack()
        team_id, user_id = command["team_id"], command["user_id"]
        with answering(respond):
            launch_id = forms.parse_launch_id(argument, "cancel")
            with db.unit_of_work() as session:
                launch = plan.managed_launch(
                    session, SlackDirectory(client, team_id), team_id=team_id, launch_id=launch_id, user_id=user_id,
                    action="cancel",
                )  # fmt: skip
                shown = launch_view(session, launch, with_goals=False)
            client.views_open(trigger_id=command["trigger_id"], view=modals.build_cancel_modal(shown))

    router.add("move", "move &lt;number&gt;", "move the launch date or a phase's; the plan moves with it")(
        listeners_dates.move_subcommand(services)
    )

    @router.add("help", "help", "this message")
    def on_launch_help(ack: Ack, **_: Any) -> None:
        ack(response_type="ephemeral", text=replies.help_text(router.usage_text()))

    @app.command(COMMAND)
    def on_launch_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        router(ack=ack, command=command, client=client, respond=respond)

    # ------------------------------------------------------------------ inside the launch modal

    @app.action(Action.KIND)
    def on_launch_kind_chosen(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """A staggered launch shows phase rows, the others one date: the modal rebuilt from what it holds."""
        ack()
        view = body.get("view") or {}
        try:
            meta = LaunchMetadata.decode(view.get("private_metadata"))
        except MetadataError:
            return
        draft, _ = forms.read_draft(state_of(view), kind=_kind_in(meta))
        meta = meta.model_copy(update={"kind": draft.kind.value})  # what the modal shows, for its rebuilds
        rebuilt = launch_modal(team_id_of(body), draft, meta, draft.goal_ids)
        try:
            client.views_update(view_id=view["id"], hash=view.get("hash"), view=rebuilt)
        except SlackApiError as error:
            if error.response.get("error") != "hash_conflict":  # a newer change won: it shows its own state
                raise

    @app.action(Action.NEW_GOAL)
    def on_launch_new_goal(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The /goal new form on top of the launch modal (its channel: the launch's, if picked)."""
        ack()
        view = body.get("view") or {}
        try:
            meta = LaunchMetadata.decode(view.get("private_metadata"))
        except MetadataError:
            return
        state = state_of(view)
        draft, _ = forms.read_draft(state, kind=_kind_in(meta))
        zone = _zone(SlackDirectory(client, team_id_of(body)), user_id_of(body))
        kind = LaunchKind(meta.kind) if meta.kind in {k.value for k in LaunchKind} else draft.kind
        pushed = modals.build_new_goal_modal(
            str(view["id"]), meta, kind, channel_id=meta.channel_id or draft.channel_id or None,
            today=today_in(zone), typed=replace(draft, kind=kind) if state else None,
        )  # fmt: skip
        client.views_push(trigger_id=body["trigger_id"], view=pushed)

    @app.view(Callback.NEW_GOAL.value)
    def on_launch_goal_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        """Save the goal as /goal new does, then show it picked in the launch modal underneath."""
        team_id, user_id = team_id_of(body), user_id_of(body)
        directory = SlackDirectory(client, team_id)
        with answering_submission(ack, view, fallback_block=GoalBlock.TITLE) as answer:
            try:
                meta = forms.NewGoalMetadata.decode(view.get("private_metadata"))
            except MetadataError:
                raise LaunchError(OUT_OF_DATE, block_id=GoalBlock.TITLE) from None
            form, errors = goal_forms.parse_goal(state_of(view))
            zone = _zone(directory, user_id)
            today = today_in(zone)
            if not errors:
                errors = goal_problems(form.data, today=today)
            external = False
            if not errors:
                access = read_access(client, form.data.channel_id)
                if problem := access_problem(access, external_ok=form.external_ok):
                    errors[GoalBlock.CHANNEL] = problem
                external = access.external and form.external_ok
            if errors:
                ack(response_action="errors", errors=_only_present(errors, view))
                return
            saved: LaunchInput | None = None
            if meta.parent.launch_id:  # an edit underneath: still this person's to change (else nothing is saved)
                with db.unit_of_work() as session:
                    saved = plan.edit_form(
                        session, directory, team_id=team_id, launch_id=meta.parent.launch_id, user_id=user_id
                    )

            def save() -> int:
                with db.unit_of_work() as session:
                    goal = goal_setup.create_goal(
                        session, team_id=team_id, data=form.data, created_by=user_id, today=today,
                        now=services.clock(), directory=directory, creator_tz=zone, view_id=str(view.get("id")),
                        external_confirmed=external,
                    )  # fmt: skip
                    return goal.id

            try:
                goal_id = save()
            except IntegrityError:  # the same form submitted twice at once: the other request saved it
                goal_id = save()
        if answer.failed:
            return
        picked = list(dict.fromkeys([*meta.parent.new_goal_ids, goal_id]))
        parent = meta.parent.model_copy(update={"new_goal_ids": picked})
        # The modal underneath comes back with what it held (or, for an edit, the saved launch);
        # Slack keeps what was typed in inputs whose block and action ids stay the same anyway
        # (views.update's "preserving input entry").
        draft = Draft(kind=LaunchKind(meta.kind))
        if meta.typed is not None:
            draft = meta.typed.draft()
        elif saved is not None:
            draft = forms.draft_of(saved)
        rebuilt = launch_modal(team_id, draft, parent, saved.goal_ids if saved is not None else ())
        try:
            client.views_update(view_id=meta.parent_view_id, view=rebuilt)
        except SlackApiError as error:  # the launch modal was closed meanwhile: the goal stays saved
            if error.response.get("error") != "not_found":
                raise
        ack()  # back to the launch modal

    def on_launch_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        directory = SlackDirectory(client, team_id)
        with answering_submission(ack, view, fallback_block=Block.NAME) as answer:
            try:
                meta = LaunchMetadata.decode(view.get("private_metadata"))
            except MetadataError:
                raise LaunchError(OUT_OF_DATE, block_id=Block.NAME) from None
            state = state_of(view)
            zone = _zone(directory, user_id)
            today = today_in(zone)
            draft, unreadable = forms.read_draft(state, kind=_kind_in(meta))
            form, errors = forms.parse_launch(draft, meta, today=today)
            errors = {**errors, **unreadable}
            external = False
            if not errors and not meta.launch_id:
                access = read_access(client, form.data.channel_id)
                if problem := access_problem(access, external_ok=form.external_ok):
                    errors[Block.CHANNEL] = problem
                external = access.external and form.external_ok
            if errors:
                ack(response_action="errors", errors=_only_present(errors, view))
                return

            def save() -> str:
                with db.unit_of_work() as session:
                    launch: Launch
                    if meta.launch_id:
                        launch = plan.edit_launch(
                            session, team_id=team_id, launch_id=meta.launch_id, data=form.data, user_id=user_id,
                            today=today, now=services.clock(), directory=directory,
                        )  # fmt: skip
                    else:
                        launch = plan.create_launch(
                            session, team_id=team_id, data=form.data, created_by=user_id, today=today,
                            now=services.clock(), directory=directory, creator_tz=zone, view_id=str(view.get("id")),
                            external_confirmed=external,
                        )  # fmt: skip
                    shown = launch_view(session, require_launch(session, team_id, launch.id), with_goals=False)
                    return replies.saved_text(shown, created=not meta.launch_id)

            try:
                text = save()
            except IntegrityError:  # the same modal submitted twice at once: the other request saved it
                text = save()
        if answer.failed:
            return
        title = "Launch saved" if meta.launch_id else "Launch planned"
        ack(response_action="update", view=modals.build_notice_modal(title, text))

    app.view(Callback.CREATE.value)(on_launch_submitted)
    app.view(Callback.EDIT.value)(on_launch_submitted)

    @app.view(Callback.CANCEL.value)
    def on_launch_cancel_confirmed(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            launch_id = forms.LaunchRef.decode(view.get("private_metadata")).launch_id
            with db.unit_of_work() as session:
                launch = plan.cancel_launch(
                    session, team_id=team_id, launch_id=launch_id, user_id=user_id, now=services.clock(),
                    directory=SlackDirectory(client, team_id),
                )  # fmt: skip
                text = replies.cancelled_text(launch_view(session, launch, with_goals=False))
        except MetadataError:
            ack(response_action="update", view=modals.build_notice_modal("Cancel launch", OUT_OF_DATE))
            return
        except LaunchError as error:  # the confirmation has no input to hang it on: say it in its place
            ack(response_action="update", view=modals.build_notice_modal("Cancel launch", str(error)))
            return
        ack(response_action="update", view=modals.build_notice_modal("Launch cancelled", text))
