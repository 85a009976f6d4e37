"""Slack listeners for joint stand-ups: parse, ack, one service call, a pure view.

``/standup`` subcommands ack at once (ephemeral usage or nothing) and then do their work;
modal submissions validate first so errors come back in the ack with the user's text intact.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.home.publish import refresh_homes
from bot.services import Services
from bot.slack import forms as slack_forms
from bot.slack.answers import answering, answering_submission
from bot.slack.channel_access import access_problem, read_access
from bot.slack.commands import CommandRouter
from bot.slack.metadata import MetadataError
from bot.slack.payloads import team_id_of, user_id_of
from bot.slack.text import escape
from bot.slack.users import get_user, is_workspace_admin
from bot.standup import answers, asks, daysoff, escalation, forms, lookups, rounds, setup, views
from bot.standup.data import (
    DEFAULT_BLOCKER_QUESTION,
    DEFAULT_QUESTIONS,
    GONE,
    AskLine,
    ListRow,
    NotFound,
    SetupForm,
    StandupError,
    Usergroup,
)
from bot.standup.directory import SlackDirectory
from bot.standup.ids import Action, Block, Callback, ZoneMode

log = logging.getLogger(__name__)
T = TypeVar("T")

OUT_OF_DATE = "This form is out of date; close it and try again."


@dataclass(frozen=True)
class Managing:
    """Who runs a managing subcommand (``/standup edit|pause|resume|delete|now <name>``), on what."""

    team_id: str
    user_id: str
    admin: bool
    name: str  # the stand-up's name as typed
    client: WebClient
    trigger_id: str

    @property
    def actor(self) -> dict[str, Any]:
        """The keyword arguments every managing service takes."""
        return {"team_id": self.team_id, "name": self.name, "actor_id": self.user_id, "actor_is_admin": self.admin}


# ------------------------------------------------------------------------------------------ register


def register(app: App, services: Services) -> None:
    db = services.db
    router = CommandRouter("/standup", "Joint stand-ups", default="new")

    def directory(client: WebClient, team_id: str) -> SlackDirectory:
        return SlackDirectory(client, team_id)

    def open_modal(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
        client.views_open(trigger_id=trigger_id, view=view)

    def load_usergroups(client: WebClient) -> list[Usergroup]:
        try:
            response = client.usergroups_list()
        except SlackApiError as error:
            log.info("usergroups.list unavailable at setup: %s", error.response.get("error"))
            return []
        return [
            Usergroup(str(g["id"]), str(g.get("handle") or ""), str(g.get("name") or ""))
            for g in response.get("usergroups") or []
            if not g.get("date_delete")
        ]

    @router.add("new", "", "set up a stand-up")
    def on_standup_new(ack: Ack, command: dict[str, Any], client: WebClient, **_: Any) -> None:
        ack()
        user = get_user(client, command["team_id"], command["user_id"])
        form = SetupForm(
            timezone=user.tz if user.tz else "UTC",
            questions={"all": list(DEFAULT_QUESTIONS)},
            blocker_question=DEFAULT_BLOCKER_QUESTION,
        )
        open_modal(client, command["trigger_id"], views.build_setup_modal(form, load_usergroups(client)))

    @router.add("list", "list", "stand-ups in this workspace")
    def on_standup_list(ack: Ack, command: dict[str, Any], **_: Any) -> None:
        with db.unit_of_work() as session:
            rows = [
                ListRow(
                    name=s.name,
                    channel_id=s.channel_id,
                    days=s.days,
                    local_time=s.local_time,
                    zone_mode=ZoneMode(s.zone_mode),
                    timezone=s.timezone,
                    participants=n,
                    paused=s.paused,
                    owner_id=s.owner_id,
                )
                for s, n in lookups.list_standups(session, command["team_id"])
            ]
        ack(text=views.build_list_text(rows), response_type="ephemeral")

    def managing(
        word: str,
        usage: str,
        help_text: str,
        act: Callable[[Session, Managing], T],
        then: Callable[[Managing, T, Respond], None],
    ) -> None:
        """A managing subcommand (owner or admin): ``act`` in one unit of work, then ``then`` with
        its result, which must be plain values (the session is closed by then). A StandupError (not
        found, not allowed) is the person's ephemeral answer instead."""

        def handler(
            ack: Ack, command: dict[str, Any], argument: str, client: WebClient, respond: Respond, **_: Any
        ) -> None:
            ack()
            team_id, user_id = command["team_id"], command["user_id"]
            admin = is_workspace_admin(client, team_id, user_id)
            who = Managing(team_id, user_id, admin, argument, client, str(command.get("trigger_id") or ""))
            with answering(respond) as answer, db.unit_of_work() as session:
                result = act(session, who)
            if not answer.failed:
                then(who, result, respond)

        router.add(word, usage, help_text)(handler)

    def open_edit(who: Managing, form: SetupForm, _respond: Respond) -> None:
        open_modal(who.client, who.trigger_id, views.build_setup_modal(form, load_usergroups(who.client)))

    def say_paused(who: Managing, name: str, respond: Respond) -> None:
        tail = " No prompts until `/standup resume`."
        respond(text=f"Paused “{escape(name)}”.{tail}", response_type="ephemeral")

    def say_resumed(who: Managing, name: str, respond: Respond) -> None:
        tail = " Prompts continue from the next stand-up day."
        respond(text=f"Resumed “{escape(name)}”.{tail}", response_type="ephemeral")

    def say_deleted(who: Managing, name: str, respond: Respond) -> None:
        respond(text=f"Deleted “{escape(name)}”.", response_type="ephemeral")

    def say_started(who: Managing, run: rounds.PromptRun, respond: Respond) -> None:
        away = f" ({len(run.away)} out of office)" if run.away else ""
        away += f" ({len(run.off)} off for a holiday)" if run.off else ""
        respond(text=f"Started: I sent {len(run.prompted)} people their prompt{away}.", response_type="ephemeral")

    managing(
        "edit", "edit <name>", "change a stand-up (owner or admin)",
        lambda session, who: setup.managed_for_edit(session, **who.actor), open_edit,
    )  # fmt: skip
    managing(
        "pause", "pause <name>", "pause prompts (owner or admin)",
        lambda session, who: setup.set_paused(session, **who.actor, paused=True, now=services.clock()).name,
        say_paused,
    )  # fmt: skip
    managing(
        "resume", "resume <name>", "resume prompts (owner or admin)",
        lambda session, who: setup.set_paused(session, **who.actor, paused=False, now=services.clock()).name,
        say_resumed,
    )  # fmt: skip
    managing(
        "delete", "delete <name>", "delete a stand-up and its history (owner or admin)",
        lambda session, who: setup.delete_standup(session, **who.actor), say_deleted,
    )  # fmt: skip
    managing(
        "now", "now <name>", "start a stand-up right now (owner or admin)",
        lambda session, who: rounds.start_now(
            session, directory(who.client, who.team_id), **who.actor, now=services.clock()
        ),
        say_started,
    )  # fmt: skip

    @router.add("skip", "skip [today | until YYYY-MM-DD]", "out of office: no prompts, no reminders")
    def on_standup_skip(
        ack: Ack, command: dict[str, Any], argument: str, client: WebClient, respond: Respond, **_: Any
    ) -> None:
        team_id, user_id = command["team_id"], command["user_id"]
        ack()
        user = get_user(client, team_id, user_id)
        today = lookups.local_today(user.tz, services.clock())
        span = forms.parse_skip(argument, today)
        if isinstance(span, str):
            respond(text=span, response_type="ephemeral")
            return
        with answering(respond) as answer, db.unit_of_work() as session:
            setup.add_absence(
                session, team_id=team_id, user_id=user_id, starts_on=span[0], ends_on=span[1], now=services.clock()
            )
        if answer.failed:
            return
        until = "today" if span[0] == span[1] else f"until {span[1].isoformat()} (inclusive)"
        respond(text=f"Got it: no stand-up prompts or reminders for you {until}.", response_type="ephemeral")

    @router.add("holiday", "holiday add YYYY-MM-DD [name] | remove YYYY-MM-DD | list", "company days off (admins)")
    def on_standup_holiday(
        ack: Ack, command: dict[str, Any], argument: str, client: WebClient, respond: Respond, **_: Any
    ) -> None:
        ack()
        team_id, user_id = command["team_id"], command["user_id"]
        parsed = forms.parse_day_off(argument)
        if isinstance(parsed, str):
            respond(text=parsed, response_type="ephemeral")
            return
        if parsed.verb == "list":
            today = lookups.local_today(get_user(client, team_id, user_id).tz, services.clock())
            with db.unit_of_work() as session:
                rows = daysoff.company_days_off(session, team_id, since=today)
            respond(text=views.build_days_off_text(rows), response_type="ephemeral")
            return
        admin = is_workspace_admin(client, team_id, user_id)
        assert parsed.day is not None
        with answering(respond) as answer, db.unit_of_work() as session:
            if parsed.verb == "add":
                daysoff.add_company_day_off(
                    session, team_id=team_id, actor_id=user_id, actor_is_admin=admin, day=parsed.day,
                    name=parsed.name, now=services.clock(),
                )  # fmt: skip
            else:
                daysoff.remove_company_day_off(session, team_id=team_id, actor_is_admin=admin, day=parsed.day)
        if not answer.failed:
            respond(text=views.build_day_off_changed_text(parsed.verb, parsed.day, parsed.name),
                    response_type="ephemeral")  # fmt: skip

    @app.command("/standup")
    def on_standup_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        router(ack=ack, command=command, client=client, respond=respond)

    # -------------------------------------------------------------------------------- setup modal

    @app.view(Callback.SETUP)
    def on_standup_setup_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            standup_id = forms.SetupMetadata.decode(view.get("private_metadata")).standup_id
        except MetadataError:
            ack(response_action="errors", errors={Block.NAME: OUT_OF_DATE})
            return
        data = forms.parse_setup(slack_forms.state_of(view))
        errors = forms.validate_setup(data)
        if not errors:
            with db.unit_of_work() as session:
                if lookups.name_taken(session, team_id, data.name, standup_id):
                    errors[Block.NAME] = f"There is already a stand-up called “{data.name}”. Pick another name."
        if not errors:
            access = read_access(client, data.channel_id)
            data.channel_external = access.external
            problem = access_problem(access, external_ok=data.external_ok)
            if problem:
                errors[Block.CHANNEL] = problem
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        admin = is_workspace_admin(client, team_id, user_id)
        try:
            with db.unit_of_work() as session:
                result = setup.save_standup(
                    session, directory(client, team_id), team_id=team_id, actor_id=user_id, actor_is_admin=admin,
                    data=data, now=services.clock(), standup_id=standup_id,
                )  # fmt: skip
                text = views.build_saved_text(
                    result.standup.name, result.standup.channel_id, result.created, len(result.participants),
                    result.dropped, views.describe_when(data.days, data.local_time, data.zone_mode, data.timezone),
                )  # fmt: skip
        except StandupError as error:
            text = f"Nothing was saved: {error}"
        try:
            client.chat_postEphemeral(channel=data.channel_id, user=user_id, text=text)
        except SlackApiError:  # not a member of that channel: tell them in our DM instead
            client.chat_postMessage(channel=user_id, text=text)

    # -------------------------------------------------------------------------------- answering

    def open_answer(client: WebClient, body: dict[str, Any], occurrence_id: int | None) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            if occurrence_id is None:
                raise NotFound(GONE)
            with db.unit_of_work() as session:
                form = answers.answer_form(session, team_id=team_id, user_id=user_id, occurrence_id=occurrence_id)
            view = views.build_answer_modal(form)
        except StandupError as error:  # shown in the modal: there is no response_url to answer on
            view = views.build_notice_modal("Stand-up", str(error))
        open_modal(client, body["trigger_id"], view)

    @app.action(Action.OPEN_ANSWER)
    def on_standup_open_answer(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        open_answer(client, body, forms.parse_id(action.get("value")))

    @app.action(Action.EDIT_ANSWER)
    def on_standup_edit_answer(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        answer_id = forms.parse_id(action.get("value"))
        with db.unit_of_work() as session:
            answer = lookups.get_answer(session, team_id, answer_id) if answer_id is not None else None
            owner, occurrence_id = (answer.user_id, answer.occurrence_id) if answer is not None else (None, None)
        if owner is not None and owner != user_id:
            respond(text="Only the person who wrote this answer can edit it.", response_type="ephemeral",
                    replace_original=False)  # fmt: skip
            return
        open_answer(client, body, occurrence_id)

    @app.view(Callback.ANSWER)
    def on_standup_answer_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        try:
            occurrence_id = forms.AnswerMetadata.decode(view.get("private_metadata")).occurrence_id
        except MetadataError:
            ack(response_action="errors", errors={Block.answer(0): OUT_OF_DATE})
            return
        typed, blocker, ask_user, ask_text = forms.parse_answer(slack_forms.state_of(view))
        errors = forms.validate_answer(typed, blocker, ask_user, ask_text, user_id)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        # The service call runs before the ack (milliseconds of database work) so that an ask to
        # the wrong person comes back as a field error with everything typed still there.
        try:
            with db.unit_of_work() as session:
                answers.submit_answer(
                    session, directory(client, team_id), team_id=team_id, user_id=user_id,
                    occurrence_id=occurrence_id, answers=typed, blocker=blocker, ask_user=ask_user,
                    ask_text=ask_text, now=services.clock(),
                )  # fmt: skip
        except StandupError as error:
            # On its field (the ask), or the stand-up is gone: the modal says so instead of the form.
            if error.block_id is not None:
                ack(response_action="errors", errors={error.block_id: str(error)})
            else:
                ack(response_action="update", view=views.build_notice_modal("Stand-up", str(error)))
            return
        ack()
        refresh_homes(services, team_id, user_id, ask_user)  # today's stand-up answered; a new ask owed

    def aside(respond: Respond) -> Callable[..., Any]:
        """Answer a click on a DM's button beside it, leaving the DM (and its buttons) as it is."""
        return functools.partial(respond, replace_original=False)

    @app.action(Action.SKIP_TODAY)
    def on_standup_skip_today(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        occurrence_id = forms.parse_id(action.get("value"))
        with answering(aside(respond)) as answer, db.unit_of_work() as session:
            if occurrence_id is None:
                raise NotFound(GONE)
            occurrence = rounds.skip_occurrence(
                session, team_id=team_id, user_id=user_id, occurrence_id=occurrence_id, now=services.clock()
            )
            standup = lookups.get_standup(session, team_id, occurrence.standup_id)
            name = standup.name if standup is not None else "the stand-up"
        if answer.failed:
            return
        respond(replace_original=True, **views.build_skipped_message(name))
        refresh_homes(services, team_id, user_id)

    @app.action(Action.ASK_HANDLED)
    def on_standup_ask_handled(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        ask_id = forms.parse_id(action.get("value"))
        with answering(aside(respond)) as answer, db.unit_of_work() as session:
            if ask_id is None:
                raise NotFound("That ask is gone.")
            ask = asks.mark_ask_handled(session, team_id=team_id, user_id=user_id, ask_id=ask_id, now=services.clock())
            line = AskLine(ask.id, ask.from_user, ask.text)
        if answer.failed:
            return
        if action.get("block_id") == Block.ASK_ACTIONS:  # the ask's own DM: replace it
            respond(replace_original=True, **views.build_ask_handled_message(line))
        else:  # inside a prompt: keep the prompt's buttons, confirm quietly
            respond(response_type="ephemeral", replace_original=False, **views.build_ask_handled_message(line))
        refresh_homes(services, team_id, user_id)

    # -------------------------------------------------------------------------------- days off, escalation

    def holidays_view(client: WebClient, team_id: str, user_id: str, country: str | None = None) -> dict[str, Any]:
        tz = get_user(client, team_id, user_id).tz or "UTC"
        with db.unit_of_work() as session:
            form = daysoff.holidays_form(session, team_id, user_id, tz, country=country)
        return views.build_holidays_modal(form)

    @app.action(Action.OPEN_HOLIDAYS)
    def on_standup_open_holidays(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        open_modal(client, body["trigger_id"], holidays_view(client, team_id, user_id))

    @app.action(Action.HOLIDAY_USER)
    @app.action(Action.HOLIDAY_COUNTRY)
    def on_standup_holidays_changed(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        """Another person picked (their calendar loads) or another country (its regions load)."""
        ack()
        team_id = team_id_of(body)
        whose, _, _ = forms.parse_holidays(slack_forms.state_of(body["view"]))
        if action.get("action_id") == Action.HOLIDAY_USER:  # another person: their calendar as it is
            whose, picked = str(action.get("selected_user") or user_id_of(body)), None
        else:  # another country: its regions
            picked = forms.picked_country(action)
        view = holidays_view(client, team_id, whose or user_id_of(body), picked)
        client.views_update(view_id=body["view"]["id"], hash=body["view"].get("hash"), view=view)

    @app.view(Callback.HOLIDAYS)
    def on_standup_holidays_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        team_id, user_id = team_id_of(body), user_id_of(body)
        whose, country, subdivision = forms.parse_holidays(slack_forms.state_of(view))
        whose = whose or user_id
        admin = is_workspace_admin(client, team_id, user_id) if whose != user_id else False
        with answering_submission(ack, view, fallback_block=Block.HOLIDAY_USER) as answer:
            with db.unit_of_work() as session:
                daysoff.set_calendar(
                    session, team_id=team_id, actor_id=user_id, actor_is_admin=admin, user_id=whose,
                    country=country, subdivision=subdivision, now=services.clock(),
                )  # fmt: skip
            ack()
        if not answer.failed:
            refresh_homes(services, team_id, user_id, whose)

    @app.action(Action.NUDGE)
    def on_standup_nudge(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        escalation_id = forms.parse_id(action.get("value"))
        with answering(aside(respond)) as answer, db.unit_of_work() as session:
            if escalation_id is None:
                raise NotFound(GONE)
            row = escalation.nudge(
                session, team_id=team_id, actor_id=user_id, escalation_id=escalation_id, now=services.clock()
            )
            target = row.target_user
        if not answer.failed:
            respond(replace_original=True, **views.build_nudged_message(target))
