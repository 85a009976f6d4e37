"""Pure Block Kit builders for the retro's modals: set-up (and edit), add an item, vote, rate the
partnership, add an action item, move its due date. Their state is read back by ``forms``.

Nothing here shows vote totals while a retro is open, nor who voted, nor the author of an
anonymous item.
"""

from __future__ import annotations

from typing import Any

from bot.retro.data import (
    COLLECT_CHOICES_HOURS,
    MAX_DAYS_AFTER_LAUNCH,
    MAX_VOTES_PER_PERSON,
    ActionForm,
    ActionView,
    RatingForm,
    SeriesForm,
    SeriesSetup,
    VoteState,
)
from bot.retro.forms import ActionMetadata, RetroMetadata, SeriesMetadata
from bot.retro.ids import Action, Anonymity, Block, Callback, RetroTemplate, Side, StartMode, Strand
from bot.retro.templates import RATING_SCALE, SIDE_NAMES, STRAND_NAMES, TEMPLATES
from bot.retro.views import anonymity_note, format_due
from bot.slack.blocks import (
    VIEW_BLOCK_LIMIT,
    button,
    cap_blocks,
    context,
    input_block,
    modal,
    option,
    plain_text,
    section,
    text_input,
)
from bot.slack.blocks import Block as SlackBlock
from bot.slack.channels import confirmation_block
from bot.slack.text import plain, truncate


def build_notice_modal(title: str, text: str, *, close: str = "Done") -> dict[str, Any]:
    """A modal that only says something: a setup saved, or why a form could not open."""
    return modal(title, [section(text)], callback_id=Callback.DONE, submit=None, close=close)


def build_vote_notice_modal(text: str) -> dict[str, Any]:
    """The vote modal, replaced by why a vote could not be counted (the retro closed meanwhile)."""
    return modal("Vote", [section(text)], callback_id=Callback.VOTE, submit=None, close="Done")


def _collect_label(hours: int) -> str:
    if hours < 24:
        return f"{hours} hour{'s' if hours > 1 else ''}"
    days = hours // 24
    if days % 7 == 0:
        weeks = days // 7
        return f"{weeks} week{'s' if weeks > 1 else ''}"
    return f"{days} day{'s' if days > 1 else ''}"


# --------------------------------------------------------------------------------------------
# /retro setup modal


