"""Slack listeners for the weekly digest: ``/digest setup|list|preview|now|pause|resume|delete|help``
and the setup modal. Thin: parse (``forms``), call one service in a unit of work, render (``views``);
a ``DigestError`` is answered once, by ``bot.slack.answers``."""

from __future__ import annotations

import dataclasses
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.digest import chart, forms, manage, posting, views
from bot.digest.ids import Action, Block, Callback
from bot.home.publish import refresh_home, refresh_homes
from bot.services import Services
from bot.slack.answers import answering, answering_submission
from bot.slack.channels import channel_choice_problem, channel_is_external
from bot.slack.commands import CommandRouter
from bot.slack.files import upload_file
from bot.slack.metadata import MetadataError
from bot.slack.text import channel_link
from bot.slack.users import UserNotFound, get_user, is_workspace_admin
from bot.summaries.service import switch_summaries
from bot.summaries.views import build_switch_text


def _user_tz(client: WebClient, team_id: str, user_id: str) -> str | None:
    try:
        return get_user(client, team_id, user_id).tz
    except UserNotFound:
        return None


def _channel_name(client: WebClient, channel_id: str) -> str | None:
    try:
        return str(client.conversations_info(channel=channel_id)["channel"].get("name") or "") or None
    except SlackApiError:
        return None  # archived, or the bot left: it cannot be named, only picked as <#C…>


def _channel_external(client: WebClient, channel_id: str) -> bool:
    """Whether ``channel_id`` is shared with another organisation. A failed look-up answers False
    here (setup is not blocked on a hiccup); the drainer checks again before posting and holds
    the digest back if it is."""
    try:
        return channel_is_external(client, channel_id)
    except SlackApiError:
        return False


