"""Slack listeners for customer insights: parse (``forms``), one service call in a unit of work,
render with a pure view; an ``InsightError`` is answered once (``bot.slack.answers``).

Capture never posts where it happened (shared channels include customers): the confirmation is
the modal itself, updated to "Saved". Submissions do their (short) database work before the ack,
because the ack carries the answer: errors, the duplicate offer, or the confirmation.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from bot.home.publish import refresh_homes
from bot.insights import capture, forms, listing, setup, triage, views
from bot.insights.data import CaptureForm, InsightError, InsightFilter
from bot.insights.directory import SlackDirectory
from bot.insights.ids import Action, Block, Callback
from bot.services import Services
from bot.slack.answers import answering, answering_submission
from bot.slack.channel_access import read_access
from bot.slack.commands import CommandRouter
from bot.slack.forms import state_of
from bot.slack.payloads import team_id_of, user_id_of

log = logging.getLogger(__name__)

COMMAND = "/insight"
DATABASE_TROUBLE = (
    "I couldn't save this just now: my database is having trouble. Nothing you typed is lost; "
    "please press the button again in a minute."
)
SEARCH_USAGE = "Tell me what to look for, e.g. `/insight search onboarding emails`."


def _insight_id(raw: Any) -> int | None:
    text = str(raw or "")
    return int(text) if text.isdigit() and len(text) < 12 else None


def register(app: App, services: Services) -> None:
    router = CommandRouter(COMMAND, "Customer insights", default="new")

    def open_capture(
        client: WebClient, trigger_id: str, team_id: str, form: CaptureForm, meta: forms.CaptureMetadata
    ) -> None:
        with services.db.unit_of_work() as session:
            tags = listing.list_tag_names(session, team_id)
        client.views_open(trigger_id=trigger_id, view=views.build_capture_view(form, meta, tags))

    def list_reply(team_id: str, user_id: str, flt: InsightFilter, page: int = 1) -> dict[str, Any]:
        with services.db.unit_of_work() as session:
            found = listing.list_insights(session, team_id, user_id, flt, page)
        return views.build_list_message(found)

    @router.add("new", "[what you heard]", "capture a customer insight")
    def on_insight_new(ack: Ack, command: dict[str, Any], argument: str, client: WebClient, **_: Any) -> None:
        ack()
        form = CaptureForm(text=forms.message_to_plain(argument))
        open_capture(client, command["trigger_id"], command["team_id"], form, forms.CaptureMetadata())

    @router.add("list", "list [category | tag | status | mine]", "recent insights, filtered")
    def on_insight_list(ack: Ack, command: dict[str, Any], argument: str, **_: Any) -> None:
        flt = forms.parse_filter(argument)
        ack(response_type="ephemeral", **list_reply(command["team_id"], command["user_id"], flt))

    @router.add("search", "search <words>", "find insights by their words")
    def on_insight_search(ack: Ack, command: dict[str, Any], argument: str, **_: Any) -> None:
        if not argument.strip():
            ack(response_type="ephemeral", text=SEARCH_USAGE)
            return
        flt = InsightFilter("search", argument.strip()[:200])
        ack(response_type="ephemeral", **list_reply(command["team_id"], command["user_id"], flt))

    @router.add("setup", "setup", "insights channel, triagers and who hears about status changes")
    def on_insight_setup(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, **_: Any) -> None:
        ack()
        team_id, user_id = command["team_id"], command["user_id"]
        directory = SlackDirectory(client, team_id)
        with answering(respond) as answer, services.db.unit_of_work() as session:
            state = setup.setup_state(session, directory, team_id, user_id, services.clock())
        if answer.failed:
            return
        client.views_open(trigger_id=command["trigger_id"], view=views.build_setup_view(state))

    @router.add("help", "help", "this message")
    def on_insight_help(ack: Ack, **_: Any) -> None:
        ack(response_type="ephemeral", text=views.help_text(COMMAND))

    def on_insight_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond) -> None:
        # Bolt passes only the arguments a listener names, so name everything a subcommand uses.
        name, _ = router.split(command.get("text"))
        if name in router.subcommands:
            router(ack=ack, command=command, client=client, respond=respond)
        else:  # "/insight Customers want SSO" captures the whole text
            text = str(command.get("text") or "").strip()
            on_insight_new(ack=ack, command=command, argument=text, client=client, respond=respond)

    app.command(COMMAND)(on_insight_command)

    @app.shortcut(Callback.MESSAGE_SHORTCUT.value)
    def on_insight_message_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient) -> None:
        ack()
        message = shortcut.get("message") or {}
        channel_id = str((shortcut.get("channel") or {}).get("id") or "")
        message_ts = str(message.get("ts") or shortcut.get("message_ts") or "")
        permalink = ""
        try:
            permalink = str(client.chat_getPermalink(channel=channel_id, message_ts=message_ts).get("permalink") or "")
        except SlackApiError as error:
            log.info("no permalink for a captured message: %s", error.response.get("error"))
        meta = forms.CaptureMetadata(
            source_channel_id=channel_id,
            message_ts=message_ts,
            thread_ts=str(message.get("thread_ts") or ""),
            author_id=str(message.get("user") or ""),
            permalink=permalink,
        )
        form = CaptureForm(text=forms.message_to_plain(str(message.get("text") or "")), evidence_url=permalink)
        open_capture(client, shortcut["trigger_id"], team_id_of(shortcut), form, meta)

    @app.view(Callback.CAPTURE.value)
    def on_insight_capture_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        form = forms.parse_capture(state_of(view))
        context = forms.capture_context(forms.capture_metadata(view))

        def submit() -> capture.SubmitOutcome:
            with services.db.unit_of_work() as session:
                return capture.submit_capture(
                    session,
                    team_id=team_id_of(body),
                    user_id=user_id_of(body),
                    form=form,
                    context=context,
                    now=services.clock(),
                    view_id=str(view["id"]),
                )

        try:
            try:
                outcome = submit()
            except IntegrityError:
                # The same modal submitted twice at once: the other request saved it; answer as it did.
                outcome = submit()
        except SQLAlchemyError:
            log.exception("could not save an insight")
            ack(response_action="errors", errors={Block.TEXT: DATABASE_TROUBLE})
            return
        if outcome.errors:
            ack(response_action="errors", errors=outcome.errors)
        elif outcome.draft_id is not None:
            ack(response_action="update", view=views.build_duplicates_view(outcome.similar, outcome.draft_id))
        else:
            assert outcome.done is not None
            done = outcome.done
            ack(
                response_action="update",
                view=views.build_saved_view(done.insight.number, plus_one=False, channel_id=done.channel_id),
            )

    @app.view(Callback.DUPLICATES.value)
    def on_insight_duplicate_chosen(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        choice = forms.parse_duplicate_choice(state_of(view))
        try:
            with answering_submission(ack, view, fallback_block=Block.CHOICE) as answer:
                meta = forms.draft_metadata(view)
                with services.db.unit_of_work() as session:
                    done = capture.resolve_draft(
                        session,
                        team_id=team_id_of(body),
                        user_id=user_id_of(body),
                        draft_id=meta.draft_id,
                        plus_one_of=choice,
                        now=services.clock(),
                    )
        except SQLAlchemyError:
            log.exception("could not resolve an insight draft")
            ack(response_action="errors", errors={Block.CHOICE: DATABASE_TROUBLE})
            return
        if answer.failed:
            return
        ack(
            response_action="update",
            view=views.build_saved_view(done.insight.number, plus_one=done.plus_one, channel_id=done.channel_id),
        )

    @app.action(Action.HEARD_TOO.value)
    def on_insight_heard_too(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        insight_id = _insight_id(action.get("value")) or 0
        try:
            with services.db.unit_of_work() as session:
                view = views.build_plus_one_view(listing.insight_card(session, team_id_of(body), insight_id))
        except InsightError as error:  # the answer is a modal either way: the notice takes its place
            view = views.build_notice_view("Heard this too", str(error))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(Callback.PLUS_ONE.value)
    def on_insight_plus_one_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        customer, note, errors = forms.validate_plus_one(*forms.parse_plus_one(state_of(view)))
        if errors:
            ack(response_action="errors", errors=errors)
            return
        try:
            with answering_submission(ack, view, fallback_block=Block.NOTE) as answer:
                meta = forms.metadata(forms.InsightMetadata, view)
                with services.db.unit_of_work() as session:
                    capture.add_plus_one(
                        session,
                        team_id=team_id_of(body),
                        insight_id=meta.insight_id,
                        user_id=user_id_of(body),
                        customer=customer,
                        note=note,
                        now=services.clock(),
                    )
        except SQLAlchemyError:
            log.exception("could not record a +1")
            ack(response_action="errors", errors={Block.NOTE: DATABASE_TROUBLE})
            return
        if not answer.failed:
            ack()

    @app.action(Action.TRIAGE.value)
    def on_insight_triage_clicked(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient) -> None:
        ack()
        team_id, user_id = team_id_of(body), user_id_of(body)
        insight_id = _insight_id(action.get("value")) or 0
        try:
            with services.db.unit_of_work() as session:
                target = triage.triage_target(
                    session, SlackDirectory(client, team_id), team_id, user_id, insight_id, services.clock()
                )
            view = views.build_triage_view(target.card, customer_channel=target.customer_channel)
        except InsightError as error:  # the answer is a modal either way: the notice takes its place
            view = views.build_notice_view("Triage insight", str(error))
        client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.view(Callback.TRIAGE.value)
    def on_insight_triage_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        state = state_of(view)
        status, note, roadmap, errors = forms.validate_triage(*forms.parse_triage(state))
        if errors:
            ack(response_action="errors", errors=errors)
            return
        team_id = team_id_of(body)
        try:
            with answering_submission(ack, view, fallback_block=Block.STATUS) as answer:
                meta = forms.metadata(forms.InsightMetadata, view)
                with services.db.unit_of_work() as session:
                    outcome = triage.triage(
                        session,
                        SlackDirectory(client, team_id),
                        team_id=team_id,
                        insight_id=meta.insight_id,
                        user_id=user_id_of(body),
                        status=status,
                        note=note,
                        roadmap_url=roadmap,
                        now=services.clock(),
                    )
        except SQLAlchemyError:
            log.exception("could not triage an insight")
            ack(response_action="errors", errors={Block.STATUS: DATABASE_TROUBLE})
            return
        if answer.failed:
            return
        if outcome.change is not None and outcome.customer_channel and forms.parse_tell_thread(state):
            # They asked to tell the customer too: show the exact reply first; "Post it" sends it.
            chosen = forms.ThreadReplyMetadata(insight_id=outcome.insight.id, change_id=outcome.change.id)
            preview = views.build_thread_preview_view(outcome.reply_preview, outcome.customer_channel, chosen)
            ack(response_action="update", view=preview)
        else:
            ack()
        if outcome.change is not None:  # the submitter's "my insights" shows the new status
            refresh_homes(services, team_id, outcome.insight.submitted_by)

    @app.view(Callback.TELL_THREAD.value)
    def on_insight_thread_reply_confirmed(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        team_id = team_id_of(body)
        try:
            meta = forms.metadata(forms.ThreadReplyMetadata, view)
            with services.db.unit_of_work() as session:
                triage.reply_in_customer_thread(
                    session,
                    SlackDirectory(client, team_id),
                    team_id=team_id,
                    insight_id=meta.insight_id,
                    change_id=meta.change_id,
                    user_id=user_id_of(body),
                    now=services.clock(),
                )
        except InsightError as error:
            # The preview has no input to hang an error on: say it in its place.
            ack(response_action="update", view=views.build_notice_view("Tell the customer?", str(error)))
            return
        except SQLAlchemyError:
            log.exception("could not reply in a customer's thread")
            ack(response_action="update", view=views.build_notice_view("Tell the customer?", DATABASE_TROUBLE))
            return
        ack()

    @app.view(Callback.SETUP.value)
    def on_insight_setup_submitted(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        choice = forms.parse_setup(state_of(view))
        team_id = team_id_of(body)
        # The one Slack read of the chosen channel, before the unit of work: setup.save_setup gives the verdict.
        access = read_access(client, choice.channel_id) if choice.channel_id else None
        directory = SlackDirectory(client, team_id)
        with (
            answering_submission(ack, view, fallback_block=Block.CHANNEL) as answer,
            services.db.unit_of_work() as session,
        ):
            errors = setup.save_setup(session, directory, team_id, user_id_of(body), choice, access, services.clock())
        if answer.failed:
            return
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()

    @app.action(Action.NEXT_PAGE.value)
    def on_insight_next_page(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        pager = forms.PagerValue.decode(action.get("value"))
        flt = forms.filter_from_pager(pager)
        reply = list_reply(team_id_of(body), user_id_of(body), flt, pager.page if pager else 1)
        respond(replace_original=True, response_type="ephemeral", **reply)
