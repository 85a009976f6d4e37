"""Pure Block Kit builders for retros, and the parsers of the modals they build.

**Why one message updated in place.** A retro collects items for hours or days. Posting each
item as a thread reply would notify everyone following the thread every time, and a late item
would look like a new conversation. Instead each retro is *one* channel message that
``chat.update`` rewrites as items arrive (updates notify nobody), and at close *one* summary
reply goes in its thread, broadcast to the channel once so people see the results.

Nothing here shows vote totals while a retro is open, nor who voted, nor the author of an
anonymous item.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from bot.retro.ids import (
    ActionStatus,
    Anonymity,
    RetroAction,
    RetroBlock,
    RetroCallback,
    RetroStatus,
    RetroTemplate,
    Side,
    StartMode,
    Strand,
)
from bot.retro.service import (
    COLLECT_CHOICES_HOURS,
    MAX_DAYS_AFTER_LAUNCH,
    MAX_VOTES_PER_PERSON,
    ActionForm,
    ActionView,
    HealthSummary,
    InputError,
    ItemView,
    ManageResult,
    RatingForm,
    RetroCard,
    RetroSummary,
    SeriesForm,
    SeriesLine,
    SeriesSetup,
    SetupResult,
    VoteState,
)
from bot.retro.templates import RATING_SCALE, SIDE_NAMES, STRAND_NAMES, TEMPLATES, PromptError, parse_custom_prompts
from bot.slack.blocks import (
    MESSAGE_BLOCK_LIMIT,
    SECTION_TEXT_LIMIT,
    VIEW_BLOCK_LIMIT,
    Block,
    actions,
    button,
    cap_blocks,
    context,
    divider,
    header,
    input_block,
    modal,
    option,
    plain_text,
    section,
    text_input,
)
from bot.slack.channels import confirmation_block, read_confirmation
from bot.slack.metadata import ViewMetadata
from bot.slack.text import clean_text, escape, mention, plain, slack_date, truncate

Message = dict[str, Any]


class RetroMetadata(ViewMetadata):
    retro_id: int


class SeriesMetadata(ViewMetadata):
    series_id: int = 0  # 0: a new series


class ActionMetadata(ViewMetadata):
    action_id: int
    channel_id: str = ""
    message_ts: str = ""


# --------------------------------------------------------------------------------------------
# Small helpers


def _collect_label(hours: int) -> str:
    if hours < 24:
        return f"{hours} hour{'s' if hours > 1 else ''}"
    days = hours // 24
    if days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks > 1 else ''}"
    return f"{days} day{'s' if days > 1 else ''}"


def format_due(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b %Y}"


def _lines_within(lines: list[str], limit: int = SECTION_TEXT_LIMIT - 100) -> str:
    """Join lines, dropping the tail with "…and N more" so the text fits a section."""
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) + 1 > limit:
            kept.append(f"_…and {len(lines) - index} more_")
            break
        kept.append(line)
        used += len(line) + 1
    return "\n".join(kept)


def _item_line(item: ItemView, anonymity: Anonymity, *, votes: bool = False) -> str:
    text = plain(truncate(item.text, 500))
    if item.author_id is not None:
        by = f" — {mention(item.author_id)}"
    else:
        by = "" if anonymity is Anonymity.ALWAYS else " — _anonymous_"
    tally = f" *({item.votes} vote{'s' if item.votes != 1 else ''})*" if votes else ""
    return f"• {text}{by}{tally}"


def _action_line(action: ActionView) -> str:
    mark = "✅" if action.status is ActionStatus.DONE else "⏳"
    state = "done" if action.status is ActionStatus.DONE else f"due {format_due(action.due_on)}"
    return f"{mark} {plain(truncate(action.text, 300))} — {mention(action.owner_id)}, {state}"


# --------------------------------------------------------------------------------------------
# /retro setup modal


def build_setup_modal(
    *, timezone: str, channel_id: str | None, insights_available: bool, form: SeriesForm | None = None
) -> dict[str, Any]:
    """The ``/retro`` setup modal; with ``form`` it edits that series, pre-filled (same callback:
    the submission handler tells the two apart by the series id in ``private_metadata``)."""
    setup = form.setup if form is not None else None
    templates = [option(t.name, t.key.value) for t in TEMPLATES.values()]
    collect = [option(_collect_label(h), str(h)) for h in COLLECT_CHOICES_HOURS]
    when = [
        option("Start now", StartMode.NOW.value),
        option("On a date", StartMode.ON_DATE.value),
        option("Recurring", StartMode.RECURRING.value),
    ]
    repeat = [option("Every week", "1"), option("Every other week", "2"), option("Every 3 weeks", "3")]
    repeat.append(option("Every 4 weeks", "4"))
    anonymity = [
        option("Names shown", Anonymity.OFF.value),
        option("Each person chooses per item", Anonymity.OPTIONAL.value),
        option("Always anonymous", Anonymity.ALWAYS.value),
    ]
    votes = [option(str(n), str(n)) for n in range(1, MAX_VOTES_PER_PERSON + 1)]

    def pick(options: list[dict[str, Any]], value: str | None, default: int) -> dict[str, Any]:
        return next((o for o in options if o["value"] == value), options[default])

    channel_select: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": RetroBlock.CHANNEL,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        "placeholder": plain_text("Pick the shared channel"),
    }
    initial_channel = setup.channel_id if setup is not None else channel_id
    if initial_channel:
        channel_select["initial_conversation"] = initial_channel
    title_input = text_input(
        RetroBlock.TITLE, placeholder="Spring launch retro", initial=setup.title if setup is not None else None
    )
    custom = setup is not None and setup.template is RetroTemplate.CUSTOM
    prompts_input = text_input(
        RetroBlock.PROMPTS,
        multiline=True,
        placeholder="One prompt per line",
        initial="\n".join(setup.prompts) if setup is not None and custom else None,
    )
    date_picker: dict[str, Any] = {"type": "datepicker", "action_id": RetroBlock.DATE}
    launch_picker: dict[str, Any] = {"type": "datepicker", "action_id": RetroBlock.LAUNCH_DATE}
    days_input: dict[str, Any] = {
        "type": "number_input",
        "action_id": RetroBlock.DAYS_AFTER_LAUNCH,
        "is_decimal_allowed": False,
        "min_value": "0",
        "max_value": str(MAX_DAYS_AFTER_LAUNCH),
        "placeholder": plain_text("7"),
    }
    time_picker: dict[str, Any] = {"type": "timepicker", "action_id": RetroBlock.TIME, "initial_time": "15:00"}
    if setup is not None:
        if setup.launch_date is not None:
            launch_picker["initial_date"] = setup.launch_date.isoformat()
            days_input["initial_value"] = str(setup.days_after_launch or 0)
        elif setup.start_date is not None:
            date_picker["initial_date"] = setup.start_date.isoformat()
        time_picker["initial_time"] = f"{setup.local_time:%H:%M}"
    collect_hours = str(setup.collect_minutes // 60) if setup is not None else None
    blocks: list[Block] = [
        input_block("Title", title_input, block_id=RetroBlock.TITLE),
        input_block("Shared channel", channel_select, block_id=RetroBlock.CHANNEL),
        confirmation_block(RetroBlock.EXTERNAL, RetroBlock.EXTERNAL, confirmed=setup is not None and setup.external_ok),
        input_block(
            "Template",
            {
                "type": "static_select",
                "action_id": RetroBlock.TEMPLATE,
                "options": templates,
                "initial_option": pick(templates, setup.template.value if setup else None, 0),
            },
            block_id=RetroBlock.TEMPLATE,
        ),
        input_block(
            "Custom prompts",
            prompts_input,
            block_id=RetroBlock.PROMPTS,
            optional=True,
            hint="Only for the Custom prompts template: one prompt per line, up to 10.",
        ),
        input_block(
            "When",
            {
                "type": "radio_buttons",
                "action_id": RetroBlock.WHEN,
                "options": when,
                "initial_option": pick(when, setup.start_mode.value if setup else None, 0),
            },
            block_id=RetroBlock.WHEN,
        ),
        input_block(
            "First retro on",
            date_picker,
            block_id=RetroBlock.DATE,
            optional=True,
            hint="Pick the date, or leave it empty and give a launch date below. Recurring retros repeat on "
            "this weekday.",
        ),
        input_block(
            "Or: launch date",
            launch_picker,
            block_id=RetroBlock.LAUNCH_DATE,
            optional=True,
            hint="For a retro a set number of days after a launch.",
        ),
        input_block(
            "Days after the launch",
            days_input,
            block_id=RetroBlock.DAYS_AFTER_LAUNCH,
            optional=True,
            hint=f"0 to {MAX_DAYS_AFTER_LAUNCH}; 0 is the launch day itself.",
        ),
        input_block("At", time_picker, block_id=RetroBlock.TIME, optional=True),
        input_block(
            "Time zone",
            text_input(
                RetroBlock.TIMEZONE,
                initial=setup.timezone if setup is not None and setup.start_mode is not StartMode.NOW else timezone,
                placeholder="Europe/Berlin",
            ),
            block_id=RetroBlock.TIMEZONE,
            optional=True,
        ),
        input_block(
            "Repeat",
            {
                "type": "static_select",
                "action_id": RetroBlock.REPEAT,
                "options": repeat,
                "initial_option": pick(repeat, str(setup.repeat_weeks) if setup else None, 1),
            },
            block_id=RetroBlock.REPEAT,
            optional=True,
            hint="Only for recurring retros.",
        ),
        input_block(
            "Collect items for",
            {
                "type": "static_select",
                "action_id": RetroBlock.COLLECT,
                "options": collect,
                "initial_option": pick(collect, collect_hours, 2),
            },
            block_id=RetroBlock.COLLECT,
        ),
        input_block(
            "Anonymity",
            {
                "type": "radio_buttons",
                "action_id": RetroBlock.ANONYMITY,
                "options": anonymity,
                "initial_option": pick(anonymity, setup.anonymity.value if setup else None, 1),
            },
            block_id=RetroBlock.ANONYMITY,
        ),
        input_block(
            "Votes per person",
            {
                "type": "static_select",
                "action_id": RetroBlock.VOTES,
                "options": votes,
                "initial_option": pick(votes, str(setup.votes_per_person) if setup else None, 2),
            },
            block_id=RetroBlock.VOTES,
        ),
    ]
    if insights_available:
        insights_option = option("Add a prompt listing the insights captured since the last retro", "yes")
        checkboxes: dict[str, Any] = {
            "type": "checkboxes",
            "action_id": RetroBlock.INSIGHTS,
            "options": [insights_option],
        }
        if setup is not None and setup.include_insights:
            checkboxes["initial_options"] = [insights_option]
        blocks.append(input_block("Customer insights", checkboxes, block_id=RetroBlock.INSIGHTS, optional=True))
    if form is None:
        return modal("Set up a retro", blocks, callback_id=RetroCallback.SETUP, submit="Set up")
    blocks.append(
        context(
            "Changes apply from the next retro of this series; a retro already collecting items keeps its "
            "prompts, anonymity, votes and closing time."
        )
    )
    return modal(
        "Edit retro",
        blocks,
        callback_id=RetroCallback.SETUP,
        submit="Save",
        private_metadata=SeriesMetadata(series_id=form.series_id).encode(),
    )


def _value(values: dict[str, Any], block: str) -> dict[str, Any]:
    return (values.get(block) or {}).get(block) or {}


def _selected(values: dict[str, Any], block: str) -> str | None:
    chosen = _value(values, block).get("selected_option")
    return str(chosen["value"]) if chosen else None


def parse_setup(values: dict[str, Any]) -> SeriesSetup:
    """The setup modal's state -> SeriesSetup; InputError for a field that needs fixing."""
    title = clean_text(str(_value(values, RetroBlock.TITLE).get("value") or ""))
    channel_id = str(_value(values, RetroBlock.CHANNEL).get("selected_conversation") or "")
    if not channel_id:
        raise InputError(RetroBlock.CHANNEL, "Pick the channel both teams share.")
    template = RetroTemplate(_selected(values, RetroBlock.TEMPLATE) or RetroTemplate.WELL_NOT_TRY)
    custom_text = clean_text(str(_value(values, RetroBlock.PROMPTS).get("value") or ""))
    if template is RetroTemplate.CUSTOM:
        try:
            prompts = parse_custom_prompts(custom_text)
        except PromptError as error:
            raise InputError(RetroBlock.PROMPTS, str(error)) from None
    else:
        prompts = list(TEMPLATES[template].prompts)
    start_mode = StartMode(_selected(values, RetroBlock.WHEN) or StartMode.NOW)
    raw_date = _value(values, RetroBlock.DATE).get("selected_date")
    raw_time = _value(values, RetroBlock.TIME).get("selected_time") or "15:00"
    try:
        start_date = date.fromisoformat(raw_date) if raw_date else None
        local_time = time.fromisoformat(raw_time)
    except ValueError:
        raise InputError(RetroBlock.DATE, "That date or time doesn't look right.") from None
    raw_launch = _value(values, RetroBlock.LAUNCH_DATE).get("selected_date")
    try:
        launch_date = date.fromisoformat(raw_launch) if raw_launch else None
    except ValueError:
        raise InputError(RetroBlock.LAUNCH_DATE, "That date doesn't look right.") from None
    raw_days = str(_value(values, RetroBlock.DAYS_AFTER_LAUNCH).get("value") or "").strip()
    try:
        days_after_launch = int(raw_days) if raw_days else None
    except ValueError:
        raise InputError(
            RetroBlock.DAYS_AFTER_LAUNCH, f"Use a whole number of days, 0 to {MAX_DAYS_AFTER_LAUNCH}."
        ) from None
    timezone = str(_value(values, RetroBlock.TIMEZONE).get("value") or "UTC").strip()
    insights = bool(_value(values, RetroBlock.INSIGHTS).get("selected_options"))
    external_ok = read_confirmation(values, RetroBlock.EXTERNAL, RetroBlock.EXTERNAL)
    return SeriesSetup(
        title=title,
        channel_id=channel_id,
        start_mode=start_mode,
        template=template,
        prompts=prompts,
        anonymity=Anonymity(_selected(values, RetroBlock.ANONYMITY) or Anonymity.OPTIONAL),
        votes_per_person=int(_selected(values, RetroBlock.VOTES) or 3),
        collect_minutes=int(_selected(values, RetroBlock.COLLECT) or 24) * 60,
        start_date=start_date,
        local_time=local_time,
        timezone=timezone,
        repeat_weeks=int(_selected(values, RetroBlock.REPEAT) or 1),
        include_insights=insights,
        launch_date=launch_date,
        days_after_launch=days_after_launch,
        external_ok=external_ok,
    )