def build_setup_modal(
    *,
    timezone: str,
    channel_id: str | None,
    insights_available: bool,
    form: SeriesForm | None = None,
    prefill: SeriesSetup | None = None,
) -> dict[str, Any]:
    """The ``/retro`` setup modal; with ``form`` it edits that series, pre-filled (same callback:
    the submission handler tells the two apart by the series id in ``private_metadata``). With
    ``prefill`` it sets up a new series filled in from it (a retro about a shared goal: its
    ``goal_id`` travels in ``private_metadata``)."""
    setup = form.setup if form is not None else prefill
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
        "action_id": Block.CHANNEL,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
        "placeholder": plain_text("Pick the shared channel"),
    }
    initial_channel = setup.channel_id if setup is not None else channel_id
    if initial_channel:
        channel_select["initial_conversation"] = initial_channel
    title_input = text_input(
        Block.TITLE, placeholder="Spring launch retro", initial=setup.title if setup is not None else None
    )
    custom = setup is not None and setup.template is RetroTemplate.CUSTOM
    prompts_input = text_input(
        Block.PROMPTS,
        multiline=True,
        placeholder="One prompt per line",
        initial="\n".join(setup.prompts) if setup is not None and custom else None,
    )
    date_picker: dict[str, Any] = {"type": "datepicker", "action_id": Block.DATE}
    launch_picker: dict[str, Any] = {"type": "datepicker", "action_id": Block.LAUNCH_DATE}
    days_input: dict[str, Any] = {
        "type": "number_input",
        "action_id": Block.DAYS_AFTER_LAUNCH,
        "is_decimal_allowed": False,
        "min_value": "0",
        "max_value": str(MAX_DAYS_AFTER_LAUNCH),
        "placeholder": plain_text("7"),
    }
    time_picker: dict[str, Any] = {"type": "timepicker", "action_id": Block.TIME, "initial_time": "15:00"}
    if setup is not None:
        if setup.launch_date is not None:
            launch_picker["initial_date"] = setup.launch_date.isoformat()
            days_input["initial_value"] = str(setup.days_after_launch or 0)
        elif setup.start_date is not None:
            date_picker["initial_date"] = setup.start_date.isoformat()
        time_picker["initial_time"] = f"{setup.local_time:%H:%M}"
    collect_hours = str(setup.collect_minutes // 60) if setup is not None else None
    blocks: list[SlackBlock] = [
        input_block("Title", title_input, block_id=Block.TITLE),
        input_block("Shared channel", channel_select, block_id=Block.CHANNEL),
        confirmation_block(Block.EXTERNAL, Block.EXTERNAL, confirmed=setup is not None and setup.external_ok),
        input_block(
            "Template",
            {
                "type": "static_select",
                "action_id": Block.TEMPLATE,
                "options": templates,
                "initial_option": pick(templates, setup.template.value if setup else None, 0),
            },
            block_id=Block.TEMPLATE,
        ),
        input_block(
            "Custom prompts",
            prompts_input,
            block_id=Block.PROMPTS,
            optional=True,
            hint="Only for the Custom prompts template: one prompt per line, up to 10.",
        ),
        input_block(
            "When",
            {
                "type": "radio_buttons",
                "action_id": Block.WHEN,
                "options": when,
                "initial_option": pick(when, setup.start_mode.value if setup else None, 0),
            },
            block_id=Block.WHEN,
        ),
        input_block(
            "First retro on",
            date_picker,
            block_id=Block.DATE,
            optional=True,
            hint="Pick the date, or leave it empty and give a launch date below. Recurring retros repeat on "
            "this weekday.",
        ),
        input_block(
            "Or: launch date",
            launch_picker,
            block_id=Block.LAUNCH_DATE,
            optional=True,
            hint="For a retro a set number of days after a launch.",
        ),
        input_block(
            "Days after the launch",
            days_input,
            block_id=Block.DAYS_AFTER_LAUNCH,
            optional=True,
            hint=f"0 to {MAX_DAYS_AFTER_LAUNCH}; 0 is the launch day itself.",
        ),
        input_block("At", time_picker, block_id=Block.TIME, optional=True),
        input_block(
            "Time zone",
            text_input(
                Block.TIMEZONE,
                initial=setup.timezone if setup is not None and setup.start_mode is not StartMode.NOW else timezone,
                placeholder="Europe/Berlin",
            ),
            block_id=Block.TIMEZONE,
            optional=True,
        ),
        input_block(
            "Repeat",
            {
                "type": "static_select",
                "action_id": Block.REPEAT,
                "options": repeat,
                "initial_option": pick(repeat, str(setup.repeat_weeks) if setup else None, 1),
            },
            block_id=Block.REPEAT,
            optional=True,
            hint="Only for recurring retros.",
        ),
        input_block(
            "Collect items for",
            {
                "type": "static_select",
                "action_id": Block.COLLECT,
                "options": collect,
                "initial_option": pick(collect, collect_hours, 2),
            },
            block_id=Block.COLLECT,
        ),
        input_block(
            "Anonymity",
            {
                "type": "radio_buttons",
                "action_id": Block.ANONYMITY,
                "options": anonymity,
                "initial_option": pick(anonymity, setup.anonymity.value if setup else None, 1),
            },
            block_id=Block.ANONYMITY,
        ),
        input_block(
            "Votes per person",
            {
                "type": "static_select",
                "action_id": Block.VOTES,
                "options": votes,
                "initial_option": pick(votes, str(setup.votes_per_person) if setup else None, 2),
            },
            block_id=Block.VOTES,
        ),
    ]
    if insights_available:
        insights_option = option("Add a prompt listing the insights captured since the last retro", "yes")
        checkboxes: dict[str, Any] = {
            "type": "checkboxes",
            "action_id": Block.INSIGHTS,
            "options": [insights_option],
        }
        if setup is not None and setup.include_insights:
            checkboxes["initial_options"] = [insights_option]
        blocks.append(input_block("Customer insights", checkboxes, block_id=Block.INSIGHTS, optional=True))
    if form is None:
        goal_id = prefill.goal_id if prefill is not None and prefill.goal_id else 0
        metadata = SeriesMetadata(goal_id=goal_id).encode() if goal_id else ""
        return modal("Set up a retro", blocks, callback_id=Callback.SETUP, submit="Set up", private_metadata=metadata)
    blocks.append(
        context(
            "Changes apply from the next retro of this series; a retro already collecting items keeps its "
            "prompts, anonymity, votes and closing time."
        )
    )
    return modal(
        "Edit retro",
        blocks,
        callback_id=Callback.SETUP,
        submit="Save",
        private_metadata=SeriesMetadata(series_id=form.series_id).encode(),
    )


# --------------------------------------------------------------------------------------------
# Add item


def _prompt_element(action_id: str, prompts: list[str]) -> dict[str, Any]:
    options = [option(p, str(i)) for i, p in enumerate(prompts)]
    kind = "radio_buttons" if len(options) <= 10 else "static_select"
    return {"type": kind, "action_id": action_id, "options": options}


def build_add_item_modal(*, retro_id: int, title: str, prompts: list[str], anonymity: Anonymity) -> dict[str, Any]:
    blocks: list[SlackBlock] = [
        section(f"*{plain(title)}*"),
        input_block("Prompt", _prompt_element(Block.ITEM_PROMPT, prompts), block_id=Block.ITEM_PROMPT),
        input_block("Your item", text_input(Block.ITEM_TEXT, multiline=True), block_id=Block.ITEM_TEXT),
    ]
    if anonymity is Anonymity.OPTIONAL:
        blocks.append(
            input_block(
                "Anonymity",
                {
                    "type": "checkboxes",
                    "action_id": Block.ITEM_ANONYMOUS,
                    "options": [option("Add anonymously", "yes")],
                },
                block_id=Block.ITEM_ANONYMOUS,
                optional=True,
                hint="Anonymous items store no author at all: not even admins can find out who wrote them.",
            )
        )
    else:
        blocks.append(context(anonymity_note(anonymity)))
    return modal(
        "Add an item",
        blocks,
        callback_id=Callback.ADD_ITEM,
        submit="Add item",
        private_metadata=RetroMetadata(retro_id=retro_id).encode(),
    )


# --------------------------------------------------------------------------------------------
# Vote


def build_vote_modal(state: VoteState) -> dict[str, Any]:
    left = state.left
    blocks: list[SlackBlock] = [
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
                    accessory=button(label, Action.TOGGLE_VOTE, str(item.id), style=None if voted else "primary"),
                )
            )
    blocks = cap_blocks(blocks, VIEW_BLOCK_LIMIT, "…and {n} more")
    return modal(
        "Vote",
        blocks,
        callback_id=Callback.VOTE,
        submit=None,
        close="Done",
        private_metadata=RetroMetadata(retro_id=state.retro_id).encode(),
    )


