"""Slack listeners for a launch's dates: the go/no-go DM's Go / No-go buttons and their reason
modal; "Move a date" (the launch message), "Move the date" (a no-go DM) and ``/launch move <id>``
opening the move modal, and its submission. Thin: parse, one service call in one unit of work,
answer.

``register(app, services)`` adds the buttons and modals; ``open_move`` is what the ``/launch``
router's ``move`` subcommand calls. ``register_command`` is a minimal ``/launch`` (``move`` and
``help``) for as long as the full router (``bot.launches.listeners``) is not on this branch.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.goals.directory import SlackDirectory
from bot.launches import decision_views, decisions, move_forms, move_views, moving
from bot.launches.data import LaunchError, LaunchNotFound
from bot.launches.ids import Action, Block, Callback, Decision
from bot.launches.move_forms import DecisionMetadata, MoveMetadata
from bot.services import Services
from bot.slack.answers import answering, answering_submission
from bot.slack.forms import state_of
from bot.slack.metadata import MetadataError
from bot.slack.payloads import team_id_of, user_id_of
from bot.slack.users import is_workspace_admin

COMMAND = "/launch"
OUT_OF_DATE = "This form is out of date. Close it and try again."
MOVE_USAGE = "Say which launch: `/launch move <number>` (`/launch list` shows their numbers)."


def _admin_check(client: WebClient, team_id: str, user_id: str) -> Callable[[], bool]:
    """Asked only when the person is neither a lead nor the creator (one users.info, cached)."""
    return lambda: is_workspace_admin(client, team_id, user_id)


def local_today(directory: SlackDirectory, user_id: str, services: Services) -> date:
    """The person's date in their Slack zone (UTC when Slack gives none we know)."""
    user = directory.get_user(user_id)
    try:
        tz = ZoneInfo(user.tz if user is not None and user.tz else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return services.clock().astimezone(tz).date()


def open_move(
    client: WebClient,
    services: Services,
    *,
    trigger_id: str,
    team_id: str,
    user_id: str,
    launch_id: int | None = None,
    phase_id: int | None = None,
) -> None:
    """Open the move modal for a launch (or the launch of ``phase_id``, starting on that phase).
    Raises ``LaunchError`` (not found, not allowed, cancelled): the caller answers it."""
    with services.db.unit_of_work() as session:
        if phase_id is not None:
            launch_id = moving.launch_of_phase(session, team_id=team_id, phase_id=phase_id)
        if launch_id is None:
            raise LaunchNotFound()
        shown = moving.move_form(
            session, team_id=team_id, launch_id=launch_id, user_id=user_id,
            is_admin=_admin_check(client, team_id, user_id),
        )  # fmt: skip
    phases = move_views.movable_phases(shown)
    start = next((p for p in phases if p.id == phase_id), phases[0])
    metadata = MoveMetadata(launch_id=shown.id, phase_id=start.id).encode()
    client.views_open(trigger_id=trigger_id, view=move_views.move_modal(shown, phase_id=start.id, metadata=metadata))


def _answer_click(error: LaunchError, body: dict[str, Any], client: WebClient, respond: Respond) -> None:
    """An ephemeral line beside a message; a small modal where there is none (App Home)."""
    if body.get("response_url"):
        respond(text=str(error), response_type="ephemeral", replace_original=False)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=decision_views.notice_modal(str(error)))