# --------------------------------------------------------------------------------------------
# The retro's channel message


def _anonymity_note(anonymity: Anonymity) -> str:
    return {
        Anonymity.OFF: "Names are shown with items.",
        Anonymity.OPTIONAL: "You can add items anonymously: then nobody, admins included, can see who wrote them.",
        Anonymity.ALWAYS: "Items are anonymous: nobody, admins included, can see who wrote them.",
    }[anonymity]


def build_retro_message(card: RetroCard) -> Message:
    closed = card.status is RetroStatus.CLOSED
    name = f"{card.title} #{card.number}" if card.number > 1 else card.title
    blocks: list[Block] = [header(f"Retro: {name}")]
    if closed:
        intro = "This retro is closed. The results are in the thread below."
    else:
        intro = (
            f"Product and marketing, add what you want to talk about until {slack_date(card.closes_at)}. "
            f"Each of you has {card.votes_per_person} vote{'s' if card.votes_per_person != 1 else ''}; "
            "only you see yours until the retro closes. "
            f"Facilitator: {mention(card.facilitator_id)}."
        )
    blocks.append(section(intro))
    if card.previous_actions:
        reviewed = [_action_line(a) for a in card.previous_actions]
        blocks.append(section("*Last time's action items*\n" + _lines_within(reviewed)))
    blocks.append(divider())
    for index, prompt in enumerate(card.prompts):
        lines: list[str] = []
        if index == card.insights_prompt_index:
            if card.insights:
                lines += [f"> #{i.number} {plain(truncate(i.text, 200))}" for i in card.insights]
            else:
                lines.append("_No customer insights were captured since the last retro._")
        items = [i for i in card.items if i.prompt_index == index]
        lines += [_item_line(i, card.anonymity) for i in items] or ["_Nothing yet._"]
        blocks.append(section(f"*{plain(prompt)}*\n" + _lines_within(lines)))
    notes = [f"{len(card.items)} item{'s' if len(card.items) != 1 else ''}"]
    if card.rates_partnership:
        notes.append(f"{card.rating_count} partnership rating{'s' if card.rating_count != 1 else ''}")
    notes.append(_anonymity_note(card.anonymity))
    blocks.append(context(" · ".join(notes)))
    if not closed:
        value = str(card.retro_id)
        buttons = [
            button("Add item", RetroAction.ADD_ITEM, value, style="primary"),
            button("Vote", RetroAction.VOTE, value),
        ]
        if card.rates_partnership:
            buttons.append(button("Rate the partnership", RetroAction.RATE, value))
        buttons.append(button("Close retro", RetroAction.CLOSE, value))
        blocks.append(actions(*buttons))
    blocks = cap_blocks(blocks, MESSAGE_BLOCK_LIMIT, "…and {n} more")
    # The fallback text shows in notifications: user text escaped, so a title can never ping.
    text = f"Retro: {escape(truncate(name, 150))} — {'closed' if closed else 'add your items'}"
    return {"text": text, "blocks": blocks}


