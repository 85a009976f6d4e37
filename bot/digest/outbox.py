"""Every message the weekly digest sends, and what happens when the outbox has sent it.

Render with ``views``, key, enqueue (``bot.slack.outbox``): the digest message, then the chart
shared into its thread (an outbox row that waits for the digest's ``ts``). The result hooks
record the outcome on the ``DigestRun``; the failure hook records a permanent failure there.
They are listed in the feature object (``feature.py``), never registered on import.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.digest import data, views
from bot.digest.ids import RITUAL_KIND, ChartStatus, Hook, RunKind, RunStatus
from bot.digest.models import DigestRun
from bot.slack.delivery_models import OutboxMessage
from bot.slack.outbox import FailureHook, ResultHook, Ritual, enqueue, result_ref


def run_key(digest_id: int | None, channel_id: str, at: datetime, kind: RunKind) -> str:
    if kind is RunKind.SCHEDULED:
        return f"digest:{digest_id}:{at:%Y%m%dT%H%M}"
    return f"digest:now:{channel_id}:{at:%Y%m%dT%H%M}"


def ritual_of(run: DigestRun, owner_id: str) -> Ritual:
    """Who is told (once per channel and error) when a message of this run cannot be delivered."""
    return Ritual(RITUAL_KIND, run.id, owner_id)


def enqueue_digest(
    session: Session, run: DigestRun, digest: data.Digest, *, owner_id: str, now: datetime, allow_external: bool
) -> None:
    """The digest message itself, keyed by the run's ``message_key``. ``allow_external``: its owner
    confirmed this channel although it is shared with another organisation."""
    message = views.build_digest_message(digest)
    enqueue(
        session, team_id=run.team_id, method="chat.postMessage", args={"channel": run.channel_id, **message},
        key=run.message_key, now=now, ritual=ritual_of(run, owner_id), on_result=Hook.POSTED,
        allow_external=allow_external,
    )  # fmt: skip


def enqueue_chart_share(
    session: Session, run: DigestRun, file_id: str, *, owner_id: str, now: datetime, allow_external: bool
) -> None:
    """Share the uploaded chart into the digest's thread, once the digest has its ``ts``."""
    enqueue(
        session,
        team_id=run.team_id,
        method="files.completeUploadExternal",
        args={
            "files": [{"id": file_id, "title": data.CHART_TITLE}],
            "channel_id": run.channel_id,
            "thread_ts": result_ref(run.message_key),
            "initial_comment": views.chart_comment(),
        },
        key=f"{run.message_key}:chart",
        now=now,
        ritual=ritual_of(run, owner_id),
        on_result=Hook.CHART_SHARED,
        allow_external=allow_external,
    )


def _run_of(session: Session, row: OutboxMessage) -> DigestRun | None:
    if not row.ritual_id or not row.ritual_id.isdigit():
        return None
    return session.scalar(select(DigestRun).where(DigestRun.team_id == row.team_id, DigestRun.id == int(row.ritual_id)))


def _on_posted(session: Session, row: OutboxMessage, result: dict[str, object]) -> None:
    run = _run_of(session, row)
    if run is not None:
        run.status = RunStatus.POSTED.value
        run.message_ts = str(result.get("ts") or "") or None
        session.flush()


def _on_chart_shared(session: Session, row: OutboxMessage, result: dict[str, object]) -> None:
    run = _run_of(session, row)
    if run is not None:
        run.chart_status = ChartStatus.SHARED.value
        session.flush()


def _on_failed(session: Session, row: OutboxMessage, error: str) -> None:
    run = _run_of(session, row)
    if run is None:
        return
    if row.key.endswith(":chart"):
        run.chart_status = ChartStatus.FAILED.value
        run.chart_error = error
    else:
        run.status = RunStatus.FAILED.value
        run.error = error
    session.flush()


RESULT_HOOKS: dict[str, ResultHook] = {Hook.POSTED: _on_posted, Hook.CHART_SHARED: _on_chart_shared}
FAILURE_HOOKS: dict[str, FailureHook] = {RITUAL_KIND: _on_failed}
