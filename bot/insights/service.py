"""Customer insights: capture, duplicates, +1, triage, closing the loop, list and search.

Every function takes the caller's session and only flushes. Ritual posts (the insight in the
insights channel, its updates, loop-closing DMs and thread replies) go through the outbox with
keys derived from what makes them unique:

- ``insight:{id}:post`` — the insight's message in the insights channel (its ``ts`` is recorded on
  the insight by a result hook; updates reference it with ``result_ref``),
- ``insight:{id}:update:{version}`` — each edit of that message,
- ``insight:{id}:change:{change}:dm:{user}`` / ``:thread`` — the loop-closing notifications of
  one status change.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session, selectinload

from bot.db import insert_ignore
from bot.insights import views
from bot.insights.ids import BlockId, Category, Impact, LoopTarget, Source, Status
from bot.insights.models import (
    CUSTOMER_MAX,
    NOTE_MAX,
    SEGMENT_MAX,
    TAG_MAX,
    TEXT_MAX,
    URL_MAX,
    Insight,
    InsightDraft,
    InsightSettings,
    InsightStatusChange,
    InsightTag,
    InsightTagLink,
    InsightVote,
)
from bot.insights.search import overlap, search_insight_ids, terms
from bot.slack import users as slack_users
from bot.slack.channels import channel_is_external, is_external
from bot.slack.delivery_models import OutboxMessage
from bot.slack.outbox import Ritual, enqueue, result_ref
from bot.slack.text import clean_text  # control characters dropped, ends stripped

RITUAL_KIND = "insights"
POSTED_HOOK = "insights.posted"
PAGE_SIZE = 5
MAX_TAGS = 10
DRAFT_TTL = timedelta(days=1)
SIMILAR_LIMIT = 5
SEARCH_LIMIT = 200


# --- errors ---------------------------------------------------------------------------------------


class InsightError(Exception):
    """A problem the person can act on; ``str()`` is the friendly sentence shown to them."""


class InsightNotFound(InsightError):
    def __init__(self) -> None:
        super().__init__("I can't find that insight any more. It may have been removed.")


class DraftExpired(InsightError):
    def __init__(self) -> None:
        super().__init__(
            "I lost track of what you typed (it was parked for over a day). Please start again with `/insight`."
        )


class NotTriager(InsightError):
    def __init__(self, who: str) -> None:
        super().__init__(f"Only {who} can triage insights. Ask them, or an admin can change this in `/insight setup`.")


class NotAllowedToSetUp(InsightError):
    def __init__(self) -> None:
        super().__init__("Only workspace admins and insight triagers can change the insights setup.")


# --- inputs ---------------------------------------------------------------------------------------


class CaptureForm(BaseModel):
    """What the person typed in the capture modal, before validation (stored as a draft as-is)."""

    model_config = ConfigDict(extra="ignore")

    text: str = ""
    customer: str = ""
    segment: str = ""
    source: str | None = None
    category: str | None = None
    impact: str | None = None
    evidence_url: str = ""
    tags: list[str] = []
    new_tags: str = ""


class CaptureContext(BaseModel):
    """Where a capture came from: the message of a message shortcut, if any."""

    model_config = ConfigDict(extra="ignore")

    source_channel_id: str = ""
    message_ts: str = ""
    thread_ts: str = ""
    author_id: str = ""
    permalink: str = ""


Errors = dict[str, str]

_URL_FORBIDDEN = re.compile(r"[\s<>|\"\\^`{}]")
_TAG_CHARS = re.compile(r"[^\w-]+", re.UNICODE)


def url_problem(value: str) -> str | None:
    """Why ``value`` is not an acceptable link (http/https only), or None if it is fine or empty."""
    if not value:
        return None
    if len(value) > URL_MAX:
        return f"That link is {len(value):,} characters long; the limit is {URL_MAX:,}."
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or _URL_FORBIDDEN.search(value):
        return "That doesn't look like a web link. Paste a full address starting with https:// (or http://)."
    host = parts.hostname or ""
    if not host or ("." not in host and host != "localhost"):
        return "That link has no proper host name. Paste a full address like https://example.com/page."
    return None


def normalize_tag(raw: str) -> str:
    """``"  #Pricing Page "`` -> ``"pricing-page"``; empty when nothing usable is left."""
    tag = raw.strip().lstrip("#").lower()
    tag = re.sub(r"\s+", "-", tag)
    return _TAG_CHARS.sub("", tag).strip("-")


@dataclass(frozen=True)
class CleanCapture:
    text: str
    customer: str
    segment: str
    source: str | None
    category: str | None
    impact: str | None
    evidence_url: str
    tags: list[str]


def _length_error(label: str, value: str, limit: int) -> str | None:
    if len(value) > limit:
        return f"{label} is {len(value):,} characters; the limit is {limit:,}. Please shorten it."
    return None


def _enum_value(value: str | None, enum: type[Source] | type[Category] | type[Impact]) -> tuple[str | None, bool]:
    if not value:
        return None, True
    try:
        return enum(value).value, True
    except ValueError:
        return None, False


def validate_capture(form: CaptureForm) -> tuple[CleanCapture | None, Errors]:
    """Check a capture form. Returns the cleaned values, or the modal errors by block id."""
    errors: Errors = {}
    text = clean_text(form.text)
    customer = clean_text(form.customer)
    segment = clean_text(form.segment)
    evidence = clean_text(form.evidence_url)
    if not text:
        errors[BlockId.TEXT] = "Tell us what you heard: this can't be empty."
    elif problem := _length_error("What you heard", text, TEXT_MAX):
        errors[BlockId.TEXT] = problem + " Link the rest as evidence."
    if problem := _length_error("The customer name", customer, CUSTOMER_MAX):
        errors[BlockId.CUSTOMER] = problem
    if problem := _length_error("The segment", segment, SEGMENT_MAX):
        errors[BlockId.SEGMENT] = problem
    if problem := url_problem(evidence):
        errors[BlockId.EVIDENCE] = problem
    source, ok = _enum_value(form.source, Source)
    if not ok:
        errors[BlockId.SOURCE] = "Pick a source from the list."
    category, ok = _enum_value(form.category, Category)
    if not ok:
        errors[BlockId.CATEGORY] = "Pick a category from the list."
    impact, ok = _enum_value(form.impact, Impact)
    if not ok:
        errors[BlockId.IMPACT] = "Pick an impact from the list."
    tags: list[str] = []
    for raw in [*form.tags, *form.new_tags.split(",")]:
        tag = normalize_tag(raw)
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            errors[BlockId.NEW_TAGS] = f"Tags can be up to {TAG_MAX} characters; “{tag[:20]}…” is longer."
            continue
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        errors[BlockId.NEW_TAGS] = f"Up to {MAX_TAGS} tags per insight, please (you have {len(tags)})."
    if errors:
        return None, errors
    return CleanCapture(text, customer, segment, source, category, impact, evidence, tags), {}


def validate_note(note: str | None, block_id: str = BlockId.NOTE) -> tuple[str, Errors]:
    value = clean_text(note)
    problem = _length_error("The note", value, NOTE_MAX)
    return value, ({block_id: problem} if problem else {})


def validate_plus_one(customer: str | None, note: str | None) -> tuple[str, str, Errors]:
    customer_value = clean_text(customer)
    note_value, errors = validate_note(note)
    if problem := _length_error("The customer name", customer_value, CUSTOMER_MAX):
        errors[BlockId.CUSTOMER] = problem
    return customer_value, note_value, errors


def validate_triage(status: str | None, note: str | None, roadmap_url: str | None) -> tuple[Status, str, str, Errors]:
    note_value, errors = validate_note(note)
    roadmap = clean_text(roadmap_url)
    if problem := url_problem(roadmap):
        errors[BlockId.ROADMAP] = problem
    try:
        chosen = Status(status or "")
    except ValueError:
        errors[BlockId.STATUS] = "Pick a status from the list."
        chosen = Status.NEW
    return chosen, note_value, roadmap, errors


# --- settings and permissions -----------------------------------------------------------------------


def get_settings(session: Session, team_id: str, now: datetime) -> InsightSettings:
    settings = session.get(InsightSettings, team_id)
    if settings is None:
        # Race-free: two first captures at once both "create" the row; one insert wins.
        insert_ignore(
            session,
            InsightSettings,
            {
                "team_id": team_id,
                "channel_id": None,
                "triager_user_ids": [],
                "triager_usergroup_id": None,
                "notify_submitter": True,
                "notify_plus_ones": True,
                "notify_thread": True,
                "last_number": 0,
                "updated_by": "",
                "updated_at": now,
            },
            ["team_id"],
        )
        settings = session.get_one(InsightSettings, team_id)
    return settings


def next_insight_number(session: Session, team_id: str, now: datetime) -> int:
    """Hand out the next "#n" for a workspace: one atomic UPDATE ... RETURNING, so two captures at
    once (several threads or replicas) always get different numbers."""
    get_settings(session, team_id, now)
    return session.execute(
        update(InsightSettings)
        .where(InsightSettings.team_id == team_id)
        .values(last_number=InsightSettings.last_number + 1)
        .returning(InsightSettings.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def loop_targets(settings: InsightSettings) -> list[LoopTarget]:
    chosen = {
        LoopTarget.SUBMITTER: settings.notify_submitter,
        LoopTarget.PLUS_ONES: settings.notify_plus_ones,
        LoopTarget.THREAD: settings.notify_thread,
    }
    return [target for target, on in chosen.items() if on]


def triagers_label(settings: InsightSettings) -> str:
    if settings.triager_usergroup_id or settings.triager_user_ids:
        parts = [f"<!subteam^{settings.triager_usergroup_id}>"] if settings.triager_usergroup_id else []
        parts += [f"<@{user}>" for user in settings.triager_user_ids[:10]]
        return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]
    return "workspace admins"


def is_triager(settings: InsightSettings, user_id: str, *, is_admin: bool, group_members: Collection[str]) -> bool:
    """Configured triagers (a user list and/or a user group); workspace admins when none is set."""
    configured = bool(settings.triager_user_ids or settings.triager_usergroup_id)
    if not configured:
        return is_admin
    return user_id in settings.triager_user_ids or user_id in group_members


def check_triager(session: Session, client: WebClient, team_id: str, user_id: str, now: datetime) -> InsightSettings:
    """Raise NotTriager unless ``user_id`` may triage; returns the workspace's settings."""
    settings = get_settings(session, team_id, now)
    members: list[str] = []
    if settings.triager_usergroup_id and user_id not in settings.triager_user_ids:
        members = slack_users.usergroup_members(client, settings.triager_usergroup_id)
    is_admin = False
    if not (settings.triager_user_ids or settings.triager_usergroup_id):
        is_admin = slack_users.is_workspace_admin(client, team_id, user_id)
    if not is_triager(settings, user_id, is_admin=is_admin, group_members=members):
        raise NotTriager(triagers_label(settings))
    return settings