# --------------------------------------------------------------------------------------------
# Add item


def _prompt_element(action_id: str, prompts: list[str]) -> dict[str, Any]:
    options = [option(p, str(i)) for i, p in enumerate(prompts)]
    kind = "radio_buttons" if len(options) <= 10 else "static_select"
    return {"type": kind, "action_id": action_id, "options": options}


def build_add_item_modal(*, retro_id: int, title: str, prompts: list[str], anonymity: Anonymity) -> dict[str, Any]:
    blocks: list[Block] = [
        section(f"*{plain(title)}*"),
        input_block("Prompt", _prompt_element(RetroBlock.ITEM_PROMPT, prompts), block_id=RetroBlock.ITEM_PROMPT),
        input_block("Your item", text_input(RetroBlock.ITEM_TEXT, multiline=True), block_id=RetroBlock.ITEM_TEXT),
    ]
    if anonymity is Anonymity.OPTIONAL:
        blocks.append(
            input_block(
                "Anonymity",
                {
                    "type": "checkboxes",
                    "action_id": RetroBlock.ITEM_ANONYMOUS,
                    "options": [option("Add anonymously", "yes")],
                },
                block_id=RetroBlock.ITEM_ANONYMOUS,
                optional=True,
                hint="Anonymous items store no author at all: not even admins can find out who wrote them.",
            )
        )
    else:
        blocks.append(context(_anonymity_note(anonymity)))
    return modal(
        "Add an item",
        blocks,
        callback_id=RetroCallback.ADD_ITEM,
        submit="Add item",
        private_metadata=RetroMetadata(retro_id=retro_id).encode(),
    )


