"""Modal state and command text -> insights data, its validation ({block_id: message}), and the
typed ``private_metadata`` and button values (the views encode them, the listeners decode them)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.insights.data import (
    CUSTOMER_MAX,
    MAX_TAGS,
    NOTE_MAX,
    SEGMENT_MAX,
    TAG_MAX,
    TELL_VALUE,
    TEXT_MAX,
    URL_MAX,
    CaptureContext,
    CaptureForm,
    CleanCapture,
    DraftExpired,
    Errors,
    InsightError,
    InsightFilter,
    SetupChoice,
)
from bot.insights.ids import Action, Block, Category, Impact, LoopTarget, Source, Status
from bot.slack import forms
from bot.slack.metadata import MetadataError, ViewMetadata
from bot.slack.text import clean_text  # control characters dropped, ends stripped

# --- private_metadata and button values -----------------------------------------------------------


class CaptureMetadata(ViewMetadata):
    """Where the capture came from (message shortcut); empty for ``/insight``."""

    source_channel_id: str = ""
    message_ts: str = ""
    thread_ts: str = ""
    author_id: str = ""
    permalink: str = ""


class DraftMetadata(ViewMetadata):
    draft_id: int


class InsightMetadata(ViewMetadata):
    insight_id: int


class ThreadReplyMetadata(ViewMetadata):
    """The preview of one reply in a customer's thread: which status change it tells about."""

    insight_id: int
    change_id: int


class PagerValue(BaseModel):
    """The "Next page" button's value: which list, which page. Re-validated on click."""

    model_config = ConfigDict(extra="forbid")

    kind: str
    value: str = ""
    page: int = 1

    def encode(self) -> str:
        return self.model_dump_json()

    @classmethod
    def decode(cls, text: str | None) -> PagerValue | None:
        try:
            return cls.model_validate_json(text or "")
        except ValidationError:
            return None


M = TypeVar("M", bound=ViewMetadata)


def metadata(cls: type[M], view: Mapping[str, Any]) -> M:
    """The view's ``private_metadata`` as ``cls``; an ``InsightError`` when it can't be read."""
    try:
        return cls.decode(view.get("private_metadata"))
    except MetadataError as error:
        raise InsightError(str(error)) from None


def draft_metadata(view: Mapping[str, Any]) -> DraftMetadata:
    """The duplicate offer's draft; an unreadable one is a draft we lost (``DraftExpired``)."""
    try:
        return DraftMetadata.decode(view.get("private_metadata"))
    except MetadataError:
        raise DraftExpired() from None


def capture_metadata(view: Mapping[str, Any]) -> CaptureMetadata:
    """Where a capture came from; an unreadable one is a plain ``/insight`` capture."""
    try:
        return CaptureMetadata.decode(view.get("private_metadata"))
    except MetadataError:
        return CaptureMetadata()


def capture_context(meta: CaptureMetadata) -> CaptureContext:
    return CaptureContext.model_validate(meta.model_dump())


# --- modal state ----------------------------------------------------------------------------------


def parse_capture(state: forms.State) -> CaptureForm:
    return CaptureForm(
        text=forms.text(state, Block.TEXT, Action.INPUT),
        customer=forms.text(state, Block.CUSTOMER, Action.INPUT),
        segment=forms.text(state, Block.SEGMENT, Action.INPUT),
        source=forms.selected(state, Block.SOURCE, Action.INPUT),
        category=forms.selected(state, Block.CATEGORY, Action.INPUT),
        impact=forms.selected(state, Block.IMPACT, Action.INPUT),
        evidence_url=forms.text(state, Block.EVIDENCE, Action.INPUT),
        tags=forms.selected_values(state, Block.TAGS, Action.INPUT),
        new_tags=forms.text(state, Block.NEW_TAGS, Action.INPUT),
    )


def parse_duplicate_choice(state: forms.State) -> int | None:
    """The insight id to +1, or None for "save as new"."""
    chosen = forms.selected(state, Block.CHOICE, Action.INPUT)
    if chosen and chosen.isdigit():
        return int(chosen)
    return None


def parse_plus_one(state: forms.State) -> tuple[str, str]:
    """(customer, note) as typed in the "Heard this too" modal."""
    return forms.text(state, Block.CUSTOMER, Action.INPUT), forms.text(state, Block.NOTE, Action.INPUT)