def check_can_set_up(session: Session, client: WebClient, team_id: str, user_id: str, now: datetime) -> None:
    """Workspace admins, and the triagers once configured, may change the setup."""
    if slack_users.is_workspace_admin(client, team_id, user_id):
        return
    settings = get_settings(session, team_id, now)
    if not (settings.triager_user_ids or settings.triager_usergroup_id):
        raise NotAllowedToSetUp()
    try:
        check_triager(session, client, team_id, user_id, now)
    except NotTriager:
        raise NotAllowedToSetUp() from None


@dataclass(frozen=True)
class SetupChoice:
    channel_id: str
    triager_user_ids: list[str]
    triager_usergroup_id: str | None
    loop: list[LoopTarget]


def channel_problem(client: WebClient, channel_id: str) -> str | None:
    """Why Tandem could not post in ``channel_id``, or None. Shared channels are refused: insights
    name customers, and a channel shared with another organisation may include them."""
    if not channel_id:
        return "Pick the channel where insights should be posted."
    try:
        info = client.conversations_info(channel=channel_id).get("channel") or {}
    except SlackApiError as error:
        if error.response.get("error") == "channel_not_found":
            return "I can't see that channel. If it's private, invite me first with `/invite @Tandem`."
        raise
    if is_external(info):
        return "That channel is shared with another organisation. Pick an internal channel: insights name customers."
    if info.get("is_archived"):
        return "That channel is archived. Pick another one."
    if not info.get("is_member"):
        return "I'm not in that channel yet. Invite me with `/invite @Tandem`, then save again."
    return None