def parse_item(values: dict[str, Any]) -> tuple[int, str, bool]:
    """(prompt index, text, anonymous) from the add-item modal."""
    prompt = _selected(values, RetroBlock.ITEM_PROMPT)
    if prompt is None:
        raise InputError(RetroBlock.ITEM_PROMPT, "Pick a prompt for your item.")
    text = clean_text(str(_value(values, RetroBlock.ITEM_TEXT).get("value") or ""))
    anonymous = bool(_value(values, RetroBlock.ITEM_ANONYMOUS).get("selected_options"))
    return int(prompt), text, anonymous


# --------------------------------------------------------------------------------------------
# Vote


def build_vote_modal(state: VoteState) -> dict[str, Any]:
    left = state.left
    blocks: list[Block] = [
        section(
            f"*{plain(state.title)}*\nYou have *{left} of {state.allowed}* "
            f"vote{'s' if state.allowed != 1 else ''} left. "
            "Only you see your votes; totals are shown when the retro closes."
        )
    ]
    if state.notice:
        blocks.append(context(f":warning: {state.notice}"))
    if not state.items:
        blocks.append(section("_No items yet. Add one first, or come back later._"))
    for index, prompt in enumerate(state.prompts):
        items = [i for i in state.items if i.prompt_index == index]
        if not items:
            continue
        blocks.append(section(f"*{plain(prompt)}*"))
        for item in items:
            voted = item.id in state.mine
            label = "✓ Voted (take back)" if voted else "Vote"
            blocks.append(
                section(
                    ("✓ " if voted else "") + plain(truncate(item.text, 1500)),
                    block_id=f"item_{item.id}",
                    accessory=button(label, RetroAction.TOGGLE_VOTE, str(item.id), style=None if voted else "primary"),
                )
            )
    blocks = cap_blocks(blocks, VIEW_BLOCK_LIMIT, "…and {n} more")
    return modal(
        "Vote",
        blocks,
        callback_id=RetroCallback.VOTE,
        submit=None,
        close="Done",
        private_metadata=RetroMetadata(retro_id=state.retro_id).encode(),
    )


