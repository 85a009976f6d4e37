"""Retro domain logic: setting up a series, opening and closing runs, items, votes, ratings and
action items. Services take a session and only flush; time comes in as ``now``.

What the channel sees is one message per retro, updated in place as items arrive (see
``views.build_retro_message``), and at close one summary reply in that message's thread.
Every ritual post goes through the outbox; this module never calls the Web API.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.retro.ids import (
    RETRO_MESSAGE_HOOK,
    ActionStatus,
    Anonymity,
    RetroBlock,
    RetroJob,
    RetroStatus,
    RetroTemplate,
    Side,
    StartMode,
    Strand,
)
from bot.retro.models import (
    Retro,
    RetroActionItem,
    RetroItem,
    RetroPersonSide,
    RetroRating,
    RetroSeries,
    RetroVote,
)
from bot.retro.templates import INSIGHTS_PROMPT, TEMPLATES
from bot.scheduling.cadence import Cadence, InvalidCadence, local_to_utc, zone
from bot.scheduling.service import create_schedule, delete_schedules_for, schedule_once, schedules_for
from bot.slack import delivery

log = logging.getLogger(__name__)

ITEM_MAX_LENGTH = 1000
ACTION_MAX_LENGTH = 300
TITLE_MAX_LENGTH = 80
MAX_ITEMS_PER_RETRO = 90  # the vote modal lists every item, and a modal holds 100 blocks
MIN_RATERS_PER_SIDE = 2  # a side's averages with one rater would reveal that person's scores
REMINDER_LOCAL_TIME = time(9, 0)
MAX_VOTES_PER_PERSON = 10
COLLECT_CHOICES_HOURS = (1, 4, 24, 48, 72, 168, 336)


class RetroError(Exception):
    """Something the user asked for cannot be done. ``str()`` is the message to show them."""


class NotAllowed(RetroError):
    pass


class RetroNotFound(RetroError):
    def __init__(self) -> None:
        super().__init__("I couldn't find that retro. It may have been deleted.")


class InputError(RetroError):
    """A modal field that needs fixing: ``block_id`` says which."""

    def __init__(self, block_id: str, message: str) -> None:
        super().__init__(message)
        self.block_id = block_id


IsAdmin = Callable[[], bool]


# --------------------------------------------------------------------------------------------
# Hashing: who voted / rated, recoverable only while the retro is open


def app_secret(signing_secret: str) -> bytes:
    """The HMAC key for vote and rating hashes, derived from a secret the database never holds."""
    return hashlib.sha256(b"tandem-retro-people|" + signing_secret.encode()).digest()


def person_hash(app_secret: bytes, retro: Retro, user_id: str) -> str:
    """HMAC of the user id under the app secret and the retro's salt.

    A database reader without the app secret cannot brute-force it from the workspace's user
    list; once the retro closes the salt is wiped and nobody can.
    """
    if not retro.secret_salt:
        raise RetroError("Voting has closed for this retro.")
    message = f"{retro.team_id}|{retro.id}|{retro.secret_salt}|{user_id}".encode()
    return hmac.new(app_secret, message, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------------
# Setup


@dataclass(frozen=True)
class SeriesSetup:
    """A ``/retro`` setup, parsed from the modal (see ``views.parse_setup``)."""

    title: str
    channel_id: str
    start_mode: StartMode
    template: RetroTemplate
    prompts: list[str]
    anonymity: Anonymity
    votes_per_person: int
    collect_minutes: int
    start_date: date | None = None
    local_time: time = time(15, 0)
    timezone: str = "UTC"
    repeat_weeks: int = 1
    include_insights: bool = False


def validate_setup(setup: SeriesSetup, now: datetime) -> None:
    """Raise InputError for the first field that needs fixing."""
    if not setup.title.strip():
        raise InputError(RetroBlock.TITLE, "Give the retro a title.")
    if len(setup.title) > TITLE_MAX_LENGTH:
        raise InputError(RetroBlock.TITLE, f"Keep the title under {TITLE_MAX_LENGTH} characters.")
    if not setup.prompts:
        raise InputError(RetroBlock.PROMPTS, "Add at least one prompt, one per line.")
    if not 1 <= setup.votes_per_person <= MAX_VOTES_PER_PERSON:
        raise InputError(RetroBlock.VOTES, f"Pick 1 to {MAX_VOTES_PER_PERSON} votes per person.")
    if setup.start_mode is StartMode.NOW:
        return
    try:
        tz = zone(setup.timezone)
    except InvalidCadence as error:
        raise InputError(RetroBlock.TIMEZONE, f"{error} Use a name like Europe/Berlin or America/New_York.") from None
    if setup.start_date is None:
        raise InputError(RetroBlock.DATE, "Pick the date of the first retro.")
    first = local_to_utc(setup.start_date, setup.local_time, tz)
    if setup.start_mode is StartMode.ON_DATE and first <= now:
        raise InputError(RetroBlock.DATE, "That date and time have passed. Pick a later one, or choose Start now.")
    if setup.start_mode is StartMode.RECURRING and not 1 <= setup.repeat_weeks <= 52:
        raise InputError(RetroBlock.REPEAT, "Repeat every 1 to 52 weeks.")


def _active_series_named(session: Session, team_id: str, title: str) -> RetroSeries | None:
    return session.scalar(
        select(RetroSeries).where(
            RetroSeries.team_id == team_id,
            RetroSeries.archived.is_(False),
            func.lower(RetroSeries.title) == title.strip().lower(),
        )
    )


@dataclass(frozen=True)
class SetupResult:
    series: RetroSeries
    opened: Retro | None
    first_run_at: datetime | None
    cadence_text: str


def create_series(
    session: Session, *, team_id: str, facilitator_id: str, setup: SeriesSetup, now: datetime
) -> SetupResult:
    validate_setup(setup, now)
    if _active_series_named(session, team_id, setup.title) is not None:
        raise InputError(RetroBlock.TITLE, "There is already a retro with that title. Pick another one.")
    series = RetroSeries(
        team_id=team_id,
        title=setup.title.strip(),
        channel_id=setup.channel_id,
        facilitator_id=facilitator_id,
        template=setup.template.value,
        prompts=list(setup.prompts),
        anonymity=setup.anonymity.value,
        votes_per_person=setup.votes_per_person,
        collect_minutes=setup.collect_minutes,
        include_insights=setup.include_insights,
        start_mode=setup.start_mode.value,
        archived=False,
        created_at=now,
    )
    session.add(series)
    session.flush()
    if setup.start_mode is StartMode.NOW:
        retro = open_retro(session, series, now)
        return SetupResult(series, retro, None, "now")
    assert setup.start_date is not None
    if setup.start_mode is StartMode.ON_DATE:
        at = local_to_utc(setup.start_date, setup.local_time, zone(setup.timezone))
        schedule_once(session, team_id=team_id, kind=RetroJob.OPEN, ref_id=series.id, at=at, now=now)
        return SetupResult(series, None, at, "once")
    cadence = Cadence.every_n_weeks(setup.repeat_weeks, setup.start_date.weekday())
    schedule = create_schedule(
        session,
        team_id=team_id,
        kind=RetroJob.OPEN,
        ref_id=series.id,
        cadence=cadence,
        local_time=setup.local_time,
        timezone=setup.timezone,
        starts_on=setup.start_date,
        now=now,
    )
    return SetupResult(series, None, schedule.next_run_at, cadence.describe())


# --------------------------------------------------------------------------------------------
# Lookups (always scoped by team)


def get_series(session: Session, team_id: str, series_id: int) -> RetroSeries:
    series = session.scalar(select(RetroSeries).where(RetroSeries.team_id == team_id, RetroSeries.id == series_id))
    if series is None:
        raise RetroNotFound()
    return series


def get_retro(session: Session, team_id: str, retro_id: int) -> Retro:
    retro = session.scalar(select(Retro).where(Retro.team_id == team_id, Retro.id == retro_id))
    if retro is None:
        raise RetroNotFound()
    return retro


def get_action_item(session: Session, team_id: str, action_id: int) -> RetroActionItem:
    action = session.scalar(
        select(RetroActionItem).where(RetroActionItem.team_id == team_id, RetroActionItem.id == action_id)
    )
    if action is None:
        raise RetroError("I couldn't find that action item. It may have been deleted.")
    return action


def _items(session: Session, retro: Retro) -> list[RetroItem]:
    return list(
        session.scalars(
            select(RetroItem)
            .where(RetroItem.team_id == retro.team_id, RetroItem.retro_id == retro.id)
            .order_by(RetroItem.id)
        )
    )


def _previous_retro(session: Session, retro: Retro) -> Retro | None:
    return session.scalar(
        select(Retro)
        .where(Retro.team_id == retro.team_id, Retro.series_id == retro.series_id, Retro.number < retro.number)
        .order_by(Retro.number.desc())
        .limit(1)
    )


def _require_facilitator(series: RetroSeries, user_id: str, is_admin: IsAdmin, what: str) -> None:
    if user_id != series.facilitator_id and not is_admin():
        raise NotAllowed(f"Only the facilitator (<@{series.facilitator_id}>) or a workspace admin can {what}.")


# --------------------------------------------------------------------------------------------
# Read models handed to the pure view builders


@dataclass(frozen=True)
class ItemView:
    id: int
    prompt_index: int
    text: str
    author_id: str | None
    votes: int = 0


@dataclass(frozen=True)
class ActionView:
    id: int
    text: str
    owner_id: str
    due_on: date
    status: ActionStatus
    retro_title: str = ""


@dataclass(frozen=True)
class InsightLine:
    number: int
    text: str


@dataclass(frozen=True)
class RetroCard:
    """Everything the channel message of a retro shows."""

    retro_id: int
    title: str
    number: int
    template: RetroTemplate
    prompts: list[str]
    items: list[ItemView]
    anonymity: Anonymity
    votes_per_person: int
    closes_at: datetime
    status: RetroStatus
    facilitator_id: str
    rates_partnership: bool
    rating_count: int
    previous_actions: list[ActionView]
    insights: list[InsightLine] = field(default_factory=list)
    insights_prompt_index: int | None = None


def _action_view(action: RetroActionItem, title: str = "") -> ActionView:
    return ActionView(action.id, action.text, action.owner_id, action.due_on, ActionStatus(action.status), title)


def _review_actions(session: Session, retro: Retro) -> list[ActionView]:
    """Last time's action items with their status, plus older ones of the series still open."""
    previous = _previous_retro(session, retro)
    if previous is None:
        return []
    query = (
        select(RetroActionItem)
        .where(
            RetroActionItem.team_id == retro.team_id,
            RetroActionItem.series_id == retro.series_id,
            RetroActionItem.retro_id < retro.id,
        )
        .order_by(RetroActionItem.id)
    )
    return [
        _action_view(a) for a in session.scalars(query) if a.retro_id == previous.id or a.status == ActionStatus.OPEN
    ]