def register(app: App, services: Services) -> None:
    router = CommandRouter("/digest", "Weekly digest", default="setup")

    def open_setup(
        client: WebClient, trigger_id: str, team_id: str, user_id: str, channel_id: str, digest_id: int
    ) -> None:
        tz = _user_tz(client, team_id, user_id)
        with services.db.unit_of_work() as session:
            form = manage.setup_form(session, team_id=team_id, channel_id=channel_id, user_tz=tz, digest_id=digest_id)
        s = form.settings
        view = views.build_setup_modal(
            channel_id=s.channel_id, weekday=s.weekday, local_time=s.local_time, timezone=s.timezone,
            sections=s.sections, digest_id=form.digest_id, external_ok=s.external_ok,
        )  # fmt: skip
        client.views_open(trigger_id=trigger_id, view=view)

    @router.add("setup", "setup", "set up (or edit) this channel's weekly digest")
    def on_digest_setup(ack: Ack, command: dict[str, Any], client: WebClient, **_: Any) -> None:
        ack()
        open_setup(client, command["trigger_id"], command["team_id"], command["user_id"], command["channel_id"], 0)

    @router.add("preview", "preview", "see this week's digest, only you")
    def on_digest_preview(ack: Ack, command: dict[str, Any], respond: Respond, **_: Any) -> None:
        ack()
        with services.db.unit_of_work() as session:
            digest = posting.digest_for_preview(
                session, team_id=command["team_id"], channel_id=command["channel_id"], now=services.clock()
            )
        respond(response_type="ephemeral", **views.build_preview_message(digest))

    @router.add("now", "now", "post this week's digest to this channel now")
    def on_digest_now(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, **_: Any) -> None:
        ack()
        team_id, user_id, channel_id = command["team_id"], command["user_id"], command["channel_id"]
        admin = is_workspace_admin(client, team_id, user_id)

        def upload(content: bytes, filename: str, title: str) -> str:
            return upload_file(client, content, filename, title)

        with answering(respond) as answer, services.db.unit_of_work() as session:
            posting.post_now(
                session, team_id=team_id, channel_id=channel_id, user_id=user_id, is_admin=admin,
                now=services.clock(), render_chart=chart.render_chart, upload=upload,
                channel_external=_channel_external(client, channel_id),
            )  # fmt: skip
        if answer.failed:
            return
        respond(response_type="ephemeral", text=f"Posting this week's digest to {channel_link(channel_id)} now.")

    @router.add("list", "list", "the weekly digests in this workspace")
    def on_digest_list(ack: Ack, command: dict[str, Any], **_: Any) -> None:
        with services.db.unit_of_work() as session:
            lines = manage.digest_lines(session, command["team_id"])
        ack(text=views.build_list_text(lines), response_type="ephemeral")

    def on_digest_managed(action: str) -> Any:
        def handler(
            ack: Ack, command: dict[str, Any], argument: str, client: WebClient, respond: Respond, **_: Any
        ) -> None:
            ack()
            team_id, user_id = command["team_id"], command["user_id"]

            def is_admin() -> bool:
                return is_workspace_admin(client, team_id, user_id)

            with answering(respond) as answer, services.db.unit_of_work() as session:
                digest = manage.find_digest(
                    session, team_id=team_id, argument=argument, channel_id=command.get("channel_id") or "",
                    name_of=lambda channel_id: _channel_name(client, channel_id),
                )  # fmt: skip
                channel_id, owner_id = digest.channel_id, digest.owner_id
                if action == "delete":
                    sent = manage.delete_digest(session, digest, user_id=user_id, is_admin=is_admin)[1]
                    reply = views.build_managed_text(action, None, channel_id, sent)
                else:
                    line = manage.set_digest_paused(
                        session, digest, user_id=user_id, is_admin=is_admin, paused=action == "pause",
                        now=services.clock(),
                    )  # fmt: skip
                    reply = views.build_managed_text(action, line, channel_id)
            if answer.failed:
                return
            respond(response_type="ephemeral", text=reply)
            refresh_homes(services, team_id, user_id, owner_id)  # the Home lists digests with their state

        return handler

    @router.add("summaries", "summaries [on|off]", "summaries of stand-ups, retros and digests (admins switch)")
    def on_digest_summaries(
        ack: Ack, command: dict[str, Any], argument: str, client: WebClient, respond: Respond, **_: Any
    ) -> None:
        ack()
        team_id, user_id = command["team_id"], command["user_id"]
        admin = bool(argument.strip()) and is_workspace_admin(client, team_id, user_id)
        with answering(respond) as answer, services.db.unit_of_work() as session:
            enabled = switch_summaries(
                session, team_id=team_id, user_id=user_id, argument=argument, is_admin=admin, now=services.clock()
            )
        if answer.failed:
            return
        respond(response_type="ephemeral", text=build_switch_text(enabled, bool(services.settings.tandem_summary_url)))

    where = "[#channel]"
    router.add("pause", f"pause {where}", "stop posting until resumed (owner or admin)")(on_digest_managed("pause"))
    router.add("resume", f"resume {where}", "post again from the next digest day (owner or admin)")(
        on_digest_managed("resume")
    )
    router.add("delete", f"delete {where}", "stop the digest for good (owner or admin)")(on_digest_managed("delete"))

    @app.command("/digest")
    def on_digest_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        # Bolt injects arguments by name, so the router's handlers get theirs through this wrapper.
        router(ack=ack, command=command, client=client, respond=respond)

    @app.action(Action.OPEN_SETUP)
    def on_digest_open_setup(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        value = str((body.get("actions") or [{}])[0].get("value") or "")
        team_id = body["team"]["id"] if isinstance(body.get("team"), dict) else body["user"]["team_id"]
        digest_id = int(value) if value.isdigit() else 0
        open_setup(client, body["trigger_id"], team_id, body["user"]["id"], "", digest_id)

    @app.view(Callback.SETUP)
    def on_digest_setup_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        settings = forms.parse_setup(view["state"]["values"])
        errors = forms.validate_settings(settings)
        if not errors:
            external = _channel_external(client, settings.channel_id)
            settings = dataclasses.replace(settings, channel_external=external)
            if problem := channel_choice_problem(external=external, ticked=settings.external_ok):
                errors[Block.CHANNEL] = problem
        if errors:
            ack(response_action="errors", errors=errors)
            return
        try:
            digest_id = forms.SetupMetadata.decode(view.get("private_metadata")).digest_id
        except MetadataError:
            digest_id = 0
        team_id, user_id = body["user"]["team_id"], body["user"]["id"]
        admin = is_workspace_admin(client, team_id, user_id)
        answer_on_form = answering_submission(ack, view, fallback_block=Block.CHANNEL)
        with answer_on_form as answer, services.db.unit_of_work() as session:
            _digest, created = manage.save_digest(
                session, team_id=team_id, user_id=user_id, is_admin=admin, settings=settings,
                now=services.clock(), digest_id=digest_id or None,
            )  # fmt: skip
        if answer.failed:
            return
        text = views.build_saved_text(
            settings.channel_id, settings.weekday, settings.local_time, settings.timezone, created
        )
        ack(response_action="update", view=views.build_notice_modal("Weekly digest", text))
        refresh_home(services, team_id, user_id)