# --------------------------------------------------------------------------------------------
# Partnership health rating


def _score_select(block: RetroBlock, label: str) -> Block:
    options = [option(text, str(score)) for score, text in RATING_SCALE.items()]
    return input_block(label, {"type": "static_select", "action_id": block, "options": options}, block_id=block)


def build_rating_modal(form: RatingForm) -> dict[str, Any]:
    sides = [option(SIDE_NAMES[s], s.value) for s in Side]
    side_element: dict[str, Any] = {"type": "radio_buttons", "action_id": RetroBlock.SIDE, "options": sides}
    if form.side is not None:
        side_element["initial_option"] = sides[list(Side).index(form.side)]
    strands = [option(STRAND_NAMES[s], s.value) for s in Strand]
    blocks: list[Block] = [
        section(
            f"*{plain(form.title)}*\nRate how the partnership feels, 1 (poor) to 5 (great). "
            "Ratings are anonymous; averages are shown per side only when at least two people on that side rated."
        ),
        input_block("Which side are you on?", side_element, block_id=RetroBlock.SIDE, hint="Remembered for next time."),
        _score_select(RetroBlock.TRUST, "Trust and respect"),
        _score_select(RetroBlock.OWNERSHIP, "Shared ownership of goals"),
        _score_select(RetroBlock.PLANNING, "Long-term planning"),
        input_block(
            "One strand to work on together",
            {"type": "radio_buttons", "action_id": RetroBlock.FOCUS, "options": strands},
            block_id=RetroBlock.FOCUS,
        ),
    ]
    return modal(
        "Partnership health",
        blocks,
        callback_id=RetroCallback.RATE,
        submit="Save rating",
        private_metadata=RetroMetadata(retro_id=form.retro_id).encode(),
    )