def _insights_since(session: Session, team_id: str, since: datetime, until: datetime) -> list[InsightLine]:
    """Customer insights captured in ``(since, until]``: read-only, through one small query."""
    from bot.insights.models import Insight

    rows = session.execute(
        select(Insight.number, Insight.text)
        .where(Insight.team_id == team_id, Insight.created_at > since, Insight.created_at <= until)
        .order_by(Insight.created_at)
        .limit(20)
    )
    return [InsightLine(number, text) for number, text in rows]


def retro_card(session: Session, retro: Retro) -> RetroCard:
    series = get_series(session, retro.team_id, retro.series_id)
    template = RetroTemplate(series.template)
    ratings = session.scalar(
        select(func.count())
        .select_from(RetroRating)
        .where(RetroRating.team_id == retro.team_id, RetroRating.retro_id == retro.id)
    )
    insights: list[InsightLine] = []
    insights_index = None
    if INSIGHTS_PROMPT in retro.prompts:
        insights_index = retro.prompts.index(INSIGHTS_PROMPT)
        previous = _previous_retro(session, retro)
        since = previous.opened_at if previous is not None else series.created_at - timedelta(days=30)
        insights = _insights_since(session, retro.team_id, since, retro.opened_at)
    return RetroCard(
        retro_id=retro.id,
        title=series.title,
        number=retro.number,
        template=template,
        prompts=list(retro.prompts),
        items=[ItemView(i.id, i.prompt_index, i.text, i.author_id, i.votes) for i in _items(session, retro)],
        anonymity=Anonymity(series.anonymity),
        votes_per_person=series.votes_per_person,
        closes_at=retro.closes_at,
        status=RetroStatus(retro.status),
        facilitator_id=series.facilitator_id,
        rates_partnership=TEMPLATES[template].rates_partnership,
        rating_count=int(ratings or 0),
        previous_actions=_review_actions(session, retro),
        insights=insights,
        insights_prompt_index=insights_index,
    )