def parse_triage(state: forms.State) -> tuple[str | None, str, str]:
    """(status, note, roadmap link) as chosen in the triage modal."""
    return (
        forms.selected(state, Block.STATUS, Action.INPUT),
        forms.text(state, Block.NOTE, Action.INPUT),
        forms.text(state, Block.ROADMAP, Action.INPUT),
    )


def parse_tell_thread(state: forms.State) -> bool:
    """Whether the triager ticked "Also tell them in #channel"."""
    return TELL_VALUE in forms.selected_values(state, Block.TELL_THREAD, Action.INPUT)


def parse_setup(state: forms.State) -> SetupChoice:
    return SetupChoice(
        channel_id=forms.conversation(state, Block.CHANNEL, Action.INPUT) or "",
        triager_user_ids=forms.users(state, Block.TRIAGER_USERS, Action.INPUT),
        triager_usergroup_id=forms.selected(state, Block.TRIAGER_GROUP, Action.INPUT),
        loop=[LoopTarget(v) for v in forms.selected_values(state, Block.LOOP, Action.INPUT) if v in set(LoopTarget)],
    )


# --- validation -----------------------------------------------------------------------------------

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
        errors[Block.TEXT] = "Tell us what you heard: this can't be empty."
    elif problem := _length_error("What you heard", text, TEXT_MAX):
        errors[Block.TEXT] = problem + " Link the rest as evidence."
    if problem := _length_error("The customer name", customer, CUSTOMER_MAX):
        errors[Block.CUSTOMER] = problem
    if problem := _length_error("The segment", segment, SEGMENT_MAX):
        errors[Block.SEGMENT] = problem
    if problem := url_problem(evidence):
        errors[Block.EVIDENCE] = problem
    source, ok = _enum_value(form.source, Source)
    if not ok:
        errors[Block.SOURCE] = "Pick a source from the list."
    category, ok = _enum_value(form.category, Category)
    if not ok:
        errors[Block.CATEGORY] = "Pick a category from the list."
    impact, ok = _enum_value(form.impact, Impact)
    if not ok:
        errors[Block.IMPACT] = "Pick an impact from the list."
    tags: list[str] = []
    for raw in [*form.tags, *form.new_tags.split(",")]:
        tag = normalize_tag(raw)
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            errors[Block.NEW_TAGS] = f"Tags can be up to {TAG_MAX} characters; “{tag[:20]}…” is longer."
            continue
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        errors[Block.NEW_TAGS] = f"Up to {MAX_TAGS} tags per insight, please (you have {len(tags)})."
    if errors:
        return None, errors
    return CleanCapture(text, customer, segment, source, category, impact, evidence, tags), {}


def validate_note(note: str | None, block_id: str = Block.NOTE) -> tuple[str, Errors]:
    value = clean_text(note)
    problem = _length_error("The note", value, NOTE_MAX)
    return value, ({block_id: problem} if problem else {})


def validate_plus_one(customer: str | None, note: str | None) -> tuple[str, str, Errors]:
    customer_value = clean_text(customer)
    note_value, errors = validate_note(note)
    if problem := _length_error("The customer name", customer_value, CUSTOMER_MAX):
        errors[Block.CUSTOMER] = problem
    return customer_value, note_value, errors


def validate_triage(status: str | None, note: str | None, roadmap_url: str | None) -> tuple[Status, str, str, Errors]:
    note_value, errors = validate_note(note)
    roadmap = clean_text(roadmap_url)
    if problem := url_problem(roadmap):
        errors[Block.ROADMAP] = problem
    try:
        chosen = Status(status or "")
    except ValueError:
        errors[Block.STATUS] = "Pick a status from the list."
        chosen = Status.NEW
    return chosen, note_value, roadmap, errors


# --- command text ---------------------------------------------------------------------------------


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


def filter_from_pager(pager: PagerValue | None) -> InsightFilter:
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


_SLACK_TOKEN = re.compile(r"<([^<>]*)>")


def message_to_plain(text: str) -> str:
    """A Slack message's mrkdwn as the plain words a person would type in the capture modal."""

    def replace(match: re.Match[str]) -> str:
        inner = match.group(1)
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or "channel")
        if target.startswith("!subteam^"):
            return label if label.startswith("@") else "@" + (label or "group")
        if target.startswith("!date^"):
            return label
        if target.startswith("!"):
            return "@" + target[1:]
        return f"{label} ({target})" if label and label != target else target

    converted = _SLACK_TOKEN.sub(replace, text or "")
    return converted.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()
