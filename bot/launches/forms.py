"""The launch modal's state -> data, the ``/launch`` arguments, and the typed ``private_metadata``
the launch modals carry (``modals`` encodes it, listeners decode it).

Reading is in two steps. ``read_draft`` takes whatever the modal holds, leniently (the kind
select rebuilds the modal from it, keeping what was typed). ``parse_launch`` turns a draft into a
``LaunchInput`` and says what is wrong, field by field: each phase row's own problems land on
that row's name or date, then ``data.problems`` says what else needs fixing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.launches.data import (
    AUDIENCE_MAX,
    MAX_PHASES,
    PHASE_NAME_MAX,
    Errors,
    LaunchError,
    LaunchInput,
    PhaseInput,
    problems,
)
from bot.launches.ids import Action, Block, LaunchKind
from bot.slack import forms
from bot.slack.channels import read_confirmation
from bot.slack.errors import UserError
from bot.slack.metadata import ViewMetadata

PHASE_ROWS = 4  # phase rows a staggered launch's modal shows (data.MAX_PHASES allows more by edit)
DEFAULT_PHASE = "Launch"  # the one phase of a quiet or full launch
ID_USAGE = "Which launch? Give its number, e.g. `/launch {verb} 3` (`/launch list` shows the numbers)."
PHASE_PARTS = ("name", "date", "audience")

assert PHASE_ROWS <= MAX_PHASES


def phase_block(row: int, part: str) -> str:
    """The block id of one field of a phase row: ``launch_phases_1_date`` (rows count from 1)."""
    return f"{Block.PHASES}_{row}_{part}"


class LaunchMetadata(ViewMetadata):
    """The new/edit modal. ``launch_id`` 0 for a new launch. ``kind``: the kind the modal shows
    (set when the kind select rebuilt it; the submission reads the select itself). Editing keeps
    the kind, the channel and the dates (``phase_dates``, ISO, as shown: moving a date is
    ``/launch move``).
    ``new_goal_ids``: goals made from this modal (``Add a new goal``), picked as metrics."""

    launch_id: int = 0
    kind: str = ""
    channel_id: str = ""
    phase_dates: list[str] = []
    new_goal_ids: list[int] = []


class TypedDraft(ViewMetadata):
    """What the launch modal held when "Add a new goal" was clicked, carried through the pushed
    form so the modal underneath comes back with it (``Draft`` as metadata; dates ISO)."""

    name: str = ""
    what: str = ""
    kind: str = LaunchKind.FULL.value
    launch_on: str = ""
    phases: list[tuple[str, str, str]] = []  # (name, ISO date or "", audience)
    product_lead: str = ""
    marketing_lead: str = ""
    channel_id: str = ""
    goal_ids: list[int] = []
    external_ok: bool = False

    @classmethod
    def of(cls, draft: Draft) -> TypedDraft:
        return cls(
            name=draft.name, what=draft.what, kind=draft.kind.value,
            launch_on=draft.launch_on.isoformat() if draft.launch_on else "",
            phases=[(p.name, p.launch_on.isoformat() if p.launch_on else "", p.audience) for p in draft.phases],
            product_lead=draft.product_lead, marketing_lead=draft.marketing_lead, channel_id=draft.channel_id,
            goal_ids=list(draft.goal_ids), external_ok=draft.external_ok,
        )  # fmt: skip

    def draft(self) -> Draft:
        kind = LaunchKind(self.kind) if self.kind in {k.value for k in LaunchKind} else LaunchKind.FULL
        return Draft(
            name=self.name, what=self.what, kind=kind, launch_on=_iso(self.launch_on),
            phases=tuple(PhaseDraft(name, _iso(day), audience) for name, day, audience in self.phases),
            product_lead=self.product_lead, marketing_lead=self.marketing_lead, channel_id=self.channel_id,
            goal_ids=tuple(self.goal_ids), external_ok=self.external_ok,
        )  # fmt: skip


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


class NewGoalMetadata(ViewMetadata):
    """The /goal new form pushed on the launch modal: the launch modal to update once the goal is
    saved (``parent_view_id``), what that modal was (its metadata and kind) to rebuild it, and
    what it held (``typed``, when it fits in Slack's 3,000 characters of metadata; else Slack's
    own "preserving input entry" keeps it)."""

    parent_view_id: str
    parent: LaunchMetadata
    kind: str = LaunchKind.FULL.value
    typed: TypedDraft | None = None


class LaunchRef(ViewMetadata):
    """The cancel confirmation: which launch."""

    launch_id: int


@dataclass(frozen=True)
class PhaseDraft:
    name: str = ""
    launch_on: date | None = None
    audience: str = ""

    @property
    def empty(self) -> bool:
        return not (self.name or self.launch_on or self.audience)


@dataclass(frozen=True)
class Draft:
    """What the launch modal holds, read leniently (nothing required yet, unreadable dates left
    out); the modal is built from it, new or rebuilt."""

    name: str = ""
    what: str = ""
    kind: LaunchKind = LaunchKind.FULL
    launch_on: date | None = None  # quiet / full: the one date
    phases: tuple[PhaseDraft, ...] = ()  # staggered: the rows, as typed (empty rows included)
    product_lead: str = ""
    marketing_lead: str = ""
    channel_id: str = ""
    goal_ids: tuple[int, ...] = ()
    external_ok: bool = False


@dataclass(frozen=True)
class LaunchForm:
    """A launch as read from the modal, and whether "post there anyway" was ticked."""

    data: LaunchInput
    external_ok: bool = False


def _date(state: forms.State, block: str, errors: Errors) -> date | None:
    try:
        return forms.date_value(state, block)
    except UserError as error:
        errors[block] = str(error)
        return None


def _ids(values: list[str]) -> tuple[int, ...]:
    return tuple(dict.fromkeys(int(v) for v in values if v.isdigit() and len(v) <= 9))


def read_draft(state: forms.State, *, kind: LaunchKind | None = None) -> tuple[Draft, Errors]:
    """The modal's state as a draft, and the fields that could not be read (a garbled date).

    ``kind``: the launch's kind when editing (the edit modal has no kind select)."""
    errors: Errors = {}
    if kind is None:
        raw = forms.selected(state, Block.KIND)
        kind = LaunchKind(raw) if raw in {k.value for k in LaunchKind} else LaunchKind.FULL
    rows = tuple(
        PhaseDraft(
            name=forms.text(state, phase_block(row, "name")),
            launch_on=_date(state, phase_block(row, "date"), errors),
            audience=forms.text(state, phase_block(row, "audience")),
        )
        for row in range(1, MAX_PHASES + 1)
        if any(phase_block(row, part) in state for part in PHASE_PARTS)
    )
    draft = Draft(
        name=forms.text(state, Block.NAME),
        what=forms.text(state, Block.WHAT),
        kind=kind,
        launch_on=_date(state, Block.LAUNCH_DATE, errors),
        phases=rows,
        product_lead=forms.user(state, Block.PRODUCT_LEAD) or "",
        marketing_lead=forms.user(state, Block.MARKETING_LEAD) or "",
        channel_id=forms.conversation(state, Block.CHANNEL) or "",
        goal_ids=_ids(forms.selected_values(state, Block.GOALS)),
        external_ok=read_confirmation(state, Block.EXTERNAL, Action.INPUT),
    )
    return draft, errors