def register(app: App, services: Services) -> None:
    db = services.db

    # ------------------------------------------------------------------ go / no-go

    def on_decision_clicked(decision: Decision) -> Callable[..., None]:
        def handler(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient,
                    respond: Respond) -> None:  # fmt: skip
            ack()
            team_id, user_id = team_id_of(body), user_id_of(body)
            parsed = move_forms.parse_decision_value(action.get("value"))
            try:
                if parsed is None:
                    raise decisions.PhaseNotFound()
                with db.unit_of_work() as session:
                    shown, phase = decisions.decision_form(
                        session, team_id=team_id, phase_id=parsed[0], user_id=user_id,
                        is_admin=_admin_check(client, team_id, user_id), asked_on=parsed[1],
                    )  # fmt: skip
            except LaunchError as error:
                _answer_click(error, body, client, respond)
                return
            metadata = DecisionMetadata(phase_id=phase.id, decision=decision, launch_on=phase.launch_on).encode()
            client.views_open(
                trigger_id=body["trigger_id"],
                view=decision_views.reason_modal(shown, phase, decision, metadata=metadata),
            )

        return handler

    app.action(Action.GO.value)(on_decision_clicked(Decision.GO))
    app.action(Action.NO_GO.value)(on_decision_clicked(Decision.NO_GO))

    @app.view(Callback.DECISION.value)
    def on_decision_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            meta = DecisionMetadata.decode(view.get("private_metadata"))
        except MetadataError:
            ack(response_action="errors", errors={Block.DECISION_REASON: OUT_OF_DATE})
            return
        reason, errors = move_forms.parse_reason(state_of(view), meta.decision)
        if reason is None:
            ack(response_action="errors", errors=errors)
            return
        directory = SlackDirectory(client, team_id)
        with answering_submission(ack, view, fallback_block=Block.DECISION_REASON) as answer, db.unit_of_work() as s:
            decisions.decide(
                s, team_id=team_id, phase_id=meta.phase_id, user_id=user_id, decision=meta.decision, reason=reason,
                now=services.clock(), directory=directory, is_admin=_admin_check(client, team_id, user_id),
                asked_on=meta.launch_on,
            )  # fmt: skip
        if answer.failed:
            return
        ack()

    # ------------------------------------------------------------------ moving a date

    @app.action(Action.OPEN_MOVE.value)
    def on_open_move_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            launch_id = move_forms.parse_id(action.get("value"))
            if launch_id is None:
                raise LaunchNotFound()
            open_move(client, services, trigger_id=body["trigger_id"], team_id=team_id, user_id=user_id,
                      launch_id=launch_id)  # fmt: skip
        except LaunchError as error:
            _answer_click(error, body, client, respond)

    @app.action(Action.MOVE_PHASE.value)
    def on_move_phase_clicked(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            phase_id = move_forms.parse_id(action.get("value"))
            if phase_id is None:
                raise decisions.PhaseNotFound()
            open_move(client, services, trigger_id=body["trigger_id"], team_id=team_id, user_id=user_id,
                      phase_id=phase_id)  # fmt: skip
        except LaunchError as error:
            _answer_click(error, body, client, respond)

    @app.view(Callback.MOVE.value)
    def on_move_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            meta = MoveMetadata.decode(view.get("private_metadata"))
        except MetadataError:
            ack(response_action="errors", errors={Block.MOVE_DATE: OUT_OF_DATE})
            return
        data, errors = move_forms.parse_move(state_of(view), meta)
        if data is None:
            ack(response_action="errors", errors=errors)
            return
        directory = SlackDirectory(client, team_id)
        with answering_submission(ack, view, fallback_block=Block.MOVE_DATE) as answer:
            today = local_today(directory, user_id, services)
            with db.unit_of_work() as session:
                moving.move_phase(
                    session, team_id=team_id, launch_id=meta.launch_id, phase_id=data.phase_id,
                    new_date=data.new_date, reason=data.reason, user_id=user_id,
                    is_admin=_admin_check(client, team_id, user_id), today=today, now=services.clock(),
                    directory=directory,
                )  # fmt: skip
        if answer.failed:
            return
        ack()


def move_subcommand(services: Services) -> Callable[..., None]:
    """The ``/launch move <id>`` handler for a ``CommandRouter`` (lplan's router adds it)."""

    def handler(ack: Ack, command: dict[str, Any], argument: str, client: WebClient, respond: Respond,
                **_: Any) -> None:  # fmt: skip
        ack()
        with answering(respond):
            launch_id = move_forms.parse_id(argument.removeprefix("#"))
            if launch_id is None:
                raise LaunchError(MOVE_USAGE)
            open_move(client, services, trigger_id=command["trigger_id"], team_id=command["team_id"],
                      user_id=command["user_id"], launch_id=launch_id)  # fmt: skip

    return handler