def parse_rating(values: dict[str, Any]) -> tuple[Side, dict[Strand, int], Strand]:
    side = _selected(values, RetroBlock.SIDE)
    if side is None:
        raise InputError(RetroBlock.SIDE, "Pick your side.")
    scores: dict[Strand, int] = {}
    for strand, block in ((Strand.TRUST, RetroBlock.TRUST), (Strand.OWNERSHIP, RetroBlock.OWNERSHIP)):
        chosen = _selected(values, block)
        if chosen is None:
            raise InputError(block, "Pick a rating from 1 to 5.")
        scores[strand] = int(chosen)
    planning = _selected(values, RetroBlock.PLANNING)
    if planning is None:
        raise InputError(RetroBlock.PLANNING, "Pick a rating from 1 to 5.")
    scores[Strand.PLANNING] = int(planning)
    focus = _selected(values, RetroBlock.FOCUS)
    if focus is None:
        raise InputError(RetroBlock.FOCUS, "Pick the strand you'd most like to work on.")
    return Side(side), scores, Strand(focus)


# --------------------------------------------------------------------------------------------
# Summary


def _change(delta: float) -> str:
    if abs(delta) < 0.05:
        return "(±0)"
    return f"({'▲' if delta > 0 else '▼'}{abs(delta):.1f})"


def health_lines(health: HealthSummary) -> list[str]:
    lines: list[str] = []
    for side in health.sides:
        name = f"*{SIDE_NAMES[side.side]}* ({side.raters} rating{'s' if side.raters != 1 else ''})"
        if side.averages is None:
            lines.append(f"{name}: hidden — fewer than two people on this side rated, so averages would expose them.")
            continue
        parts = []
        for strand in Strand:
            part = f"{STRAND_NAMES[strand]} {side.averages[strand]:.1f}"
            if side.change is not None:
                part += f" {_change(side.change[strand])}"
            parts.append(part)
        lines.append(f"{name}: " + " · ".join(parts))
    if not health.sides:
        lines.append("_Nobody rated the partnership this time._")
    if health.previous_number is not None and any(s.change is not None for s in health.sides):
        lines.append(f"_Changes are against retro #{health.previous_number}._")
    picks = sorted(((n, s) for s, n in health.focus_counts.items() if n), key=lambda p: -p[0])
    if picks:
        lines.append("To work on together: " + ", ".join(f"{STRAND_NAMES[s]} ({n})" for n, s in picks))
    return lines