# --------------------------------------------------------------------------------------------
# Opening and refreshing the channel message


def _message_key(retro: Retro) -> str:
    return f"retro:{retro.id}:message"


def _render_message(session: Session, retro: Retro) -> dict[str, Any]:
    from bot.retro.views import build_retro_message

    return build_retro_message(retro_card(session, retro))


def open_retro(session: Session, series: RetroSeries, now: datetime) -> Retro:
    """Start a run of ``series`` at ``now``: post its message and set the closing timer."""
    last = session.scalar(
        select(func.max(Retro.number)).where(Retro.team_id == series.team_id, Retro.series_id == series.id)
    )
    prompts = list(series.prompts)
    if series.include_insights and INSIGHTS_PROMPT not in prompts:
        prompts.append(INSIGHTS_PROMPT)
    retro = Retro(
        team_id=series.team_id,
        series_id=series.id,
        number=int(last or 0) + 1,
        status=RetroStatus.OPEN.value,
        channel_id=series.channel_id,
        prompts=prompts,
        opened_at=now,
        closes_at=now + timedelta(minutes=series.collect_minutes),
        secret_salt=secrets.token_hex(16),
    )
    session.add(retro)
    session.flush()
    message = _render_message(session, retro)
    delivery.enqueue(
        session,
        team_id=retro.team_id,
        method="chat.postMessage",
        args={"channel": retro.channel_id, **message},
        key=_message_key(retro),
        ritual=delivery.Ritual("retro", series.id, series.facilitator_id),
        on_result=RETRO_MESSAGE_HOOK,
        now=now,
    )
    schedule_once(session, team_id=retro.team_id, kind=RetroJob.CLOSE, ref_id=retro.id, at=retro.closes_at, now=now)
    return retro