def draft_of(data: LaunchInput) -> Draft:
    """A saved launch as the edit modal shows it."""
    return Draft(
        name=data.name,
        what=data.what,
        kind=data.kind,
        launch_on=data.launch_on,
        phases=tuple(PhaseDraft(p.name, p.launch_on, p.audience) for p in data.phases),
        product_lead=data.product_lead,
        marketing_lead=data.marketing_lead,
        channel_id=data.channel_id,
        goal_ids=data.goal_ids,
    )


def edit_metadata(launch_id: int, data: LaunchInput) -> LaunchMetadata:
    return LaunchMetadata(
        launch_id=launch_id,
        kind=data.kind.value,
        channel_id=data.channel_id,
        phase_dates=[p.launch_on.isoformat() for p in data.phases],
    )


def _row_lengths(draft: Draft, errors: Errors) -> None:
    for row, phase in enumerate(draft.phases, start=1):
        if len(phase.name) > PHASE_NAME_MAX:
            errors[phase_block(row, "name")] = f"Keep phase names under {PHASE_NAME_MAX} characters."
        if len(phase.audience) > AUDIENCE_MAX:
            errors[phase_block(row, "audience")] = f"Keep each phase's audience under {AUDIENCE_MAX} characters."


def _phases(draft: Draft, meta: LaunchMetadata, errors: Errors, today: date) -> tuple[PhaseInput, ...]:
    if draft.kind is LaunchKind.STAGGERED:
        _row_lengths(draft, errors)
    if meta.launch_id:
        # Editing: the dates stay (they move with /launch move); names and audiences may change.
        dates = [date.fromisoformat(d) for d in meta.phase_dates]
        if draft.kind is not LaunchKind.STAGGERED:
            return tuple(PhaseInput(DEFAULT_PHASE, d) for d in dates[:1])
        rows = list(draft.phases) + [PhaseDraft()] * (len(dates) - len(draft.phases))
        return tuple(PhaseInput(r.name, d, r.audience) for r, d in zip(rows, dates, strict=False))
    if draft.kind is not LaunchKind.STAGGERED:
        if draft.launch_on is None:
            errors.setdefault(Block.LAUNCH_DATE, "Pick the launch date.")
            return ()
        return (PhaseInput(DEFAULT_PHASE, draft.launch_on),)
    phases: list[PhaseInput] = []
    for row, phase in enumerate(draft.phases, start=1):
        if phase.empty:
            continue
        if not phase.name:
            errors.setdefault(phase_block(row, "name"), f"Give phase {row} a name (Beta, GA, EU…).")
        if phase.launch_on is None:
            errors.setdefault(phase_block(row, "date"), f"Pick phase {row}'s date.")
            continue
        if phase.launch_on < today:
            passed = f"{phase.launch_on.isoformat()} has passed: pick a date from today on."
            errors.setdefault(phase_block(row, "date"), passed)
        elif phases and phase.launch_on <= phases[-1].launch_on:
            errors.setdefault(phase_block(row, "date"), "Each phase comes after the one before it: pick a later date.")
        phases.append(PhaseInput(phase.name, phase.launch_on, phase.audience))
    if len(phases) < 2 and not errors:
        errors[phase_block(2 if phases else 1, "name")] = (
            "A staggered launch has two phases or more: fill in a second row (or pick a full launch)."
        )
    return tuple(phases)


