"""Pure Block Kit builders for joint stand-ups: plain data in, message or modal dicts out.

User text is escaped (``bot.slack.text.escape``) before it lands in mrkdwn; nothing here pings
anybody in the shared channel (names, never ``<@...>`` mentions, in channel posts).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.slack import blocks as bk
from bot.slack.channels import confirmation_block
from bot.slack.text import channel_link, escape, mention, slack_date, truncate
from bot.standup.data import (
    ANSWER_LIMIT,
    LIST_LIMIT,
    NAME_LIMIT,
    QUESTION_LIMIT,
    AnswerForm,
    AnswerView,
    AskLine,
    EscalationView,
    HolidaysForm,
    ListRow,
    NudgeView,
    ParentView,
    PromptView,
    SetupForm,
    SummaryView,
    Usergroup,
)
from bot.standup.forms import NO_CHOICE, AnswerMetadata, SetupMetadata
from bot.standup.ids import PREFILL_OPTION, Action, Block, Callback, EscalationKind, Side, ZoneMode
from bot.summaries.views import summary_mrkdwn

Message = dict[str, Any]

DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COMMON_ZONES = (
    "UTC",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Helsinki",
    "Africa/Lagos",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
)
REMINDER_CHOICES = (
    (0, "No reminder"),
    (30, "After 30 minutes"),
    (60, "After 1 hour"),
    (120, "After 2 hours"),
    (240, "After 4 hours"),
)
ESCALATE_CHOICES = (
    (0, "Never"),
    (1, "After 1 working day"),
    (2, "After 2 working days"),
    (3, "After 3 working days"),
    (5, "After 5 working days"),
)
OPEN_CHOICES = ((120, "2 hours"), (240, "4 hours"), (480, "8 hours"), (720, "12 hours"), (1440, "24 hours"))
SIDE_EMOJI = {Side.PRODUCT: ":hammer_and_wrench:", Side.MARKETING: ":mega:", Side.OTHER: ":busts_in_silhouette:"}

# Who the optional per-side questions are for, as the setup modal says it.
QUESTION_AUDIENCE = {Side.PRODUCT: "product", Side.MARKETING: "marketing", Side.OTHER: "“Other” people"}


# ------------------------------------------------------------------------------------------ helpers


def describe_days(days: list[int]) -> str:
    days = sorted(days)
    if days == [0, 1, 2, 3, 4]:
        return "weekdays"
    if days == list(range(7)):
        return "every day"
    return ", ".join(DAY_NAMES[d] for d in days)


def format_date(day: date) -> str:
    return f"{DAY_NAMES[day.weekday()]} {day.strftime('%b')} {day.day}"


def _message(text: str, blocks: list[bk.Block]) -> Message:
    # The fallback ``text`` is mrkdwn too (notifications, screen readers): escaped like the blocks,
    # after clipping so an entity is never cut in half.
    return {
        "text": escape(truncate(text, 3000)),
        "blocks": bk.cap_blocks(blocks, bk.MESSAGE_BLOCK_LIMIT, "…and {n} more"),
    }


def _options(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [bk.option(text, value) for text, value in pairs]


# ------------------------------------------------------------------------------------------ setup


def build_setup_modal(form: SetupForm, usergroups: list[Usergroup] | None = None) -> dict[str, Any]:
    editing = form.standup_id is not None
    channel: dict[str, Any] = {
        "type": "conversations_select",
        "action_id": Action.CHANNEL,
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if form.channel_id:
        channel["initial_conversation"] = form.channel_id
    blocks: list[bk.Block] = [
        bk.input_block(
            "Name",
            bk.text_input(Action.NAME, initial=form.name, placeholder="Launch sync", max_length=NAME_LIMIT),
            block_id=Block.NAME,
        ),
        bk.input_block(
            "Shared channel",
            channel,
            block_id=Block.CHANNEL,
            hint="Answers are posted there, one thread per stand-up. Invite me first: /invite @Tandem",
        ),
        confirmation_block(Block.EXTERNAL, Action.EXTERNAL, confirmed=form.external_ok),
        bk.header("Who takes part"),
    ]
    for side, block_id in (
        (Side.PRODUCT, Block.PEOPLE_PRODUCT),
        (Side.MARKETING, Block.PEOPLE_MARKETING),
        (Side.OTHER, Block.PEOPLE_OTHER),
    ):
        element: dict[str, Any] = {"type": "multi_users_select", "action_id": Action.PEOPLE}
        if form.people.get(side):
            element["initial_users"] = form.people[side][:100]
        blocks.append(bk.input_block(f"{side.label} people", element, block_id=block_id, optional=True))
    if usergroups:
        options = _options([(f"@{g.handle}" + (f" ({g.name})" if g.name else ""), g.id) for g in usergroups[:100]])
        known = {g.id for g in usergroups}
        for side in Side:
            group_element: dict[str, Any] = {
                "type": "multi_static_select",
                "action_id": Action.GROUPS,
                "options": options,
            }
            chosen = [o for o in options if o["value"] in set(form.groups.get(side, [])) & known]
            if chosen:
                group_element["initial_options"] = chosen
            blocks.append(
                bk.input_block(f"{side.label} user groups", group_element, block_id=Block.groups(side), optional=True)
            )
    day_options = _options([(name, str(i)) for i, name in enumerate(DAY_NAMES)])
    days_element: dict[str, Any] = {"type": "checkboxes", "action_id": Action.DAYS, "options": day_options}
    chosen_days = [o for o in day_options if int(o["value"]) in form.days]
    if chosen_days:
        days_element["initial_options"] = chosen_days
    zone_options = _options(
        [
            ("One time zone for everybody", ZoneMode.FIXED.value),
            ("Each person at their own local time", ZoneMode.PERSONAL.value),
        ]
    )
    zones = list(COMMON_ZONES) if form.timezone in COMMON_ZONES else [form.timezone, *COMMON_ZONES]
    zone_select_options = _options([(z.replace("_", " "), z) for z in zones])
    questions = form.questions
    blocks += [
        bk.header("When"),
        bk.input_block("Days", days_element, block_id=Block.DAYS),
        bk.input_block(
            "Time",
            {"type": "timepicker", "action_id": Action.TIME, "initial_time": form.local_time},
            block_id=Block.TIME,
        ),
        bk.input_block(
            "Time zones",
            {
                "type": "radio_buttons",
                "action_id": Action.ZONE_MODE,
                "options": zone_options,
                "initial_option": next(o for o in zone_options if o["value"] == form.zone_mode.value),
            },
            block_id=Block.ZONE_MODE,
        ),
        bk.input_block(
            "The one time zone",
            {
                "type": "static_select",
                "action_id": Action.TIMEZONE,
                "options": zone_select_options,
                "initial_option": next(o for o in zone_select_options if o["value"] == form.timezone),
            },
            block_id=Block.TIMEZONE,
            hint="Used with “One time zone for everybody”, and for /standup now.",
        ),
        bk.header("Questions"),
        bk.input_block(
            "Questions, one per line",
            bk.text_input(Action.QUESTIONS, initial="\n".join(questions.get("all") or []), multiline=True),
            block_id=Block.QUESTIONS,
        ),
        *(
            bk.input_block(
                f"Different questions for {QUESTION_AUDIENCE[side]} (optional)",
                bk.text_input(Action.QUESTIONS, initial="\n".join(questions.get(side.value) or []), multiline=True),
                block_id=Block.questions(side),
                optional=True,
                hint=f"Leave empty to ask {QUESTION_AUDIENCE[side]} the questions above.",
            )
            for side in Side
        ),
        bk.input_block(
            "Blockers and asks question",
            bk.text_input(Action.BLOCKER_QUESTION, initial=form.blocker_question, max_length=QUESTION_LIMIT),
            block_id=Block.BLOCKER_QUESTION,
            hint="Shown above the optional “blocked on” field and the ask to someone on the other team.",
        ),
        bk.header("Attention"),
        _static_input("Reminder", Action.REMINDER, Block.REMINDER, REMINDER_CHOICES, form.reminder_minutes,
                      hint="At most one, only to people who haven't answered or skipped."),
        _static_input("Open for", Action.OPEN_FOR, Block.OPEN_FOR, OPEN_CHOICES, form.open_minutes,
                      hint="After the last person's prompt; then the thread gets its summary."),
        _static_input("Raise stale asks and blockers", Action.ESCALATE, Block.ESCALATE, ESCALATE_CHOICES,
                      form.escalate_after_days,
                      hint="Once, to you by DM, with a button to nudge the person. Weekends and holidays don't count."),
    ]  # fmt: skip
    prefill_option = bk.option("Pre-fill answers with each person's last answer", PREFILL_OPTION)
    prefill: dict[str, Any] = {"type": "checkboxes", "action_id": Action.OPTIONS, "options": [prefill_option]}
    if form.prefill:
        prefill["initial_options"] = [prefill_option]
    blocks.append(bk.input_block("Options", prefill, block_id=Block.OPTIONS, optional=True))
    return bk.modal(
        "Edit stand-up" if editing else "New joint stand-up",
        blocks,
        callback_id=Callback.SETUP,
        submit="Save" if editing else "Create",
        private_metadata=SetupMetadata(standup_id=form.standup_id).encode(),
    )


def _static_input(
    label: str, action_id: str, block_id: str, choices: tuple[tuple[int, str], ...], current: int, *, hint: str
) -> bk.Block:
    options = _options([(text, str(value)) for value, text in choices])
    initial = next((o for o in options if o["value"] == str(current)), options[0])
    return bk.input_block(
        label,
        {"type": "static_select", "action_id": action_id, "options": options, "initial_option": initial},
        block_id=block_id,
        hint=hint,
    )


def build_saved_text(
    name: str, channel_id: str, created: bool, participants: int, dropped: list[str], when: str
) -> str:
    verb = "is set up" if created else "is updated"
    lines = [f"“{escape(name)}” {verb}: {participants} people, {when}, answers in {channel_link(channel_id)}."]
    if dropped:
        shown = ", ".join(mention(u) for u in dropped[:LIST_LIMIT])
        more = f" and {len(dropped) - LIST_LIMIT} more" if len(dropped) > LIST_LIMIT else ""
        lines.append(f"I left out {shown}{more}: deactivated, departed or a bot.")
    return "\n".join(lines)


def describe_when(days: list[int], local_time: str, zone_mode: ZoneMode, timezone: str) -> str:
    zone = "each person's local time" if zone_mode == ZoneMode.PERSONAL else timezone.replace("_", " ")
    return f"{describe_days(days)} at {local_time} ({zone})"


def build_list_text(rows: list[ListRow]) -> str:
    if not rows:
        return "No stand-ups yet. Type `/standup` to set one up."
    lines = ["*Stand-ups in this workspace*"]
    for row in rows[: LIST_LIMIT * 3]:
        paused = " · _paused_" if row.paused else ""
        lines.append(
            f"• *{escape(row.name)}* — {describe_when(row.days, row.local_time, row.zone_mode, row.timezone)}, "
            f"{row.participants} people, in {channel_link(row.channel_id)}, owner {mention(row.owner_id)}{paused}"
        )
    if len(rows) > LIST_LIMIT * 3:
        lines.append(f"…and {len(rows) - LIST_LIMIT * 3} more")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ messages


def build_parent_message(view: ParentView) -> Message:
    title = f"{view.standup_name} · {format_date(view.local_date)}"
    return _message(
        f"Joint stand-up: {title}",
        [
            bk.section(f":sunrise: *Joint stand-up: {escape(title)}*"),
            bk.context(
                "Answers arrive in this thread as people reply to my DM. "
                f"Open until {slack_date(view.closes_at, '{date_short_pretty} {time}')}."
            ),
        ],
    )


def build_prompt_message(view: PromptView, *, reminder: bool = False) -> Message:
    """The one DM of an occurrence (with the asks waiting on the person), or its one reminder."""
    name, day = escape(view.standup_name), format_date(view.local_date)
    if reminder:
        fallback = f"Still time to answer {view.standup_name}"
        intro = (
            f"Still time to answer *{name}* ({day}), "
            f"open until {slack_date(view.closes_at)}. This is the only reminder."
        )
    else:
        fallback = f"Time for {view.standup_name}"
        intro = f":wave: Time for *{name}* ({day}). Your answer goes to the thread in {channel_link(view.channel_id)}."
    blocks: list[bk.Block] = [bk.section(intro), *_asks_blocks(view.asks)]
    blocks.append(
        bk.actions(
            bk.button("Answer stand-up", Action.OPEN_ANSWER, str(view.occurrence_id), style="primary"),
            bk.button("Skip today", Action.SKIP_TODAY, str(view.occurrence_id)),
            block_id=Block.PROMPT_ACTIONS,
        )
    )
    if not reminder:
        blocks.append(bk.context(f"Open until {slack_date(view.closes_at)}. Away? `/standup skip until YYYY-MM-DD`"))
    return _message(fallback, blocks)


def build_skipped_message(standup_name: str) -> Message:
    return _message(
        f"Skipped {standup_name} today",
        [bk.section(f":ok_hand: Skipped *{escape(standup_name)}* today. No reminder will follow.")],
    )


def build_owner_note(text: str) -> Message:
    return _message(text, [bk.section(escape(text))])


def _asks_blocks(asks: list[AskLine]) -> list[bk.Block]:
    if not asks:
        return []
    out: list[bk.Block] = [bk.section("*Waiting on you from the other team:*")]
    for ask in asks[:LIST_LIMIT]:
        out.append(
            bk.section(
                f":raising_hand: {mention(ask.from_user)}: {escape(ask.text)}",
                accessory=bk.button("Mark handled", Action.ASK_HANDLED, str(ask.ask_id)),
            )
        )
    if len(asks) > LIST_LIMIT:
        out.append(bk.context(f"…and {len(asks) - LIST_LIMIT} more"))
    return out


def build_answer_message(view: AnswerView) -> Message:
    marks = []
    if view.late:
        marks.append("late")
    if view.edited:
        marks.append("edited")
    suffix = f" _({', '.join(marks)})_" if marks else ""
    blocks: list[bk.Block] = [
        bk.context(f"{SIDE_EMOJI[view.side]} *{escape(view.name or 'Someone')}* · {view.side.label}{suffix}")
    ]
    for question, answer in view.responses:
        blocks.append(bk.section(f"*{escape(question)}*\n{escape(answer)}"))
    if view.blocker:
        blocks.append(bk.section(f":no_entry: *Blocked:* {escape(view.blocker)}"))
    if view.ask_text:
        state = " :white_check_mark: _handled_" if view.ask_handled else ""
        blocks.append(
            bk.section(f":raising_hand: *Ask for {escape(view.ask_to_name)}:* {escape(view.ask_text)}{state}")
        )
    blocks.append(bk.actions(bk.button("Edit", Action.EDIT_ANSWER, str(view.answer_id)), block_id=Block.ANSWER_ACTIONS))
    fallback = f"{view.name or 'Someone'} ({view.side.label}) answered the stand-up"
    return _message(fallback, blocks)


def build_ask_message(ask: AskLine, *, standup_name: str, channel_id: str) -> Message:
    return _message(
        "An ask for you from the other team",
        [
            bk.section(
                f":raising_hand: {mention(ask.from_user)} needs something from you "
                f"(stand-up *{escape(standup_name)}* in {channel_link(channel_id)}):\n>{escape(ask.text)}"
            ),
            bk.actions(
                bk.button("Mark handled", Action.ASK_HANDLED, str(ask.ask_id), style="primary"),
                block_id=Block.ASK_ACTIONS,
            ),
            bk.context("It stays in your next stand-up prompt until you mark it handled."),
        ],
    )


def build_ask_handled_message(ask: AskLine) -> Message:
    return _message(
        "Ask marked handled",
        [bk.section(f":white_check_mark: Handled: {mention(ask.from_user)}'s ask — {escape(ask.text)}")],
    )


def build_summary_message(view: SummaryView) -> Message:
    title = f"{view.standup_name} · {format_date(view.local_date)}"
    blocks: list[bk.Block] = [bk.section(f":checkered_flag: *Joint stand-up: {escape(title)}* — closed")]
    fields = []
    for side, count in view.sides.items():
        parts = [f"{count.answered} answered"]
        if count.skipped:
            parts.append(f"{count.skipped} skipped")
        if count.away:
            parts.append(f"{count.away} out of office")
        if count.holiday:
            parts.append(f"{count.holiday} off (holiday)")
        if count.missing:
            parts.append(f"{count.missing} missing")
        fields.append(f"*{side.label}*\n" + ", ".join(parts))
    if fields:
        blocks.append(bk.fields_section(fields))
    if view.off:
        shown = [f"{escape(name)} — off (holiday): {escape(holiday)}" for name, holiday in view.off[:LIST_LIMIT]]
        more = f" …and {len(view.off) - LIST_LIMIT} more" if len(view.off) > LIST_LIMIT else ""
        blocks.append(bk.context(":palm_tree: " + "; ".join(shown) + more))
    if view.in_short is not None:
        blocks.append(bk.section(summary_mrkdwn("In short", view.in_short)))
    if view.blockers:
        lines = [f"• {escape(name)} ({side.label}): {escape(text)}" for name, side, text in view.blockers[:LIST_LIMIT]]
        if len(view.blockers) > LIST_LIMIT:
            lines.append(f"…and {len(view.blockers) - LIST_LIMIT} more in the thread")
        blocks.append(bk.section(":no_entry: *Blockers*\n" + "\n".join(lines)))
    if view.asks:
        lines = [
            f"• {escape(src)} → {escape(dst)}: {escape(text)}" + (" :white_check_mark:" if handled else "")
            for src, dst, text, handled in view.asks[:LIST_LIMIT]
        ]
        if len(view.asks) > LIST_LIMIT:
            lines.append(f"…and {len(view.asks) - LIST_LIMIT} more in the thread")
        blocks.append(bk.section(":raising_hand: *Asks across teams*\n" + "\n".join(lines)))
    if not view.blockers and not view.asks:
        blocks.append(bk.context("No blockers, no asks."))
    return _message(f"Joint stand-up: {title} — closed", blocks)


# ------------------------------------------------------------------------------------------ answer modal


def build_answer_modal(form: AnswerForm) -> dict[str, Any]:
    blocks: list[bk.Block] = [bk.context(f"*{escape(form.standup_name)}* · {format_date(form.local_date)}")]
    if form.asks_for_me:
        blocks += _asks_blocks(form.asks_for_me)
    if form.my_last_blocker:
        blocks.append(bk.context(f":no_entry: Last time you were blocked on: {escape(form.my_last_blocker)}"))
    for index, question in enumerate(form.questions):
        initial = form.initial[index] if index < len(form.initial) else ""
        blocks.append(
            bk.input_block(
                question,
                bk.text_input(Action.ANSWER_TEXT, initial=initial or None, multiline=True, max_length=ANSWER_LIMIT),
                block_id=Block.answer(index),
            )
        )
    blocks.append(bk.header(truncate(form.blocker_question, bk.HEADER_TEXT_LIMIT)))
    blocks.append(
        bk.input_block(
            "Blocked on something?",
            bk.text_input(Action.BLOCKER, initial=form.blocker or None, multiline=True, max_length=ANSWER_LIMIT),
            block_id=Block.BLOCKER,
            optional=True,
        )
    )
    ask_user: dict[str, Any] = {"type": "users_select", "action_id": Action.ASK_USER}
    if form.ask_user:
        ask_user["initial_user"] = form.ask_user
    blocks.append(
        bk.input_block(
            "Need something from someone on the other team?",
            ask_user,
            block_id=Block.ASK_USER,
            optional=True,
            hint="They get one DM and can mark it handled.",
        )
    )
    blocks.append(
        bk.input_block(
            "What do you need from them?",
            bk.text_input(Action.ASK_TEXT, initial=form.ask_text or None, multiline=True, max_length=ANSWER_LIMIT),
            block_id=Block.ASK_TEXT,
            optional=True,
        )
    )
    return bk.modal(
        "Edit your answer" if form.editing else "Stand-up",
        blocks,
        callback_id=Callback.ANSWER,
        submit="Update" if form.editing else "Post",
        private_metadata=AnswerMetadata(occurrence_id=form.occurrence_id).encode(),
    )


def build_notice_modal(title: str, text: str) -> dict[str, Any]:
    return bk.modal(title, [bk.section(text)], callback_id="standup_notice", submit=None, close="Close")


# ------------------------------------------------------------------------------------------ days off, escalation


def build_escalation_message(view: EscalationView) -> Message:
    """The owner's one DM about an ask or blocker open too long, with the one nudge button."""
    days = f"{view.working_days} working day{'s' if view.working_days != 1 else ''}"
    where = f"stand-up *{escape(view.standup_name)}* in {channel_link(view.channel_id)}"
    if view.kind == EscalationKind.ASK:
        who = f"{mention(view.from_user)} asked {mention(view.target_user)}"
        what = f"An ask across teams has been open {days} ({where}): {who}"
    else:
        what = f"{mention(view.from_user)} has been blocked for {days} ({where})"
    blocks: list[bk.Block] = [
        bk.section(
            f":hourglass_flowing_sand: {what}, since {slack_date(view.since, '{date_short_pretty}')}:"
            f"\n>{escape(view.text)}"
        ),
        bk.actions(
            bk.button("Nudge them", Action.NUDGE, str(view.escalation_id), style="primary"),
            block_id=Block.NUDGE_ACTIONS,
        ),
        bk.context("One gentle DM to them, once. Nothing is posted in the channel. I won't raise this again."),
    ]
    return _message(f"Open for {days} in {view.standup_name}", blocks)


