"""Taking part in an open retro: items, votes and partnership-health ratings.

Anonymity holds in every row: an anonymous item stores no author; a vote or a rating stores only
an HMAC of the person (``person_hash``), recoverable only while the retro is open (its salt is
wiped at close); nothing logs a user id next to any of them. Each person sees only their own
votes until the retro closes.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.retro.data import (
    ITEM_MAX_LENGTH,
    MAX_ITEMS_PER_RETRO,
    ItemView,
    RatingForm,
    RetroError,
    RetroNotFound,
    VoteState,
)
from bot.retro.ids import Anonymity, Block, RetroStatus, RetroTemplate, Side, Strand
from bot.retro.lookups import get_retro, get_series, items_of
from bot.retro.models import Retro, RetroItem, RetroPersonSide, RetroRating, RetroVote
from bot.retro.summary import refresh_retro_message
from bot.retro.templates import TEMPLATES

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


def _require_open(retro: Retro) -> None:
    if retro.status != RetroStatus.OPEN:
        raise RetroError("This retro has closed, so it no longer takes items or votes.")


# --------------------------------------------------------------------------------------------
# Items


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
    cleaned = text.strip()
    if not cleaned:
        raise RetroError("Write something first: the item is empty.", block_id=Block.ITEM_TEXT)
    if len(cleaned) > ITEM_MAX_LENGTH:
        raise RetroError(
            f"Keep items under {ITEM_MAX_LENGTH:,} characters (this one is {len(cleaned):,}). Your text is still here.",
            block_id=Block.ITEM_TEXT,
        )
    if not 0 <= prompt_index < len(retro.prompts):
        raise RetroError("Pick one of the prompts.", block_id=Block.ITEM_PROMPT)
    mode = Anonymity(retro.anonymity)
    is_anonymous = mode is Anonymity.ALWAYS or (mode is Anonymity.OPTIONAL and anonymous)
    count = session.scalar(
        select(func.count()).select_from(RetroItem).where(RetroItem.team_id == team_id, RetroItem.retro_id == retro.id)
    )
    if int(count or 0) >= MAX_ITEMS_PER_RETRO:
        raise RetroError("This retro is full. Bring your point to the discussion instead.", block_id=Block.ITEM_TEXT)
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
    items = [ItemView(i.id, i.prompt_index, i.text, None) for i in items_of(session, retro)]
    return VoteState(retro.id, series.title, list(retro.prompts), items, mine, retro.votes_per_person, notice)


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
        if int(used or 0) >= retro.votes_per_person:
            notice = f"You've used all {retro.votes_per_person} of your votes. Take one back to vote for this item."
        else:
            session.add(RetroVote(team_id=team_id, retro_id=retro.id, item_id=item.id, voter_hash=voter))
    session.flush()
    return _vote_state(session, retro, user_id, app_secret, notice)


# --------------------------------------------------------------------------------------------
# Partnership health ratings


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
        raise RetroError("Rate each strand from 1 to 5.", block_id=Block.TRUST)
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