def setup_state(session: Session, client: WebClient, team_id: str, user_id: str, now: datetime) -> views.SetupState:
    """What ``/insight setup`` shows (admins and triagers). Raises NotAllowedToSetUp."""
    check_can_set_up(session, client, team_id, user_id, now)
    settings = get_settings(session, team_id, now)
    try:
        groups = client.usergroups_list().get("usergroups") or []
    except SlackApiError as error:
        logging.getLogger(__name__).info("no user groups for setup: %s", error.response.get("error"))
        groups = []
    return views.SetupState(
        channel_id=settings.channel_id,
        triager_user_ids=list(settings.triager_user_ids),
        triager_usergroup_id=settings.triager_usergroup_id,
        loop=loop_targets(settings),
        usergroups=[(str(g["id"]), str(g.get("handle") or g.get("name") or g["id"])) for g in groups if g.get("id")],
    )


def save_setup(
    session: Session, client: WebClient, team_id: str, user_id: str, choice: SetupChoice, now: datetime
) -> Errors:
    """Save ``/insight setup`` (admins and triagers). Returns modal errors; raises NotAllowedToSetUp."""
    check_can_set_up(session, client, team_id, user_id, now)
    if problem := channel_problem(client, choice.channel_id):
        return {BlockId.CHANNEL: problem}
    settings = get_settings(session, team_id, now)
    settings.channel_id = choice.channel_id or None
    settings.triager_user_ids = sorted(set(choice.triager_user_ids))
    settings.triager_usergroup_id = choice.triager_usergroup_id or None
    settings.notify_submitter = LoopTarget.SUBMITTER in choice.loop
    settings.notify_plus_ones = LoopTarget.PLUS_ONES in choice.loop
    settings.notify_thread = LoopTarget.THREAD in choice.loop
    settings.updated_by = user_id
    settings.updated_at = now
    session.flush()
    # Insights captured before there was a channel are posted now: nothing captured is left behind.
    if settings.channel_id:
        waiting = session.scalars(
            select(Insight).where(Insight.team_id == team_id, Insight.channel_id == "").order_by(Insight.id)
        )
        for insight in waiting:
            _post_to_channel(session, insight, settings, now)
    return {}