def build_nudged_message(target_user: str) -> Message:
    return _message("Nudge sent", [bk.section(f":white_check_mark: I sent {mention(target_user)} one gentle nudge.")])


def build_nudge_message(view: NudgeView) -> Message:
    """The one DM a nudge sends (to the person asked, or the blocked person)."""
    since = slack_date(view.since, "{date_short_pretty}")
    if view.kind == EscalationKind.ASK:
        text = (
            f":wave: A gentle nudge from {mention(view.owner_id)} (stand-up *{escape(view.standup_name)}*): "
            f"{mention(view.from_user)}'s ask from {since} is still open:\n>{escape(view.text)}"
        )
    else:
        text = (
            f":wave: A gentle nudge from {mention(view.owner_id)} (stand-up *{escape(view.standup_name)}*): "
            f"you have been blocked since {since}:\n>{escape(view.text)}\n"
            "Is it still blocked? Your next answer can clear it."
        )
    blocks: list[bk.Block] = [bk.section(text)]
    if view.ask_id is not None:
        blocks.append(
            bk.actions(bk.button("Mark handled", Action.ASK_HANDLED, str(view.ask_id)), block_id=Block.ASK_ACTIONS)
        )
    return _message(f"A gentle nudge about {view.standup_name}", blocks)


OWNER_HINT = "Yours, or (as a stand-up's owner or an admin) a participant's."