def record_message_ts(session: Session, team_id: str, retro_id: int, ts: str) -> None:
    """Result hook: remember the ts Slack gave the retro's message."""
    retro = session.scalar(select(Retro).where(Retro.team_id == team_id, Retro.id == retro_id))
    if retro is not None and not retro.message_ts:
        retro.message_ts = ts
        session.flush()


def refresh_retro_message(session: Session, retro: Retro, now: datetime, reason: str) -> None:
    """chat.update the retro's message in place (after its first post is sent: a reference).

    ``reason`` makes the outbox key unique per change; it must never name a person (an
    anonymous item's refresh would otherwise point at its author).
    """
    series = get_series(session, retro.team_id, retro.series_id)
    message = _render_message(session, retro)
    ts: Any = retro.message_ts or delivery.result_ref(_message_key(retro))
    delivery.enqueue(
        session,
        team_id=retro.team_id,
        method="chat.update",
        args={"channel": retro.channel_id, "ts": ts, **message},
        key=f"retro:{retro.id}:update:{reason}",
        ritual=delivery.Ritual("retro", series.id, series.facilitator_id),
        now=now,
    )


# --------------------------------------------------------------------------------------------
# Items


def _require_open(retro: Retro) -> None:
    if retro.status != RetroStatus.OPEN:
        raise RetroError("This retro has closed, so it no longer takes items or votes.")


def add_item(
    session: Session,
    *,
    team_id: str,
    retro_id: int,
    user_id: str,
    prompt_index: int,
    text: str,
    anonymous: bool,
    now: datetime,
) -> RetroItem:
    """Add an item. An anonymous item stores no author and nothing else that points at one."""
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    series = get_series(session, team_id, retro.series_id)
    cleaned = text.strip()
    if not cleaned:
        raise InputError(RetroBlock.ITEM_TEXT, "Write something first: the item is empty.")
    if len(cleaned) > ITEM_MAX_LENGTH:
        raise InputError(
            RetroBlock.ITEM_TEXT,
            f"Keep items under {ITEM_MAX_LENGTH:,} characters (this one is {len(cleaned):,}). Your text is still here.",
        )
    if not 0 <= prompt_index < len(retro.prompts):
        raise InputError(RetroBlock.ITEM_PROMPT, "Pick one of the prompts.")
    mode = Anonymity(series.anonymity)
    is_anonymous = mode is Anonymity.ALWAYS or (mode is Anonymity.OPTIONAL and anonymous)
    count = session.scalar(
        select(func.count()).select_from(RetroItem).where(RetroItem.team_id == team_id, RetroItem.retro_id == retro.id)
    )
    if int(count or 0) >= MAX_ITEMS_PER_RETRO:
        raise InputError(RetroBlock.ITEM_TEXT, "This retro is full. Bring your point to the discussion instead.")
    item = RetroItem(
        team_id=team_id,
        retro_id=retro.id,
        prompt_index=prompt_index,
        text=cleaned,
        author_id=None if is_anonymous else user_id,
        votes=0,
    )
    session.add(item)
    session.flush()
    refresh_retro_message(session, retro, now, f"item:{item.id}")
    return item


# --------------------------------------------------------------------------------------------
# Votes: each person sees only their own until the retro closes


@dataclass(frozen=True)
class VoteState:
    retro_id: int
    title: str
    prompts: list[str]
    items: list[ItemView]
    mine: frozenset[int]
    allowed: int
    notice: str = ""

    @property
    def left(self) -> int:
        return max(0, self.allowed - len(self.mine))


def vote_state(session: Session, *, team_id: str, retro_id: int, user_id: str, app_secret: bytes) -> VoteState:
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    return _vote_state(session, retro, user_id, app_secret)


def _vote_state(session: Session, retro: Retro, user_id: str, app_secret: bytes, notice: str = "") -> VoteState:
    series = get_series(session, retro.team_id, retro.series_id)
    voter = person_hash(app_secret, retro, user_id)
    mine = frozenset(
        session.scalars(
            select(RetroVote.item_id).where(
                RetroVote.team_id == retro.team_id, RetroVote.retro_id == retro.id, RetroVote.voter_hash == voter
            )
        )
    )
    # Totals stay hidden while voting is open: items are handed over without their counts.
    items = [ItemView(i.id, i.prompt_index, i.text, None) for i in _items(session, retro)]
    return VoteState(retro.id, series.title, list(retro.prompts), items, mine, series.votes_per_person, notice)