def _first_dated_row(draft: Draft) -> int:
    return next((row for row, p in enumerate(draft.phases, start=1) if p.launch_on is not None), 1)


def parse_launch(draft: Draft, meta: LaunchMetadata, *, today: date) -> tuple[LaunchForm, Errors]:
    """A draft -> the launch, and every problem by block id (empty: it can be saved).

    ``today``: the person's local date. Editing (``meta.launch_id``) keeps the kind, channel and dates."""
    errors: Errors = {}
    data = LaunchInput(
        name=draft.name,
        what=draft.what,
        kind=draft.kind,
        phases=_phases(draft, meta, errors, today),
        product_lead=draft.product_lead,
        marketing_lead=draft.marketing_lead,
        channel_id=meta.channel_id or draft.channel_id,
        goal_ids=tuple(dict.fromkeys((*draft.goal_ids, *meta.new_goal_ids))),
    )
    found = problems(data, today=today, editing=bool(meta.launch_id))
    for block, message in found.items():
        if block in (Block.PHASES, Block.LAUNCH_DATE):
            rows_said = any(b.startswith(f"{Block.PHASES}_") or b == Block.LAUNCH_DATE for b in errors)
            if rows_said or len(data.phases) < (2 if draft.kind is LaunchKind.STAGGERED else 1):
                continue  # the rows (or the date field) already say what is wrong
            # A date problem of the whole plan goes on the field it comes from.
            if meta.launch_id:
                block = Block.DATES
            elif draft.kind is LaunchKind.STAGGERED:
                block = phase_block(_first_dated_row(draft), "date")
            else:
                block = Block.LAUNCH_DATE
        errors.setdefault(block, message)
    return LaunchForm(data, draft.external_ok), errors


def parse_launch_id(argument: str, verb: str) -> int:
    """``3``, ``#3`` or ``launch 3`` -> 3; ``LaunchError`` with the usage otherwise."""
    text = argument.strip().removeprefix("launch").strip().lstrip("#")
    if not text.isdigit() or len(text) > 9:
        raise LaunchError(ID_USAGE.format(verb=verb))
    return int(text)


def parse_button_id(value: str | None) -> int | None:
    """A launch id from a button's value, or None when it is not one."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) <= 9 else None