def build_holidays_modal(form: HolidaysForm) -> dict[str, Any]:
    """ "My public holidays": a country and a region of it; changing the country reloads the regions."""
    default = (
        f"Your Slack time zone ({escape(form.zone)}) suggests *{escape(form.zone_default)}*."
        if form.zone_default
        else f"Your Slack time zone ({escape(form.zone or 'unknown')}) is shared by places with different holidays, "
        "so there is no default: pick yours."
    )
    none = bk.option("No public holidays", NO_CHOICE)
    country_options = [none, *[bk.option(name[:75], code) for code, name in form.countries]]
    groups: dict[str, list[dict[str, Any]]] = {}
    for option in country_options[1:]:
        groups.setdefault(option["text"]["text"][:1].upper(), []).append(option)
    country: dict[str, Any] = {
        "type": "static_select",
        "action_id": Action.HOLIDAY_COUNTRY,
        "option_groups": [{"label": bk.plain_text("—"), "options": [none]}]
        + [{"label": bk.plain_text(letter), "options": options[:100]} for letter, options in sorted(groups.items())],
    }
    chosen = next((o for o in country_options if o["value"] == (form.country or NO_CHOICE)), None)
    if chosen is not None:
        country["initial_option"] = chosen
    national = bk.option("Whole country (national holidays only)", NO_CHOICE)
    sub_options = [national, *[bk.option(f"{name} ({code})"[:75], code) for code, name in form.subdivisions][:99]]
    subdivision: dict[str, Any] = {
        "type": "static_select",
        "action_id": Action.HOLIDAY_SUBDIVISION,
        "options": sub_options,
    }
    initial_sub = next((o for o in sub_options if o["value"] == (form.subdivision or NO_CHOICE)), national)
    subdivision["initial_option"] = initial_sub
    blocks: list[bk.Block] = [
        bk.section(
            "No stand-up prompt or reminder is sent on these public holidays (in the person's own local date); "
            f"summaries show them as off (holiday). {default}"
        ),
        {"type": "input", "block_id": Block.HOLIDAY_USER, "dispatch_action": True,
         "label": bk.plain_text("Whose holidays"), "hint": bk.plain_text(OWNER_HINT),
         "element": {"type": "users_select", "action_id": Action.HOLIDAY_USER, "initial_user": form.user_id}},
        {"type": "input", "block_id": Block.HOLIDAY_COUNTRY, "dispatch_action": True,
         "label": bk.plain_text("Country"), "element": country},
        {"type": "input", "block_id": Block.HOLIDAY_SUBDIVISION, "optional": True,
         "label": bk.plain_text("State or region"), "element": subdivision},
    ]  # fmt: skip
    return bk.modal("Public holidays", blocks, callback_id=Callback.HOLIDAYS)


def build_days_off_text(rows: list[tuple[date, str]]) -> str:
    if not rows:
        return "No company days off ahead. An admin adds one with `/standup holiday add YYYY-MM-DD [name]`."
    lines = [f"• {format_date(day)} ({day.isoformat()})" + (f" — {escape(name)}" if name else "") for day, name in rows]
    return "*Company days off ahead* (no stand-up prompts for anybody):\n" + "\n".join(lines)


def build_day_off_changed_text(verb: str, day: date, name: str) -> str:
    shown = f"{format_date(day)} ({day.isoformat()})" + (f", “{escape(name)}”" if name else "")
    if verb == "add":
        return f"Added {shown} as a company day off: nobody gets a stand-up prompt that day."
    return f"Removed {shown} from the company days off."
