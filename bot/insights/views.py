"""Pure Block Kit builders for customer insights: data in, Block Kit out.

Everything a person typed is shown through ``plain`` (escaped, formatting defused), so it can
never ping (``<!channel>``, ``<!subteam^...>``) nor forge a link or bold text. Links are ours to
render only after ``forms.url_problem`` accepted them (http/https, no ``<>|`` or spaces).
"""

from __future__ import annotations

from typing import Any

from bot.insights.data import (
    CUSTOMER_MAX,
    NEW_CHOICE,
    NOTE_MAX,
    SEGMENT_MAX,
    TELL_VALUE,
    TEXT_MAX,
    CaptureForm,
    InsightCard,
    InsightPage,
    SetupState,
    StatusNotice,
)
from bot.insights.forms import CaptureMetadata, DraftMetadata, InsightMetadata, PagerValue, ThreadReplyMetadata
from bot.insights.ids import Action, Block, Callback, Category, Impact, LoopTarget, Source, Status
from bot.slack.blocks import Block as KitBlock
from bot.slack.blocks import (
    actions,
    button,
    context,
    divider,
    fields_section,
    input_block,
    modal,
    mrkdwn,
    option,
    plain_text,
    section,
    text_input,
)
from bot.slack.text import channel_link, mention, plain, slack_date, truncate

QUOTE_LIMIT = 2800
LIST_QUOTE_LIMIT = 280


# --- small helpers ----------------------------------------------------------------------------------


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """User text as a mrkdwn block quote, escaped and clipped."""
    return "\n".join("> " + line for line in plain(truncate(text, limit)).splitlines() or [""])


def link(url: str, label: str) -> str:
    """A mrkdwn link to an already validated http(s) URL."""
    return f"<{url.replace('&', '&amp;')}|{label}>"


def _select(action_id: str, options: list[dict[str, Any]], initial: str | None, placeholder: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain_text(placeholder, 150),
        "options": options,
    }
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _url_input(action_id: str, initial: str = "", placeholder: str = "https://") -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "url_text_input",
        "action_id": action_id,
        "placeholder": plain_text(placeholder, 150),
    }
    if initial:
        element["initial_value"] = initial
    return element


def _impact_label(impact: Impact) -> str:
    return {Impact.LOW: "Low", Impact.MEDIUM: "Medium", Impact.HIGH: "High", Impact.CRITICAL: "Critical"}[impact]


# --- capture ----------------------------------------------------------------------------------------

SOURCE_OPTIONS = [option(s.label, s.value) for s in Source]
CATEGORY_OPTIONS = [option(c.label, c.value) for c in Category]
IMPACT_OPTIONS = [option(_impact_label(i), i.value) for i in Impact]
STATUS_OPTIONS = [option(f"{s.label}", s.value) for s in Status]