def toggle_vote(
    session: Session, *, team_id: str, retro_id: int, item_id: int, user_id: str, app_secret: bytes
) -> VoteState:
    """Vote for an item, or take the vote back. One vote per item, ``votes_per_person`` in all."""
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    item = session.scalar(
        select(RetroItem).where(RetroItem.team_id == team_id, RetroItem.retro_id == retro.id, RetroItem.id == item_id)
    )
    if item is None:
        raise RetroNotFound()
    series = get_series(session, team_id, retro.series_id)
    voter = person_hash(app_secret, retro, user_id)
    existing = session.scalar(
        select(RetroVote).where(
            RetroVote.team_id == team_id, RetroVote.item_id == item.id, RetroVote.voter_hash == voter
        )
    )
    notice = ""
    if existing is not None:
        session.delete(existing)
    else:
        used = session.scalar(
            select(func.count())
            .select_from(RetroVote)
            .where(RetroVote.team_id == team_id, RetroVote.retro_id == retro.id, RetroVote.voter_hash == voter)
        )
        if int(used or 0) >= series.votes_per_person:
            notice = f"You've used all {series.votes_per_person} of your votes. Take one back to vote for this item."
        else:
            session.add(RetroVote(team_id=team_id, retro_id=retro.id, item_id=item.id, voter_hash=voter))
    session.flush()
    return _vote_state(session, retro, user_id, app_secret, notice)


# --------------------------------------------------------------------------------------------
# Partnership health ratings


@dataclass(frozen=True)
class RatingForm:
    retro_id: int
    title: str
    side: Side | None


def rating_form(session: Session, *, team_id: str, retro_id: int, user_id: str) -> RatingForm:
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    series = get_series(session, team_id, retro.series_id)
    if not TEMPLATES[RetroTemplate(series.template)].rates_partnership:
        raise RetroError("This retro doesn't ask for partnership ratings.")
    remembered = session.get(RetroPersonSide, (team_id, user_id))
    return RatingForm(retro.id, series.title, Side(remembered.side) if remembered else None)


def save_rating(
    session: Session,
    *,
    team_id: str,
    retro_id: int,
    user_id: str,
    side: Side,
    scores: dict[Strand, int],
    focus: Strand,
    app_secret: bytes,
    now: datetime,
) -> bool:
    """Store (or replace) this person's rating; remember their side. True if it replaced one."""
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    if any(not 1 <= scores.get(strand, 0) <= 5 for strand in Strand):
        raise InputError(RetroBlock.TRUST, "Rate each strand from 1 to 5.")
    rater = person_hash(app_secret, retro, user_id)
    rating = session.scalar(
        select(RetroRating).where(
            RetroRating.team_id == team_id, RetroRating.retro_id == retro.id, RetroRating.rater_hash == rater
        )
    )
    replaced = rating is not None
    if rating is None:
        rating = RetroRating(team_id=team_id, retro_id=retro.id, rater_hash=rater)
        session.add(rating)
    rating.side = side.value
    rating.trust = scores[Strand.TRUST]
    rating.ownership = scores[Strand.OWNERSHIP]
    rating.planning = scores[Strand.PLANNING]
    rating.focus = focus.value
    remembered = session.get(RetroPersonSide, (team_id, user_id))
    if remembered is None:
        session.add(RetroPersonSide(team_id=team_id, user_id=user_id, side=side.value))
    else:
        remembered.side = side.value
    session.flush()
    if not replaced:
        count = session.scalar(
            select(func.count())
            .select_from(RetroRating)
            .where(RetroRating.team_id == team_id, RetroRating.retro_id == retro.id)
        )
        refresh_retro_message(session, retro, now, f"ratings:{count}")
    return replaced


@dataclass(frozen=True)
class SideHealth:
    side: Side
    raters: int
    averages: dict[Strand, float] | None  # None: too few raters to show without exposing anyone
    change: dict[Strand, float] | None  # vs the previous retro of the series, when both are shown


@dataclass(frozen=True)
class HealthSummary:
    sides: list[SideHealth]
    focus_counts: dict[Strand, int]
    previous_number: int | None


def _side_averages(session: Session, retro: Retro) -> dict[Side, tuple[int, dict[Strand, float]]]:
    rows = session.scalars(
        select(RetroRating).where(RetroRating.team_id == retro.team_id, RetroRating.retro_id == retro.id)
    )
    grouped: dict[Side, list[RetroRating]] = defaultdict(list)
    for rating in rows:
        grouped[Side(rating.side)].append(rating)
    result: dict[Side, tuple[int, dict[Strand, float]]] = {}
    for side, ratings in grouped.items():
        n = len(ratings)
        result[side] = (
            n,
            {
                Strand.TRUST: sum(r.trust for r in ratings) / n,
                Strand.OWNERSHIP: sum(r.ownership for r in ratings) / n,
                Strand.PLANNING: sum(r.planning for r in ratings) / n,
            },
        )
    return result