def build_summary_message(summary: RetroSummary) -> Message:
    name = f"{summary.title} #{summary.number}" if summary.number > 1 else summary.title
    blocks: list[Block] = [header(f"Retro results: {name}")]
    if summary.health is not None:
        health = "\n".join(health_lines(summary.health))
        blocks.append(section("*Partnership health* (average of 1 to 5, by side)\n" + health))
    for index, prompt in enumerate(summary.prompts):
        items = [i for i in summary.items if i.prompt_index == index]
        lines = [_item_line(i, Anonymity.OPTIONAL, votes=True) for i in items] or ["_No items._"]
        blocks.append(section(f"*{plain(prompt)}*\n" + _lines_within(lines)))
    if summary.action_items:
        blocks.append(section("*Action items*\n" + _lines_within([_action_line(a) for a in summary.action_items])))
    blocks.append(
        context(
            f"{mention(summary.facilitator_id)}, turn the items that matter into action items: "
            "owners get a DM and a reminder the day before it's due."
        )
    )
    add = button("Add action item", RetroAction.ADD_ACTION_ITEM, str(summary.retro_id), style="primary")
    blocks.append(actions(add))
    blocks = cap_blocks(blocks, MESSAGE_BLOCK_LIMIT, "…and {n} more")
    return {"text": f"Retro results: {escape(truncate(name, 150))}", "blocks": blocks}


# --------------------------------------------------------------------------------------------
# Action items


def build_action_item_modal(form: ActionForm) -> dict[str, Any]:
    blocks: list[Block] = [section(f"*{plain(form.title)}*\nWho will do what, by when? The owner gets a DM.")]
    if form.items:
        options = [option(truncate(f"{item.text} ({item.votes} votes)", 75), str(item.id)) for item in form.items[:100]]
        blocks.append(
            input_block(
                "From item",
                {"type": "static_select", "action_id": RetroBlock.ACTION_SOURCE, "options": options},
                block_id=RetroBlock.ACTION_SOURCE,
                optional=True,
            )
        )
    blocks += [
        input_block(
            "Action",
            text_input(RetroBlock.ACTION_TEXT, placeholder="What should happen?"),
            block_id=RetroBlock.ACTION_TEXT,
            optional=bool(form.items),
            hint="Leave empty to use the item's text." if form.items else None,
        ),
        input_block(
            "Owner", {"type": "users_select", "action_id": RetroBlock.ACTION_OWNER}, block_id=RetroBlock.ACTION_OWNER
        ),
        input_block("Due", {"type": "datepicker", "action_id": RetroBlock.ACTION_DUE}, block_id=RetroBlock.ACTION_DUE),
    ]
    return modal(
        "Add action item",
        blocks,
        callback_id=RetroCallback.ACTION_ITEM,
        submit="Assign",
        private_metadata=RetroMetadata(retro_id=form.retro_id).encode(),
    )


def parse_due(values: dict[str, Any]) -> date | None:
    raw = _value(values, RetroBlock.ACTION_DUE).get("selected_date")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise InputError(RetroBlock.ACTION_DUE, "That date doesn't look right.") from None


def parse_action_item(values: dict[str, Any]) -> tuple[int | None, str, str, date | None]:
    """(source item id, text, owner id, due date) from the action-item modal."""
    source = _selected(values, RetroBlock.ACTION_SOURCE)
    text = clean_text(str(_value(values, RetroBlock.ACTION_TEXT).get("value") or ""))
    owner = str(_value(values, RetroBlock.ACTION_OWNER).get("selected_user") or "")
    return (int(source) if source else None), text, owner, parse_due(values)