# --- capture ----------------------------------------------------------------------------------------


def list_tag_names(session: Session, team_id: str, limit: int = 100) -> list[str]:
    return list(
        session.scalars(
            select(InsightTag.name).where(InsightTag.team_id == team_id).order_by(InsightTag.name).limit(limit)
        )
    )


def _tags(session: Session, team_id: str, names: Sequence[str], now: datetime) -> list[InsightTag]:
    if not names:
        return []
    existing = {
        tag.name: tag
        for tag in session.scalars(select(InsightTag).where(InsightTag.team_id == team_id, InsightTag.name.in_(names)))
    }
    result = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = InsightTag(team_id=team_id, name=name, created_at=now)
            session.add(tag)
            existing[name] = tag
        result.append(tag)
    session.flush()
    return result


def get_insight(session: Session, team_id: str, insight_id: int) -> Insight:
    insight = session.scalar(
        select(Insight)
        .where(Insight.team_id == team_id, Insight.id == insight_id)
        .options(selectinload(Insight.tags), selectinload(Insight.votes))
    )
    if insight is None:
        raise InsightNotFound()
    return insight


def capture_insight(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    capture: CleanCapture,
    context: CaptureContext,
    now: datetime,
    capture_view_id: str | None = None,
) -> Insight:
    """Store a new insight and queue its post in the insights channel (if one is set up)."""
    number = next_insight_number(session, team_id, now)
    settings = get_settings(session, team_id, now)
    insight = Insight(
        team_id=team_id,
        number=number,
        capture_view_id=capture_view_id,
        text=capture.text,
        customer=capture.customer,
        segment=capture.segment,
        source=capture.source,
        category=capture.category,
        impact=capture.impact,
        evidence_url=capture.evidence_url,
        status=Status.NEW.value,
        status_note="",
        roadmap_url="",
        submitted_by=user_id,
        source_channel_id=context.source_channel_id if context.message_ts else "",
        source_message_ts=context.message_ts,
        source_thread_ts=context.thread_ts,
        source_author_id=context.author_id,
        source_permalink=context.permalink if not url_problem(context.permalink) else "",
        channel_id="",
        message_ts=None,
        version=0,
        created_at=now,
        updated_at=now,
    )
    session.add(insight)
    session.flush()
    insight.tags = _tags(session, team_id, capture.tags, now)
    session.flush()
    if settings.channel_id:
        _post_to_channel(session, insight, settings, now)
    return insight


def find_similar(session: Session, team_id: str, text: str, *, exclude: int | None = None) -> list[Insight]:
    """Existing insights that sound like ``text``: full-text candidates, kept if enough words overlap."""
    wanted = terms(text)
    if not wanted:
        return []
    ids = search_insight_ids(session, team_id, text, any_term=True, limit=25)
    if not ids:
        return []
    found = {
        insight.id: insight
        for insight in session.scalars(
            select(Insight)
            .where(Insight.team_id == team_id, Insight.id.in_(ids))
            .options(selectinload(Insight.votes), selectinload(Insight.tags))
        )
    }
    needed = min(2, len(wanted))
    similar = []
    for insight_id in ids:
        insight = found.get(insight_id)
        if insight is None or insight.id == exclude:
            continue
        score = overlap(wanted, f"{insight.text} {insight.customer}")
        if score * len(wanted) >= needed and score >= 0.4:
            similar.append(insight)
        if len(similar) >= SIMILAR_LIMIT:
            break
    return similar