def health_summary(session: Session, retro: Retro) -> HealthSummary:
    current = _side_averages(session, retro)
    previous_retro = _previous_retro(session, retro)
    previous = _side_averages(session, previous_retro) if previous_retro is not None else {}
    sides: list[SideHealth] = []
    for side in Side:
        if side not in current:
            continue
        raters, averages = current[side]
        shown = averages if raters >= MIN_RATERS_PER_SIDE else None
        change = None
        before = previous.get(side)
        if shown is not None and before is not None and before[0] >= MIN_RATERS_PER_SIDE:
            change = {strand: shown[strand] - before[1][strand] for strand in Strand}
        sides.append(SideHealth(side, raters, shown, change))
    focus: dict[Strand, int] = dict.fromkeys(Strand, 0)
    for strand in session.scalars(
        select(RetroRating.focus).where(RetroRating.team_id == retro.team_id, RetroRating.retro_id == retro.id)
    ):
        focus[Strand(strand)] += 1
    return HealthSummary(sides, focus, previous_retro.number if previous_retro is not None else None)


# --------------------------------------------------------------------------------------------
# Closing


@dataclass(frozen=True)
class RetroSummary:
    retro_id: int
    title: str
    number: int
    prompts: list[str]
    items: list[ItemView]  # ordered by prompt, then votes (most first)
    health: HealthSummary | None
    facilitator_id: str
    action_items: list[ActionView]


def retro_summary(session: Session, retro: Retro) -> RetroSummary:
    series = get_series(session, retro.team_id, retro.series_id)
    items = sorted(_items(session, retro), key=lambda i: (i.prompt_index, -i.votes, i.id))
    template = RetroTemplate(series.template)
    actions = session.scalars(
        select(RetroActionItem)
        .where(RetroActionItem.team_id == retro.team_id, RetroActionItem.retro_id == retro.id)
        .order_by(RetroActionItem.id)
    )
    return RetroSummary(
        retro_id=retro.id,
        title=series.title,
        number=retro.number,
        prompts=list(retro.prompts),
        items=[ItemView(i.id, i.prompt_index, i.text, i.author_id, i.votes) for i in items],
        health=health_summary(session, retro) if TEMPLATES[template].rates_partnership else None,
        facilitator_id=series.facilitator_id,
        action_items=[_action_view(a) for a in actions],
    )


def _summary_key(retro: Retro) -> str:
    return f"retro:{retro.id}:summary"


def close_retro(session: Session, retro: Retro, now: datetime) -> RetroSummary:
    """Tally the votes, forget who cast them, and post the summary in the retro's thread."""
    if retro.status == RetroStatus.CLOSED:
        return retro_summary(session, retro)
    series = get_series(session, retro.team_id, retro.series_id)
    tallies = dict(
        session.execute(
            select(RetroVote.item_id, func.count())
            .where(RetroVote.team_id == retro.team_id, RetroVote.retro_id == retro.id)
            .group_by(RetroVote.item_id)
        ).all()
    )
    for item in _items(session, retro):
        item.votes = int(tallies.get(item.id, 0))
    session.execute(delete(RetroVote).where(RetroVote.team_id == retro.team_id, RetroVote.retro_id == retro.id))
    retro.status = RetroStatus.CLOSED.value
    retro.closed_at = now
    retro.secret_salt = None
    session.flush()
    delete_schedules_for(session, retro.team_id, RetroJob.CLOSE, retro.id)
    refresh_retro_message(session, retro, now, "closed")
    summary = retro_summary(session, retro)
    from bot.retro.views import build_summary_message

    message = build_summary_message(summary)
    thread_ts: Any = retro.message_ts or delivery.result_ref(_message_key(retro))
    delivery.enqueue(
        session,
        team_id=retro.team_id,
        method="chat.postMessage",
        args={"channel": retro.channel_id, "thread_ts": thread_ts, "reply_broadcast": True, **message},
        key=_summary_key(retro),
        ritual=delivery.Ritual("retro", series.id, series.facilitator_id),
        now=now,
    )
    return summary


def close_retro_by_user(
    session: Session, *, team_id: str, retro_id: int, user_id: str, is_admin: IsAdmin, now: datetime
) -> RetroSummary:
    retro = get_retro(session, team_id, retro_id)
    series = get_series(session, team_id, retro.series_id)
    _require_facilitator(series, user_id, is_admin, "close this retro")
    if retro.status == RetroStatus.CLOSED:
        raise RetroError("This retro is already closed.")
    return close_retro(session, retro, now)


def close_by_title(
    session: Session, *, team_id: str, title: str, user_id: str, is_admin: IsAdmin, now: datetime
) -> tuple[RetroSeries, RetroSummary]:
    """``/retro close <title>``: close the open run of that series and stop it recurring."""
    if not title.strip():
        raise RetroError("Which retro? Try `/retro close Launch review` (see `/retro list`).")
    series = _active_series_named(session, team_id, title)
    if series is None:
        raise RetroError(f"I couldn't find an active retro called “{title.strip()[:80]}”. See `/retro list`.")
    _require_facilitator(series, user_id, is_admin, "close this retro")
    retro = session.scalar(
        select(Retro)
        .where(Retro.team_id == team_id, Retro.series_id == series.id, Retro.status == RetroStatus.OPEN)
        .order_by(Retro.number.desc())
        .limit(1)
    )
    if retro is None:
        raise RetroError("That retro isn't collecting items right now, so there is nothing to close.")
    return series, close_retro(session, retro, now)


