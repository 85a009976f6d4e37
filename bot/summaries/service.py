"""The workspace's switch and the stored summaries (services: flush, never commit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.summaries.data import Ritual, Source, Summarise, Summary, SummaryError, SummaryRequest
from bot.summaries.models import RitualSummary, SummarySetting


def summaries_enabled(session: Session, team_id: str) -> bool:
    setting = session.get(SummarySetting, team_id)
    return setting is None or setting.enabled


def set_summaries_enabled(session: Session, *, team_id: str, enabled: bool, user_id: str, now: datetime) -> None:
    setting = session.get(SummarySetting, team_id)
    if setting is None:
        setting = SummarySetting(team_id=team_id)
        session.add(setting)
    setting.enabled = enabled
    setting.changed_by = user_id
    setting.changed_at = now
    session.flush()


def switch_summaries(
    session: Session, *, team_id: str, user_id: str, argument: str, is_admin: bool, now: datetime
) -> bool:
    """``/digest summaries [on|off]``: the workspace's switch (admins change it); returns its state."""
    word = argument.strip().casefold()
    if word == "":
        return summaries_enabled(session, team_id)
    if word not in ("on", "off"):
        raise SummaryError("Try `/digest summaries on` or `/digest summaries off` (or just `/digest summaries`).")
    if not is_admin:
        raise SummaryError("Only a workspace admin can turn summaries on or off for the workspace.")
    set_summaries_enabled(session, team_id=team_id, enabled=word == "on", user_id=user_id, now=now)
    return word == "on"


def summarise_for(
    session: Session, team_id: str, summarise: Summarise | None, request: SummaryRequest
) -> Summary | None:
    """The summary, or None when the workspace turned summaries off or there is nothing to say."""
    if summarise is None or not summaries_enabled(session, team_id):
        return None
    return summarise(request)


def stored_summary(session: Session, team_id: str, ritual: Ritual, ref_id: int | str) -> Summary | None:
    row = session.scalar(
        select(RitualSummary).where(
            RitualSummary.team_id == team_id, RitualSummary.ritual == ritual.value, RitualSummary.ref_id == str(ref_id)
        )
    )
    if row is None or not summaries_enabled(session, team_id):
        return None
    return Summary(tuple(line for line in row.sentences.split("\n") if line), Source(row.source))


def store_summary(
    session: Session, team_id: str, ritual: Ritual, ref_id: int | str, summary: Summary, now: datetime
) -> None:
    row = session.scalar(
        select(RitualSummary).where(
            RitualSummary.team_id == team_id, RitualSummary.ritual == ritual.value, RitualSummary.ref_id == str(ref_id)
        )
    )
    if row is None:
        row = RitualSummary(team_id=team_id, ritual=ritual.value, ref_id=str(ref_id))
        session.add(row)
    row.sentences = "\n".join(s.replace("\n", " ") for s in summary.sentences)
    row.source = summary.source.value
    row.created_at = now
    session.flush()