# --------------------------------------------------------------------------------------------
# Partnership health rating


def _score_select(block: Block, label: str) -> SlackBlock:
    options = [option(text, str(score)) for score, text in RATING_SCALE.items()]
    return input_block(label, {"type": "static_select", "action_id": block, "options": options}, block_id=block)


def build_rating_modal(form: RatingForm) -> dict[str, Any]:
    sides = [option(SIDE_NAMES[s], s.value) for s in Side]
    side_element: dict[str, Any] = {"type": "radio_buttons", "action_id": Block.SIDE, "options": sides}
    if form.side is not None:
        side_element["initial_option"] = sides[list(Side).index(form.side)]
    strands = [option(STRAND_NAMES[s], s.value) for s in Strand]
    blocks: list[SlackBlock] = [
        section(
            f"*{plain(form.title)}*\nRate how the partnership feels, 1 (poor) to 5 (great). "
            "Ratings are anonymous; averages are shown per side only when at least two people on that side rated."
        ),
        input_block("Which side are you on?", side_element, block_id=Block.SIDE, hint="Remembered for next time."),
        _score_select(Block.TRUST, "Trust and respect"),
        _score_select(Block.OWNERSHIP, "Shared ownership of goals"),
        _score_select(Block.PLANNING, "Long-term planning"),
        input_block(
            "One strand to work on together",
            {"type": "radio_buttons", "action_id": Block.FOCUS, "options": strands},
            block_id=Block.FOCUS,
        ),
    ]
    return modal(
        "Partnership health",
        blocks,
        callback_id=Callback.RATE,
        submit="Save rating",
        private_metadata=RetroMetadata(retro_id=form.retro_id).encode(),
    )


# --------------------------------------------------------------------------------------------
# Action items


def build_action_item_modal(form: ActionForm) -> dict[str, Any]:
    blocks: list[SlackBlock] = [section(f"*{plain(form.title)}*\nWho will do what, by when? The owner gets a DM.")]
    if form.items:
        options = [option(truncate(f"{item.text} ({item.votes} votes)", 75), str(item.id)) for item in form.items[:100]]
        blocks.append(
            input_block(
                "From item",
                {"type": "static_select", "action_id": Block.ACTION_SOURCE, "options": options},
                block_id=Block.ACTION_SOURCE,
                optional=True,
            )
        )
    blocks += [
        input_block(
            "Action",
            text_input(Block.ACTION_TEXT, placeholder="What should happen?"),
            block_id=Block.ACTION_TEXT,
            optional=bool(form.items),
            hint="Leave empty to use the item's text." if form.items else None,
        ),
        input_block("Owner", {"type": "users_select", "action_id": Block.ACTION_OWNER}, block_id=Block.ACTION_OWNER),
        input_block("Due", {"type": "datepicker", "action_id": Block.ACTION_DUE}, block_id=Block.ACTION_DUE),
    ]
    return modal(
        "Add action item",
        blocks,
        callback_id=Callback.ACTION_ITEM,
        submit="Assign",
        private_metadata=RetroMetadata(retro_id=form.retro_id).encode(),
    )


def build_reschedule_modal(action: ActionView, metadata: ActionMetadata) -> dict[str, Any]:
    blocks: list[SlackBlock] = [
        section(f"*{plain(truncate(action.text, 500))}*\nCurrently due {format_due(action.due_on)}."),
        input_block(
            "New due date",
            {"type": "datepicker", "action_id": Block.ACTION_DUE, "initial_date": action.due_on.isoformat()},
            block_id=Block.ACTION_DUE,
        ),
    ]
    return modal(
        "Change due date",
        blocks,
        callback_id=Callback.RESCHEDULE,
        submit="Save",
        private_metadata=metadata.encode(),
    )