# --------------------------------------------------------------------------------------------
# Listing


@dataclass(frozen=True)
class SeriesLine:
    id: int
    title: str
    channel_id: str
    facilitator_id: str
    template: RetroTemplate
    open_retro_closes_at: datetime | None
    next_open_at: datetime | None
    runs: int


def list_series(session: Session, team_id: str) -> list[SeriesLine]:
    lines: list[SeriesLine] = []
    for series in session.scalars(
        select(RetroSeries)
        .where(RetroSeries.team_id == team_id, RetroSeries.archived.is_(False))
        .order_by(RetroSeries.title)
    ):
        runs = list(
            session.scalars(
                select(Retro).where(Retro.team_id == team_id, Retro.series_id == series.id).order_by(Retro.number)
            )
        )
        open_run = next((r for r in reversed(runs) if r.status == RetroStatus.OPEN), None)
        upcoming = [
            s.next_run_at
            for s in schedules_for(session, team_id, RetroJob.OPEN, series.id)
            if s.next_run_at is not None and not s.paused
        ]
        lines.append(
            SeriesLine(
                series.id,
                series.title,
                series.channel_id,
                series.facilitator_id,
                RetroTemplate(series.template),
                open_run.closes_at if open_run else None,
                min(upcoming) if upcoming else None,
                len(runs),
            )
        )
    return lines


# --------------------------------------------------------------------------------------------
# Action items: assigned by the facilitator, DM'd to the owner, reminded the day before


@dataclass(frozen=True)
class ActionForm:
    retro_id: int
    title: str
    items: list[ItemView]


def action_form(session: Session, *, team_id: str, retro_id: int, user_id: str, is_admin: IsAdmin) -> ActionForm:
    retro = get_retro(session, team_id, retro_id)
    series = get_series(session, team_id, retro.series_id)
    _require_facilitator(series, user_id, is_admin, "add action items")
    if retro.status != RetroStatus.CLOSED:
        raise RetroError("Close the retro first; then turn its items into action items.")
    items = sorted(_items(session, retro), key=lambda i: (-i.votes, i.id))
    return ActionForm(retro.id, series.title, [ItemView(i.id, i.prompt_index, i.text, None, i.votes) for i in items])


def _reminder_at(due_on: date, tz_name: str) -> datetime:
    try:
        tz = zone(tz_name)
    except InvalidCadence:
        tz = zone("UTC")
    return local_to_utc(due_on - timedelta(days=1), REMINDER_LOCAL_TIME, tz)


def _schedule_reminder(session: Session, action: RetroActionItem, now: datetime) -> None:
    delete_schedules_for(session, action.team_id, RetroJob.ACTION_REMINDER, action.id)
    at = _reminder_at(action.due_on, action.owner_tz)
    if at > now:
        schedule_once(session, team_id=action.team_id, kind=RetroJob.ACTION_REMINDER, ref_id=action.id, at=at, now=now)


def _validate_due(due_on: date | None, today: date, block_id: str) -> date:
    if due_on is None:
        raise InputError(block_id, "Pick a due date.")
    if due_on < today:
        raise InputError(block_id, "That date has passed. Pick today or a later date.")
    return due_on


def _dm_action(session: Session, action: RetroActionItem, title: str, kind: str, key: str, now: datetime) -> None:
    from bot.retro.views import build_action_dm

    message = build_action_dm(_action_view(action, title), kind)
    delivery.enqueue(
        session,
        team_id=action.team_id,
        method="chat.postMessage",
        args={"channel": action.owner_id, **message},
        key=key,
        ritual=delivery.Ritual("retro", action.series_id, action.created_by),
        now=now,
    )