def park_draft(
    session: Session, *, team_id: str, user_id: str, form: CaptureForm, context: CaptureContext, now: datetime
) -> InsightDraft:
    """Keep what someone typed while they decide about similar insights."""
    session.execute(
        delete(InsightDraft).where(InsightDraft.team_id == team_id, InsightDraft.created_at < now - DRAFT_TTL)
    )
    draft = InsightDraft(
        team_id=team_id,
        user_id=user_id,
        data={"form": form.model_dump(), "context": context.model_dump()},
        created_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def load_draft(session: Session, team_id: str, user_id: str, draft_id: int) -> tuple[CaptureForm, CaptureContext]:
    draft = session.scalar(
        select(InsightDraft).where(
            InsightDraft.team_id == team_id, InsightDraft.id == draft_id, InsightDraft.user_id == user_id
        )
    )
    if draft is None:
        raise DraftExpired()
    return CaptureForm.model_validate(draft.data.get("form") or {}), CaptureContext.model_validate(
        draft.data.get("context") or {}
    )


@dataclass(frozen=True)
class CaptureOutcome:
    insight: Insight
    plus_one: bool  # True: the person added their voice to an existing insight
    channel_id: str | None  # where the insight is (or will be) posted


@dataclass(frozen=True)
class SubmitOutcome:
    """What to do after the capture modal is submitted: show errors, offer duplicates, or done."""

    errors: Errors = field(default_factory=dict)
    similar: list[Insight] = field(default_factory=list)
    draft_id: int | None = None
    done: CaptureOutcome | None = None


def submit_capture(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    form: CaptureForm,
    context: CaptureContext,
    now: datetime,
    view_id: str | None = None,
) -> SubmitOutcome:
    """The capture modal's submission: validate, look for duplicates, else save.

    ``view_id`` makes it idempotent: the same modal submitted again (a double click, a re-sent
    request) answers with the insight it already saved instead of saving another.
    """
    capture, errors = validate_capture(form)
    if capture is None:
        return SubmitOutcome(errors=errors)
    if view_id:
        saved = session.scalar(select(Insight).where(Insight.team_id == team_id, Insight.capture_view_id == view_id))
        if saved is not None:
            return SubmitOutcome(done=CaptureOutcome(saved, False, get_settings(session, team_id, now).channel_id))
    similar = find_similar(session, team_id, capture.text)
    if similar:
        draft = park_draft(session, team_id=team_id, user_id=user_id, form=form, context=context, now=now)
        return SubmitOutcome(similar=similar, draft_id=draft.id)
    insight = capture_insight(
        session, team_id=team_id, user_id=user_id, capture=capture, context=context, now=now, capture_view_id=view_id
    )
    return SubmitOutcome(done=CaptureOutcome(insight, False, get_settings(session, team_id, now).channel_id))


def resolve_draft(
    session: Session, *, team_id: str, user_id: str, draft_id: int, plus_one_of: int | None, now: datetime
) -> CaptureOutcome:
    """The duplicate offer's answer: +1 an existing insight (``plus_one_of``) or save as new."""
    form, context = load_draft(session, team_id, user_id, draft_id)
    capture, _errors = validate_capture(form)
    if capture is None:  # validated before parking; only a hand-made payload gets here
        raise DraftExpired()
    if plus_one_of is not None:
        insight = add_plus_one(
            session,
            team_id=team_id,
            insight_id=plus_one_of,
            user_id=user_id,
            customer=capture.customer,
            note=capture.text,
            now=now,
        )
        outcome = CaptureOutcome(insight, True, insight.channel_id or None)
    else:
        insight = capture_insight(session, team_id=team_id, user_id=user_id, capture=capture, context=context, now=now)
        outcome = CaptureOutcome(insight, False, get_settings(session, team_id, now).channel_id)
    session.execute(delete(InsightDraft).where(InsightDraft.team_id == team_id, InsightDraft.id == draft_id))
    return outcome


# --- +1 and triage ----------------------------------------------------------------------------------


def add_plus_one(
    session: Session, *, team_id: str, insight_id: int, user_id: str, customer: str, note: str, now: datetime
) -> Insight:
    """Record "heard this too" (one per person: a second one updates the first)."""
    insight = get_insight(session, team_id, insight_id)
    vote = next((v for v in insight.votes if v.user_id == user_id), None)
    customer = clean_text(customer)[:CUSTOMER_MAX]
    note = clean_text(note)
    if vote is None:
        insight.votes.append(
            InsightVote(team_id=team_id, user_id=user_id, customer=customer, note=note, created_at=now)
        )
    else:
        vote.customer = customer or vote.customer
        vote.note = note or vote.note
    insight.updated_at = now
    session.flush()
    _update_channel_message(session, insight, now)
    return insight


@dataclass(frozen=True)
class TriageTarget:
    insight: Insight
    # The insight came from a thread in a channel shared with another organisation: the triage
    # modal offers to tell them there (never by default).
    customer_channel: str | None


def triage_target(
    session: Session, client: WebClient, team_id: str, user_id: str, insight_id: int, now: datetime
) -> TriageTarget:
    """The insight a triager is about to triage. Raises NotTriager or InsightNotFound."""
    settings = check_triager(session, client, team_id, user_id, now)
    insight = get_insight(session, team_id, insight_id)
    return TriageTarget(insight, customer_channel(client, insight, settings))


def _source_thread(insight: Insight, settings: InsightSettings) -> bool:
    """Whether the workspace answers in the thread an insight was captured from (and it has one)."""
    return bool(settings.notify_thread and insight.source_channel_id and insight.source_message_ts)


def customer_channel(client: WebClient, insight: Insight, settings: InsightSettings) -> str | None:
    """The insight's source channel if a reply there would reach another organisation, else None.

    A channel Slack won't describe (deleted, private without us) counts as theirs: no reply
    goes there unasked. The outbox drainer checks again right before posting."""
    if not _source_thread(insight, settings):
        return None
    try:
        external = channel_is_external(client, insight.source_channel_id)
    except SlackApiError as error:
        logging.getLogger(__name__).info(
            "conversations.info failed for an insight's source channel: %s", error.response.get("error")
        )
        external = True
    return insight.source_channel_id if external else None


@dataclass(frozen=True)
class TriageOutcome:
    insight: Insight
    change: InsightStatusChange | None  # None when the status stayed the same
    # The thread reply was not sent because the channel is shared with another organisation; the
    # triager may still choose it (``reply_in_customer_thread``).
    customer_channel: str | None = None


def triage(
    session: Session,
    client: WebClient,
    *,
    team_id: str,
    insight_id: int,
    user_id: str,
    status: Status,
    note: str,
    roadmap_url: str,
    now: datetime,
) -> TriageOutcome:
    """Change an insight's status (triagers only) and close the loop with whoever shared or +1'd it."""
    settings = check_triager(session, client, team_id, user_id, now)
    insight = get_insight(session, team_id, insight_id)
    previous = Status(insight.status)
    insight.status = status.value
    insight.status_note = note
    insight.roadmap_url = roadmap_url
    insight.updated_at = now
    change = None
    held_back_in: str | None = None
    if status != previous:
        change = InsightStatusChange(
            team_id=team_id,
            insight_id=insight.id,
            from_status=previous.value,
            to_status=status.value,
            note=note,
            roadmap_url=roadmap_url,
            changed_by=user_id,
            changed_at=now,
        )
        session.add(change)
        session.flush()
        held_back_in = customer_channel(client, insight, settings)
        _close_the_loop(session, insight, change, settings, now, in_thread=held_back_in is None)
    session.flush()
    _update_channel_message(session, insight, now)
    return TriageOutcome(insight, change, held_back_in)


def thread_reply_preview(insight: Insight, change: InsightStatusChange) -> dict[str, Any]:
    """Exactly what ``reply_in_customer_thread`` posts for ``change``."""
    return views.build_thread_reply(_notice(insight, change))


def reply_in_customer_thread(
    session: Session,
    client: WebClient,
    *,
    team_id: str,
    insight_id: int,
    change_id: int,
    user_id: str,
    now: datetime,
) -> InsightStatusChange:
    """A triager chose to tell the customer's own thread about ``change`` (after seeing the text):
    one reply, recorded with who chose it and when. Choosing again changes nothing."""
    settings = check_triager(session, client, team_id, user_id, now)
    insight = get_insight(session, team_id, insight_id)
    change = session.scalar(
        select(InsightStatusChange).where(
            InsightStatusChange.team_id == team_id,
            InsightStatusChange.insight_id == insight.id,
            InsightStatusChange.id == change_id,
        )
    )
    if change is None or not _source_thread(insight, settings):
        raise InsightNotFound()
    if change.thread_reply_by:
        return change
    change.thread_reply_by = user_id
    change.thread_reply_at = now
    session.flush()
    _enqueue_thread_reply(session, insight, change, now, chosen=True)
    return change


# --- outbox -----------------------------------------------------------------------------------------


def post_key(insight: Insight) -> str:
    return f"insight:{insight.id}:post"


def _card(insight: Insight) -> views.InsightCard:
    return views.InsightCard(
        id=insight.id,
        number=insight.number,
        text=insight.text,
        customer=insight.customer,
        segment=insight.segment,
        source=Source(insight.source) if insight.source else None,
        category=Category(insight.category) if insight.category else None,
        impact=Impact(insight.impact) if insight.impact else None,
        evidence_url=insight.evidence_url,
        tags=insight.tag_names,
        status=Status(insight.status),
        status_note=insight.status_note,
        roadmap_url=insight.roadmap_url,
        submitted_by=insight.submitted_by,
        plus_ones=len(insight.votes),
        plus_one_customers=[v.customer for v in insight.votes if v.customer],
        created_at=insight.created_at,
        channel_id=insight.channel_id,
        message_ts=insight.message_ts,
        source_permalink=insight.source_permalink,
    )


def card(insight: Insight) -> views.InsightCard:
    return _card(insight)


def _post_to_channel(session: Session, insight: Insight, settings: InsightSettings, now: datetime) -> None:
    assert settings.channel_id
    insight.channel_id = settings.channel_id
    session.flush()
    enqueue(
        session,
        team_id=insight.team_id,
        method="chat.postMessage",
        args={"channel": settings.channel_id, "unfurl_links": False, **views.build_insight_message(_card(insight))},
        key=post_key(insight),
        now=now,
        ritual=Ritual(RITUAL_KIND, insight.id, settings.updated_by or insight.submitted_by),
        on_result=POSTED_HOOK,
    )


def _update_channel_message(session: Session, insight: Insight, now: datetime) -> None:
    if not insight.channel_id:
        return
    insight.version += 1
    session.flush()
    enqueue(
        session,
        team_id=insight.team_id,
        method="chat.update",
        args={
            "channel": insight.channel_id,
            "ts": result_ref(post_key(insight)),
            **views.build_insight_message(_card(insight)),
        },
        key=f"insight:{insight.id}:update:{insight.version}",
        now=now,
    )


def _notice(insight: Insight, change: InsightStatusChange) -> views.StatusNotice:
    return views.StatusNotice(
        number=insight.number,
        text=insight.text,
        status=Status(change.to_status),
        note=change.note,
        roadmap_url=change.roadmap_url,
        changed_by=change.changed_by,
        insight_permalink_channel=insight.channel_id,
    )


def _close_the_loop(
    session: Session,
    insight: Insight,
    change: InsightStatusChange,
    settings: InsightSettings,
    now: datetime,
    *,
    in_thread: bool,
) -> None:
    """DM the submitter and the +1ers; reply in the source thread only if ``in_thread`` (it is
    internal): a customer's channel hears only what a triager chose for it."""
    notice = _notice(insight, change)
    recipients: dict[str, bool] = {}  # user -> is the submitter
    if settings.notify_submitter:
        recipients[insight.submitted_by] = True
    if settings.notify_plus_ones:
        for vote in insight.votes:
            recipients.setdefault(vote.user_id, False)
    recipients.pop(change.changed_by, None)  # the triager knows already
    for user_id, is_submitter in recipients.items():
        enqueue(
            session,
            team_id=insight.team_id,
            method="chat.postMessage",
            args={"channel": user_id, **views.build_status_dm(notice, submitter=is_submitter)},
            key=f"insight:{insight.id}:change:{change.id}:dm:{user_id}",
            now=now,
        )
    if in_thread and _source_thread(insight, settings):
        _enqueue_thread_reply(session, insight, change, now, chosen=False)


def _enqueue_thread_reply(
    session: Session, insight: Insight, change: InsightStatusChange, now: datetime, *, chosen: bool
) -> None:
    enqueue(
        session,
        team_id=insight.team_id,
        method="chat.postMessage",
        args={
            "channel": insight.source_channel_id,
            "thread_ts": insight.source_thread_ts or insight.source_message_ts,
            "unfurl_links": False,
            **views.build_thread_reply(_notice(insight, change)),
        },
        key=f"insight:{insight.id}:change:{change.id}:thread",
        now=now,
        # If the bot is not in that channel, the person who captured it hears how to fix it.
        ritual=Ritual(RITUAL_KIND, insight.id, insight.submitted_by),
        allow_external=chosen,
    )


def _record_posted(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    insight_id = int(row.key.split(":")[1])
    insight = session.scalar(select(Insight).where(Insight.team_id == row.team_id, Insight.id == insight_id))
    if insight is not None:
        insight.message_ts = str(result.get("ts") or "") or None
        insight.channel_id = str(result.get("channel") or insight.channel_id)


RESULT_HOOKS = {POSTED_HOOK: _record_posted}


# --- list and search --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InsightFilter:
    kind: str  # "all" | "mine" | "status" | "category" | "tag" | "search"
    value: str = ""

    @property
    def label(self) -> str:
        if self.kind == "mine":
            return "shared by you"
        if self.kind == "status":
            return f"status {Status(self.value).label}"
        if self.kind == "category":
            return Category(self.value).label
        if self.kind == "tag":
            return f"tag #{self.value}"
        if self.kind == "search":
            return f"matching “{self.value}”"
        return "most recent"


def _squash(value: str) -> str:
    return re.sub(r"[^a-z0-9]", "", value.lower())


def parse_filter(argument: str) -> InsightFilter:
    """``/insight list [category | tag | status | mine]``: status, then category, then tag."""
    word = argument.strip()
    if not word:
        return InsightFilter("all")
    squashed = _squash(word)
    if squashed in ("mine", "me", "my"):
        return InsightFilter("mine")
    for status in Status:
        if squashed in (_squash(status.value), _squash(status.label)):
            return InsightFilter("status", status.value)
    for category in Category:
        label = _squash(category.label)
        if squashed == _squash(category.value) or (len(squashed) >= 4 and label.startswith(squashed)):
            return InsightFilter("category", category.value)
    return InsightFilter("tag", normalize_tag(word))


@dataclass(frozen=True)
class InsightPage:
    filter: InsightFilter
    cards: list[views.InsightCard]
    page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def filter_from_pager(pager: views.PagerValue | None) -> InsightFilter:
    """Rebuild a list filter from a "Next page" button value, which came back through the client."""
    if pager is None:
        return InsightFilter("all")
    if pager.kind == "mine":
        return InsightFilter("mine")
    if pager.kind == "status" and pager.value in set(Status):
        return InsightFilter("status", pager.value)
    if pager.kind == "category" and pager.value in set(Category):
        return InsightFilter("category", pager.value)
    if pager.kind == "tag" and normalize_tag(pager.value):
        return InsightFilter("tag", normalize_tag(pager.value))
    if pager.kind == "search" and pager.value.strip():
        return InsightFilter("search", pager.value.strip()[:200])
    return InsightFilter("all")


def list_insights(session: Session, team_id: str, user_id: str, flt: InsightFilter, page: int = 1) -> InsightPage:
    page = max(1, page)
    if flt.kind == "search":
        ids = search_insight_ids(session, team_id, flt.value, limit=SEARCH_LIMIT)
        window = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        by_id = {
            i.id: i
            for i in session.scalars(
                select(Insight)
                .where(Insight.team_id == team_id, Insight.id.in_(window))
                .options(selectinload(Insight.tags), selectinload(Insight.votes))
            )
        }
        return InsightPage(flt, [_card(by_id[i]) for i in window if i in by_id], page, len(ids))
    query = select(Insight).where(Insight.team_id == team_id)
    if flt.kind == "mine":
        query = query.where(Insight.submitted_by == user_id)
    elif flt.kind == "status":
        query = query.where(Insight.status == flt.value)
    elif flt.kind == "category":
        query = query.where(Insight.category == flt.value)
    elif flt.kind == "tag":
        query = query.where(
            Insight.id.in_(
                select(InsightTagLink.insight_id)
                .join(InsightTag, InsightTag.id == InsightTagLink.tag_id)
                .where(InsightTag.team_id == team_id, InsightTag.name == flt.value)
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Insight.created_at.desc(), Insight.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .options(selectinload(Insight.tags), selectinload(Insight.votes))
    )
    return InsightPage(flt, [_card(i) for i in rows], page, total)