def build_capture_view(form: CaptureForm, meta: CaptureMetadata, tag_names: list[str]) -> dict[str, Any]:
    blocks: list[KitBlock] = []
    if meta.message_ts:
        where = f" in {channel_link(meta.source_channel_id)}" if meta.source_channel_id else ""
        by = f"by {mention(meta.author_id)}" if meta.author_id else ""
        blocks.append(
            context(
                f"From a message {by}{where}. Only you see this; nothing is posted in that channel.".replace("  ", " ")
            )
        )
    blocks.append(
        input_block(
            "What we heard",
            text_input(
                Action.INPUT,
                initial=truncate(form.text, TEXT_MAX) or None,
                multiline=True,
                max_length=TEXT_MAX,
                placeholder="In the customer's words, if you can",
            ),
            block_id=Block.TEXT,
        )
    )
    blocks.append(
        input_block(
            "Customer or account",
            text_input(Action.INPUT, initial=form.customer or None, max_length=CUSTOMER_MAX),
            block_id=Block.CUSTOMER,
            optional=True,
        )
    )
    blocks.append(
        input_block(
            "Segment",
            text_input(
                Action.INPUT, initial=form.segment or None, max_length=SEGMENT_MAX, placeholder="e.g. Enterprise"
            ),
            block_id=Block.SEGMENT,
            optional=True,
        )
    )
    blocks.append(
        input_block(
            "Source",
            _select(Action.INPUT, SOURCE_OPTIONS, form.source, "Where did you hear it?"),
            block_id=Block.SOURCE,
            optional=True,
        )
    )
    blocks.append(
        input_block(
            "Category",
            _select(Action.INPUT, CATEGORY_OPTIONS, form.category, "What is it about?"),
            block_id=Block.CATEGORY,
            optional=True,
        )
    )
    blocks.append(
        input_block(
            "Impact",
            _select(Action.INPUT, IMPACT_OPTIONS, form.impact, "How much does it matter?"),
            block_id=Block.IMPACT,
            optional=True,
        )
    )
    blocks.append(
        input_block(
            "Evidence link",
            _url_input(Action.INPUT, form.evidence_url),
            block_id=Block.EVIDENCE,
            optional=True,
            hint="A call recording, ticket, survey answer or message: http or https.",
        )
    )
    if tag_names:
        tag_options = [option(f"#{name}", name) for name in tag_names[:100]]
        element: dict[str, Any] = {
            "type": "multi_static_select",
            "action_id": Action.INPUT,
            "placeholder": plain_text("Choose tags", 150),
            "options": tag_options,
        }
        initial = [o for o in tag_options if o["value"] in form.tags]
        if initial:
            element["initial_options"] = initial
        blocks.append(input_block("Tags", element, block_id=Block.TAGS, optional=True))
    blocks.append(
        input_block(
            "New tags" if tag_names else "Tags",
            text_input(
                Action.INPUT, initial=form.new_tags or None, max_length=500, placeholder="onboarding, pricing-page"
            ),
            block_id=Block.NEW_TAGS,
            optional=True,
            hint="Comma-separated.",
        )
    )
    return modal(
        "Customer insight",
        blocks,
        callback_id=Callback.CAPTURE,
        submit="Save insight",
        private_metadata=meta.encode(),
    )


def build_duplicates_view(similar: list[InsightCard], draft_id: int) -> dict[str, Any]:
    blocks: list[KitBlock] = [
        section(
            "This sounds like something we've heard before. Add your voice to one of these "
            "(your customer and words go with it), or save yours as a new insight."
        ),
        divider(),
    ]
    choices = []
    for card in similar:
        blocks.append(section(f"*#{card.number}* · {card.status.emoji} {card.status.label}\n{quote(card.text, 500)}"))
        heard = f"{card.plus_ones} heard this too · " if card.plus_ones else ""
        blocks.append(context(f"{heard}shared {slack_date(card.created_at)}"))
        choices.append(option(f"+1 #{card.number} instead", str(card.id)))
    choices.append(option("Save mine as a new insight", NEW_CHOICE))
    blocks.append(divider())
    blocks.append(
        input_block(
            "What should I do?",
            {"type": "radio_buttons", "action_id": Action.INPUT, "options": choices, "initial_option": choices[0]},
            block_id=Block.CHOICE,
        )
    )
    return modal(
        "Heard before?",
        blocks,
        callback_id=Callback.DUPLICATES,
        submit="Continue",
        close="Back",
        private_metadata=DraftMetadata(draft_id=draft_id).encode(),
    )


def build_saved_view(number: int, *, plus_one: bool, channel_id: str | None) -> dict[str, Any]:
    if plus_one:
        text = f":raised_hands: Added your voice to insight *#{number}*."
    else:
        text = f":white_check_mark: Saved as insight *#{number}*."
    if channel_id:
        text += f" It's in {channel_link(channel_id)} for product to triage."
    else:
        text += " It will be posted once an admin picks an insights channel with `/insight setup`."
    text += " I'll message you when its status changes."
    return modal("Customer insight", [section(text)], callback_id=Callback.DONE, submit=None, close="Done")