def add_action_item(
    session: Session,
    *,
    team_id: str,
    retro_id: int,
    user_id: str,
    is_admin: IsAdmin,
    text: str,
    owner_id: str,
    owner_tz: str,
    due_on: date | None,
    item_id: int | None,
    now: datetime,
) -> RetroActionItem:
    form = action_form(session, team_id=team_id, retro_id=retro_id, user_id=user_id, is_admin=is_admin)
    retro = get_retro(session, team_id, form.retro_id)
    source = None
    if item_id is not None:
        source = session.scalar(
            select(RetroItem).where(
                RetroItem.team_id == team_id, RetroItem.retro_id == retro.id, RetroItem.id == item_id
            )
        )
        if source is None:
            raise InputError(RetroBlock.ACTION_SOURCE, "Pick one of this retro's items.")
    cleaned = text.strip() or (source.text.strip() if source is not None else "")
    if not cleaned:
        raise InputError(RetroBlock.ACTION_TEXT, "Say what should happen, or pick the item it comes from.")
    if len(cleaned) > ACTION_MAX_LENGTH:
        raise InputError(
            RetroBlock.ACTION_TEXT,
            f"Keep action items under {ACTION_MAX_LENGTH} characters (this one is {len(cleaned)}).",
        )
    if not owner_id:
        raise InputError(RetroBlock.ACTION_OWNER, "Pick who owns it.")
    today = now.astimezone(zone(owner_tz if _known_zone(owner_tz) else "UTC")).date()
    due = _validate_due(due_on, today, RetroBlock.ACTION_DUE)
    action = RetroActionItem(
        team_id=team_id,
        series_id=retro.series_id,
        retro_id=retro.id,
        item_id=source.id if source is not None else None,
        text=cleaned,
        owner_id=owner_id,
        due_on=due,
        owner_tz=owner_tz if _known_zone(owner_tz) else "UTC",
        status=ActionStatus.OPEN.value,
        created_by=user_id,
        created_at=now,
    )
    session.add(action)
    session.flush()
    _dm_action(session, action, form.title, "assigned", f"retro:action:{action.id}:assigned", now)
    _schedule_reminder(session, action, now)
    _refresh_summary(session, retro, now, f"action:{action.id}")
    return action


def _known_zone(name: str) -> bool:
    try:
        zone(name)
    except InvalidCadence:
        return False
    return True


def _refresh_summary(session: Session, retro: Retro, now: datetime, reason: str) -> None:
    """Update the summary reply in place so it lists the action items as they are added."""
    from bot.retro.views import build_summary_message

    series = get_series(session, retro.team_id, retro.series_id)
    message = build_summary_message(retro_summary(session, retro))
    delivery.enqueue(
        session,
        team_id=retro.team_id,
        method="chat.update",
        args={"channel": retro.channel_id, "ts": delivery.result_ref(_summary_key(retro)), **message},
        key=f"retro:{retro.id}:summary:{reason}",
        ritual=delivery.Ritual("retro", series.id, series.facilitator_id),
        now=now,
    )


def _owned_action(session: Session, team_id: str, action_id: int, user_id: str, is_admin: IsAdmin) -> RetroActionItem:
    action = get_action_item(session, team_id, action_id)
    if user_id not in (action.owner_id, action.created_by) and not is_admin():
        raise NotAllowed("Only the owner of this action item, the facilitator or an admin can change it.")
    return action


def list_open_action_items(session: Session, team_id: str, user_id: str) -> list[ActionView]:
    """The open action items ``user_id`` owns, soonest due first (for the App Home)."""
    rows = session.execute(
        select(RetroActionItem, RetroSeries.title)
        .join(RetroSeries, RetroSeries.id == RetroActionItem.series_id)
        .where(
            RetroActionItem.team_id == team_id,
            RetroSeries.team_id == team_id,
            RetroActionItem.owner_id == user_id,
            RetroActionItem.status == ActionStatus.OPEN,
        )
        .order_by(RetroActionItem.due_on, RetroActionItem.id)
    )
    return [_action_view(action, title) for action, title in rows]


def complete_action_item(
    session: Session, *, team_id: str, action_id: int, user_id: str, now: datetime, is_admin: IsAdmin = lambda: False
) -> ActionView:
    action = _owned_action(session, team_id, action_id, user_id, is_admin)
    if action.status != ActionStatus.DONE:
        action.status = ActionStatus.DONE.value
        action.completed_at = now
        delete_schedules_for(session, team_id, RetroJob.ACTION_REMINDER, action.id)
        session.flush()
    series = get_series(session, team_id, action.series_id)
    return _action_view(action, series.title)


def reschedule_action_item(
    session: Session,
    *,
    team_id: str,
    action_id: int,
    user_id: str,
    due_on: date | None,
    now: datetime,
    is_admin: IsAdmin = lambda: False,
) -> ActionView:
    action = _owned_action(session, team_id, action_id, user_id, is_admin)
    today = now.astimezone(zone(action.owner_tz)).date()
    action.due_on = _validate_due(due_on, today, RetroBlock.ACTION_DUE)
    if action.status == ActionStatus.DONE:
        action.status = ActionStatus.OPEN.value
        action.completed_at = None
    _schedule_reminder(session, action, now)
    session.flush()
    series = get_series(session, team_id, action.series_id)
    return _action_view(action, series.title)


def action_view(session: Session, team_id: str, action_id: int) -> ActionView:
    action = get_action_item(session, team_id, action_id)
    return _action_view(action, get_series(session, team_id, action.series_id).title)


def remind_action_item(session: Session, action: RetroActionItem, now: datetime) -> bool:
    """Job body: DM the owner the day before the due date, unless it is done."""
    if action.status != ActionStatus.OPEN:
        return False
    series = get_series(session, action.team_id, action.series_id)
    key = f"retro:action:{action.id}:reminder:{action.due_on.isoformat()}"
    _dm_action(session, action, series.title, "reminder", key, now)
    return True