def build_action_dm(action: ActionView, kind: str) -> Message:
    """The owner's DM: ``kind`` is "assigned", "reminder" or "done"."""
    text = plain(truncate(action.text, 1000))
    if kind == "done" or action.status is ActionStatus.DONE:
        body = f"✅ *Done:* {text}\n_From the retro “{plain(action.retro_title)}”._"
        return {"text": f"Done: {escape(truncate(action.text, 100))}", "blocks": [section(body)]}
    if kind == "reminder":
        lead = f"*Reminder:* this action item from the retro “{plain(action.retro_title)}” is due tomorrow."
    else:
        lead = f"You own an action item from the retro “{plain(action.retro_title)}”."
    body = f"{lead}\n>{text}\n*Due:* {format_due(action.due_on)}"
    value = str(action.id)
    blocks = [
        section(body),
        actions(
            button("Mark done", RetroAction.ACTION_DONE, value, style="primary"),
            button("Change date", RetroAction.ACTION_RESCHEDULE, value),
        ),
    ]
    due = format_due(action.due_on)
    return {"text": f"Action item: {escape(truncate(action.text, 100))} (due {due})", "blocks": blocks}


def build_reschedule_modal(action: ActionView, metadata: ActionMetadata) -> dict[str, Any]:
    blocks: list[Block] = [
        section(f"*{plain(truncate(action.text, 500))}*\nCurrently due {format_due(action.due_on)}."),
        input_block(
            "New due date",
            {"type": "datepicker", "action_id": RetroBlock.ACTION_DUE, "initial_date": action.due_on.isoformat()},
            block_id=RetroBlock.ACTION_DUE,
        ),
    ]
    return modal(
        "Change due date",
        blocks,
        callback_id=RetroCallback.RESCHEDULE,
        submit="Save",
        private_metadata=metadata.encode(),
    )


# --------------------------------------------------------------------------------------------
# /retro list


def build_list_text(lines: list[SeriesLine]) -> str:
    if not lines:
        return "No retros yet. Set one up with `/retro`."
    out = ["*Retros in this workspace*"]
    for line in lines[:30]:
        if line.open_retro_closes_at is not None:
            state = f"collecting items until {slack_date(line.open_retro_closes_at)}"
        elif line.paused:
            state = "paused"
        elif line.next_open_at is not None:
            state = f"next opens {slack_date(line.next_open_at)}"
        else:
            state = f"done ({line.runs} run{'s' if line.runs != 1 else ''})"
        template = TEMPLATES[line.template].name
        out.append(f"• *{plain(line.title)}* in <#{line.channel_id}> — {template}, {state}")
    if len(lines) > 30:
        out.append(f"_…and {len(lines) - 30} more_")
    return "\n".join(out)


def describe_setup(title: str, channel_id: str, opened: bool, first_run_at: datetime | None, cadence: str) -> str:
    if opened:
        return f"Your retro *{plain(title)}* is open in <#{channel_id}>."
    when = slack_date(first_run_at) if first_run_at is not None else "soon"
    repeat = "" if cadence == "once" else f", then {cadence}"
    return f"Your retro *{plain(title)}* will open in <#{channel_id}> on {when}{repeat}."


def describe_update(result: SetupResult) -> str:
    """What an edit did, for the modal that replaces the edit form."""
    title, where = plain(result.series.title), f"<#{result.series.channel_id}>"
    if result.opened is not None:
        return f"Saved *{title}*. A new retro is open in {where} now."
    if result.series.paused:
        return f"Saved *{title}*. It is paused: `/retro resume` with its title restarts it."
    if result.first_run_at is not None:
        repeat = "" if result.cadence_text in ("once", "now") else f", then {result.cadence_text}"
        return f"Saved *{title}*. The next retro opens in {where} on {slack_date(result.first_run_at)}{repeat}."
    return f"Saved *{title}*. No more retros are scheduled for it."


def describe_managed(action: str, result: ManageResult) -> str:
    """The ephemeral reply to ``/retro pause|resume|delete``."""
    title = plain(result.series.title)
    still_open = (
        f" The retro already collecting items still closes {slack_date(result.open_closes_at)}."
        if result.open_closes_at is not None
        else ""
    )
    if action == "pause":
        return f"Paused *{title}*: no new retros open until `/retro resume` with its title.{still_open}"
    if action == "resume":
        when = f" The next one opens {slack_date(result.next_run_at)}." if result.next_run_at is not None else ""
        return f"Resumed *{title}*.{when} Dates that fell inside the pause are skipped."
    kept = f"{result.runs} past retro{'s' if result.runs != 1 else ''}" if result.runs else "Its history"
    return (
        f"Deleted *{title}*: no more retros will open. {kept} and their action items are kept; "
        f"open action items still get their reminders.{still_open}"
    )