def build_notice_view(title: str, text: str) -> dict[str, Any]:
    return modal(title, [section(text)], callback_id=Callback.DONE, submit=None, close="Close")


# --- +1 and triage modals ---------------------------------------------------------------------------


def build_plus_one_view(card: InsightCard) -> dict[str, Any]:
    blocks = [
        section(f"*#{card.number}*\n{quote(card.text, 1500)}"),
        input_block(
            "Customer or account",
            text_input(Action.INPUT, max_length=CUSTOMER_MAX),
            block_id=Block.CUSTOMER,
            optional=True,
        ),
        input_block(
            "Note",
            text_input(Action.INPUT, multiline=True, max_length=NOTE_MAX, placeholder="What did they say?"),
            block_id=Block.NOTE,
            optional=True,
        ),
    ]
    return modal(
        "Heard this too",
        blocks,
        callback_id=Callback.PLUS_ONE,
        submit="Add my +1",
        private_metadata=InsightMetadata(insight_id=card.id).encode(),
    )


def build_triage_view(card: InsightCard, *, customer_channel: str | None = None) -> dict[str, Any]:
    """``customer_channel``: the insight came from a channel shared with another organisation;
    offer to tell them there too (off by default; the exact text is previewed before posting)."""
    blocks = [
        section(f"*#{card.number}* · {card.status.emoji} {card.status.label}\n{quote(card.text, 1500)}"),
        input_block(
            "Status",
            _select(Action.INPUT, STATUS_OPTIONS, card.status.value, "Choose a status"),
            block_id=Block.STATUS,
        ),
        input_block(
            "Note for the people who shared it",
            text_input(Action.INPUT, initial=card.status_note or None, multiline=True, max_length=NOTE_MAX),
            block_id=Block.NOTE,
            optional=True,
        ),
        input_block(
            "Roadmap link",
            _url_input(Action.INPUT, card.roadmap_url),
            block_id=Block.ROADMAP,
            optional=True,
        ),
    ]
    if customer_channel:
        # Checkbox options may be mrkdwn: the channel shows by name, as Slack renders <#C...>.
        tell = {
            "text": mrkdwn(f"Also tell them in {channel_link(customer_channel)}", 75),
            "value": TELL_VALUE,
            "description": plain_text("A short reply in their thread; you see it before it's posted", 75),
        }
        blocks.append(
            input_block(
                "Their channel includes people outside your organisation",
                {"type": "checkboxes", "action_id": Action.INPUT, "options": [tell]},
                block_id=Block.TELL_THREAD,
                optional=True,
                hint="Off by default: the submitter and the +1ers hear by DM either way.",
            )
        )
    return modal(
        "Triage insight",
        blocks,
        callback_id=Callback.TRIAGE,
        submit="Save",
        private_metadata=InsightMetadata(insight_id=card.id).encode(),
    )


# --- setup ------------------------------------------------------------------------------------------


def build_setup_view(state: SetupState) -> dict[str, Any]:
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": Action.INPUT,
        "placeholder": plain_text("Pick a channel", 150),
        # Insights name customers: keep them out of channels shared with other organisations.
        "filter": {"include": ["public", "private"], "exclude_external_shared_channels": True},
    }
    if state.channel_id:
        channel["initial_conversation"] = state.channel_id
    users: dict[str, Any] = {
        "type": "multi_users_select",
        "action_id": Action.INPUT,
        "placeholder": plain_text("Choose people", 150),
    }
    if state.triager_user_ids:
        users["initial_users"] = state.triager_user_ids
    blocks: list[KitBlock] = [
        input_block("Insights channel", channel, block_id=Block.CHANNEL),
        input_block(
            "Triagers",
            users,
            block_id=Block.TRIAGER_USERS,
            optional=True,
            hint="Who may change an insight's status. Leave empty (and no group) for workspace admins.",
        ),
    ]
    if state.usergroups:
        group_options = [option(f"@{handle}", group_id) for group_id, handle in state.usergroups[:100]]
        blocks.append(
            input_block(
                "Triager group",
                _select(Action.INPUT, group_options, state.triager_usergroup_id, "Choose a user group"),
                block_id=Block.TRIAGER_GROUP,
                optional=True,
            )
        )
    loop_options = [option(t.label, t.value) for t in LoopTarget]
    loop: dict[str, Any] = {"type": "checkboxes", "action_id": Action.INPUT, "options": loop_options}
    initial = [o for o in loop_options if o["value"] in state.loop]
    if initial:
        loop["initial_options"] = initial
    blocks.append(input_block("When an insight's status changes", loop, block_id=Block.LOOP, optional=True))
    return modal("Insights setup", blocks, callback_id=Callback.SETUP, submit="Save")


# --- messages ---------------------------------------------------------------------------------------


def build_insight_message(card: InsightCard) -> dict[str, Any]:
    """The insight in the insights channel; updated in place with its status and +1s."""
    headline = f"*Customer insight #{card.number}* · {card.status.emoji} *{card.status.label}*"
    if card.impact:
        headline += f" · Impact: {_impact_label(card.impact)}"
    blocks: list[KitBlock] = [section(headline), section(quote(card.text))]
    fields = []
    if card.customer:
        fields.append(f"*Customer*\n{plain(card.customer)}")
    if card.segment:
        fields.append(f"*Segment*\n{plain(card.segment)}")
    if card.source:
        fields.append(f"*Source*\n{card.source.label}")
    if card.category:
        fields.append(f"*Category*\n{card.category.label}")
    if card.tags:
        fields.append("*Tags*\n" + " ".join(f"#{plain(t)}" for t in card.tags))
    if card.evidence_url:
        fields.append(f"*Evidence*\n{link(card.evidence_url, 'Open link')}")
    if fields:
        blocks.append(fields_section(fields))
    if card.status_note or card.roadmap_url:
        lines = []
        if card.status_note:
            lines.append(f"*Triage note:* {plain(truncate(card.status_note, 1500))}")
        if card.roadmap_url:
            lines.append(f"*Roadmap:* {link(card.roadmap_url, 'See the plan')}")
        blocks.append(section("\n".join(lines)))
    heard = "Nobody else yet"
    if card.plus_ones:
        heard = f"{card.plus_ones} heard this too"
        if card.plus_one_customers:
            names = ", ".join(plain(truncate(c, 40)) for c in card.plus_one_customers[:5])
            more = len(card.plus_one_customers) - 5
            heard += f" ({names}{f' and {more} more' if more > 0 else ''})"
    blocks.append(context(f"Shared by {mention(card.submitted_by)} {slack_date(card.created_at)} · {heard}"))
    blocks.append(
        actions(
            button("Heard this too", Action.HEARD_TOO, str(card.id)),
            button("Triage", Action.TRIAGE, str(card.id)),
            block_id=Block.INSIGHT_ACTIONS,
        )
    )
    text = f"Customer insight #{card.number} ({card.status.label}): {plain(truncate(card.text, 150))}"
    return {"text": text, "blocks": blocks}


def build_status_dm(notice: StatusNotice, *, submitter: bool) -> dict[str, Any]:
    whose = "the customer insight you shared" if submitter else "a customer insight you heard too"
    lines = [
        f"{notice.status.emoji} Update on {whose} (*#{notice.number}*): it's now *{notice.status.label}*.",
        quote(notice.text, 500),
    ]
    if notice.note:
        lines.append(f"*Note from {mention(notice.changed_by)}:* {plain(truncate(notice.note, 1500))}")
    if notice.roadmap_url:
        lines.append(f"*Roadmap:* {link(notice.roadmap_url, 'See the plan')}")
    if notice.insight_permalink_channel:
        lines.append(f"Follow it in {channel_link(notice.insight_permalink_channel)}.")
    text = "\n".join(lines)
    return {
        "text": f"Update on insight #{notice.number}: it's now {notice.status.label}.",
        "blocks": [section(text)],
    }


def build_thread_preview_view(reply: dict[str, Any], channel_id: str, meta: ThreadReplyMetadata) -> dict[str, Any]:
    """The exact reply (``build_thread_reply``'s text), shown before it is posted where people
    outside the organisation read it. Submit posts it; closing posts nothing."""
    blocks = [
        section(
            f"The triage is saved, and the people who shared it hear by DM. This exact message would be "
            f"posted in the customer's thread in {channel_link(channel_id)}, where people outside your "
            "organisation can read it:"
        ),
        section(f">{reply['text']}", block_id=Block.PREVIEW),
        context("Nothing else goes there: no note, customer name, link or quote."),
    ]
    return modal(
        "Tell the customer?",
        blocks,
        callback_id=Callback.TELL_THREAD,
        submit="Post it",
        close="Don't post",
        private_metadata=meta.encode(),
    )


def build_thread_reply(notice: StatusNotice) -> dict[str, Any]:
    """For the thread the insight was captured from: it may be shared with customers, so no
    customer, note, link or quote; only that the feedback was heard and where it stands."""
    status = notice.status
    closing = {
        Status.ACKNOWLEDGED: "The product team has seen it.",
        Status.PLANNED: "It's on the plan.",
        Status.SHIPPED: "It has shipped. Thank you!",
        Status.WONT_DO: "The team decided not to pursue it for now.",
        Status.NEW: "It's back in the queue.",
    }[status]
    text = f"{status.emoji} An update on the feedback saved from this thread: it's now *{status.label}*. {closing}"
    return {"text": text}


# --- list and search --------------------------------------------------------------------------------


def build_list_message(page: InsightPage) -> dict[str, Any]:
    flt = page.filter
    title = f"Customer insights, {flt.label}"
    if not page.cards:
        if flt.kind == "all":
            text = "No customer insights yet. Capture one with `/insight what you heard`."
        else:
            text = f"No customer insights {plain(flt.label)}. Try `/insight list` for everything."
        return {"text": text, "blocks": [section(text)]}
    blocks: list[KitBlock] = [
        section(f"*{plain(title)}* · page {page.page} of {page.pages} ({page.total} in all)"),
        divider(),
    ]
    for card in page.cards:
        meta = [f"{card.status.emoji} {card.status.label}"]
        if card.category:
            meta.append(card.category.label)
        if card.plus_ones:
            meta.append(f"{card.plus_ones} heard this too")
        blocks.append(section(f"*#{card.number}* · {' · '.join(meta)}\n{quote(card.text, LIST_QUOTE_LIMIT)}"))
        details = []
        if card.customer:
            details.append(plain(truncate(card.customer, 80)))
        if card.tags:
            details.append(" ".join(f"#{plain(t)}" for t in card.tags[:5]))
        details.append(f"shared by {mention(card.submitted_by)} {slack_date(card.created_at)}")
        blocks.append(context(" · ".join(details)))
    if page.has_next:
        value = PagerValue(kind=flt.kind, value=flt.value[:200], page=page.page + 1).encode()
        blocks.append(actions(button("Next page", Action.NEXT_PAGE, value), block_id=Block.PAGER))
    return {"text": f"{plain(title)} (page {page.page} of {page.pages})", "blocks": blocks}


def help_text(command: str = "/insight") -> str:
    return "\n".join(
        [
            "*Customer insights*",
            f"• `{command} [what you heard]` — capture an insight (or use *Save as customer insight* on any message)",
            f"• `{command} list [category | tag | status | mine]` — recent insights, filtered",
            f"• `{command} search &lt;words&gt;` — find insights by their words",
            f"• `{command} setup` — insights channel, triagers and who hears about status changes",
            f"• `{command} help` — this message",
        ]
    )
