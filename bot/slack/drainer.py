"""The drainer: claims ready outbox rows with a lease, paces, sends, retries and records the outcome.

Rows get here through ``bot.slack.outbox.enqueue``; this module is what sends them.

**Sending.** ``drain(services)`` claims ready rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL) with
a lease, paces them per method tier and per channel (``bot.slack.ratelimit``), sends them over
HTTP (``bot.slack.sender``: httpx, no hidden retries) and records the outcome in a short unit of
work per row. 429 ``Retry-After`` blocks the method (chat.postMessage: the channel) and reschedules
the row; 5xx, timeouts and connection errors back off exponentially with jitter, for up to a day;
other Slack errors are permanent (``bot.slack.delivery_errors``). A row that fails permanently runs
its ritual's failure hook and its owner is told once per (ritual, channel, error) by DM.

**Render at send time.** A row whose args carry ``render_at_send(...)`` (``bot.slack.outbox``) is
rendered right before its call, after it is claimed and outside the write gate, by the renderer
its feature registered (``render_for_send``): what is sent shows the state of that moment, and a
burst of changes enqueued as one pending row costs one render. A renderer that raises retries the
row with backoff (``render_failed``, given up after a day like a 5xx); one that finds nothing to
show fails the row with ``nothing_to_render``, without telling anyone.

**External channels.** Nothing is shown in a channel shared with another organisation unless the
row says a person chose it (``enqueue(..., allow_external=True)``). Right before a visible call to
a channel (``bot.slack.channels.post_target``) the drainer asks ``conversations.info`` (cached per
process for ``DrainPolicy.audience_ttl``, so one Tier-3 call per channel per minute, not per post)
and fails the row with ``external_channel`` if the channel is external: the ritual's owner is told
once by DM, like any channel they can fix. One check for every ritual, at the last moment, so a
channel that became shared after setup gets nothing. A failed look-up never counts as internal.

**Crash window (at-least-once, honestly).** A row is marked sent in its own transaction right
after Slack answers. If the process dies between Slack accepting a call and that commit (about a
millisecond on loopback), the row is still ``sending``; once its lease expires another drainer
sends it again. Slack has no idempotency key for chat.postMessage, so such a row can appear
twice: at most one per call in flight at the crash (``DrainPolicy.concurrency``, 4). Rows marked
sent before the crash are never re-sent, and leased rows whose call had not started are sent once.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.db import Database
from bot.services import Services
from bot.slack.channels import EXTERNAL_CHANNEL, AudienceCache, is_external, post_target
from bot.slack.delivery_errors import DEPENDENCY_FAILED, NOTHING_TO_RENDER, RENDER_FAILED, failure_alert_text
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.outbox import RENDER, Renderer, add_wakeup, enqueue, remove_wakeup, render_params, resolve_results
from bot.slack.ratelimit import Pacer, RateLimits, Reservation
from bot.slack.sender import HttpSender, Outcome, Sender

log = logging.getLogger(__name__)


@dataclass
class DrainReport:
    sent: int = 0
    failed: int = 0
    retried: int = 0  # transient errors rescheduled with backoff
    rate_limited: int = 0  # 429s rescheduled after Retry-After
    waited_seconds: float = 0.0  # time spent pacing
    errors: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, counter: str, error: str | None = None) -> None:
        """Count one outcome (sender threads report concurrently)."""
        with self._lock:
            setattr(self, counter, getattr(self, counter) + 1)
            if error is not None:
                self.errors[error] = self.errors.get(error, 0) + 1

    def summary(self) -> str:
        return (
            f"outbox: {self.sent} sent, {self.failed} failed, {self.retried} retried, {self.rate_limited} rate-limited"
        )


@dataclass(frozen=True)
class DrainPolicy:
    lease: timedelta = timedelta(minutes=2)
    claim_batch: int = 50  # rows leased at once; released early if sending them nears the lease
    scan_batch: int = 100  # ready rows looked at per pass
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    give_up_after: timedelta = timedelta(hours=24)  # transient errors: keep trying this long
    concurrency: int = 4  # calls in flight at once (distinct channels only)
    audience_ttl: float = 60.0  # seconds a channel's "shared with another organisation?" is cached


def _backoff(policy: DrainPolicy, attempts: int) -> float:
    ceiling = min(policy.backoff_cap, policy.backoff_base * 2 ** max(0, attempts - 1))
    return ceiling * random.uniform(0.5, 1.0)


@dataclass(frozen=True)
class _Claimed:
    row_id: int
    team_id: str
    method: str
    args: dict[str, Any]
    reservation: Reservation
    allow_external: bool = False


class NoRenderer(LookupError):
    """A row names a renderer no feature registered."""


def render_for_send(
    db: Database, renderers: Mapping[str, Renderer], team_id: str, args: dict[str, Any]
) -> dict[str, Any] | None:
    """The arguments a claimed row is sent with: for a row rendered at send time, its renderer's
    message as of now (in a read-only unit of work, no write gate), or None when there is nothing
    to send any more; any other row's ``args`` as they are. Raises what the renderer raises."""
    params = render_params(args)
    if params is None:
        return args
    name = str(params.get("renderer"))
    renderer = renderers.get(name)
    if renderer is None:
        raise NoRenderer(f"no renderer named {name!r}")
    with db.unit_of_work() as session:
        content = renderer(session, team_id, args)
    if content is None:
        return None
    return {**{k: v for k, v in args.items() if k != RENDER}, **content}


class Drainer:
    """Sends outbox rows. One per process (it holds the pacer and the HTTP pool)."""

    def __init__(
        self,
        services: Services,
        *,
        sender: Sender | None = None,
        pacer: Pacer | None = None,
        policy: DrainPolicy | None = None,
        owner: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.services = services
        self._http = HttpSender(services) if sender is None else None
        self.sender: Sender = sender or self._http.send  # type: ignore[union-attr]
        self.pacer = pacer or Pacer(RateLimits())
        self.policy = policy or DrainPolicy()
        self.owner = owner or f"drainer-{uuid.uuid4().hex[:12]}"
        self._sleep = sleep
        self._lock = threading.Lock()  # one drain at a time per Drainer
        self.audiences = AudienceCache(self.policy.audience_ttl)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()

    # One pass: lease up to claim_batch ready rows the pacer lets through now.
    def _claim(self, now: datetime, report: DrainReport) -> tuple[list[_Claimed], float | None]:
        db = self.services.db
        claimed: list[_Claimed] = []
        min_wait: float | None = None
        with db.write_gate, db.unit_of_work() as session:
            ready = or_(
                (OutboxMessage.status == OutboxStatus.PENDING.value) & (OutboxMessage.next_attempt_at <= now),
                (OutboxMessage.status == OutboxStatus.SENDING.value) & (OutboxMessage.lease_until < now),
            )
            query = select(OutboxMessage).where(ready).order_by(OutboxMessage.id).limit(self.policy.scan_batch)
            if db.dialect == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = list(session.scalars(query))
            for row in rows:
                if len(claimed) >= self.policy.claim_batch:
                    break
                results: dict[str, dict[str, Any] | None] = {}
                blocked = False
                for ref_key in row.depends_on or ():
                    parent = session.scalar(
                        select(OutboxMessage).where(OutboxMessage.team_id == row.team_id, OutboxMessage.key == ref_key)
                    )
                    if parent is None or parent.status == OutboxStatus.FAILED:
                        self._fail(session, row, DEPENDENCY_FAILED, now, report, alert=False)
                        blocked = True
                        break
                    if parent.status != OutboxStatus.SENT:
                        if parent.status == OutboxStatus.PENDING and parent.next_attempt_at > now:
                            row.next_attempt_at = parent.next_attempt_at
                        elif parent.status == OutboxStatus.SENDING:
                            row.next_attempt_at = now + timedelta(seconds=1)
                        blocked = True
                        break
                    results[ref_key] = parent.result
                if blocked:
                    continue
                args = resolve_results(row.args, results) if results else row.args
                resolved_channel = args.get("channel")
                channel = row.channel or (resolved_channel if isinstance(resolved_channel, str) else "")
                reservation = self.pacer.try_acquire(row.team_id, row.method, channel)
                if reservation.wait > 0:
                    wait = reservation.wait
                    min_wait = wait if min_wait is None else min(min_wait, wait)
                    continue
                row.status = OutboxStatus.SENDING.value
                row.lease_until = now + self.policy.lease
                row.lease_owner = self.owner
                row.attempts += 1
                row.updated_at = now
                claimed.append(_Claimed(row.id, row.team_id, row.method, args, reservation, bool(row.allow_external)))
        return claimed, min_wait

    def _fail(
        self, session: Session, row: OutboxMessage, error: str, now: datetime, report: DrainReport, alert: bool = True
    ) -> None:
        row.status = OutboxStatus.FAILED.value
        row.error = error
        row.lease_until = None
        row.updated_at = now
        report.add("failed", error=error)
        log.warning("outbox %s (%s %s) failed: %s", row.id, row.team_id, row.method, error)
        if row.ritual_kind is None:
            return
        hook = self.services.hooks.failures.get(row.ritual_kind)
        if hook is not None:
            hook(session, row, error)
        if alert and row.ritual_owner and row.ritual_owner != row.channel:
            # The key makes this once per (ritual, channel, error), across retries and replicas.
            enqueue(
                session,
                team_id=row.team_id,
                method="chat.postMessage",
                args={"channel": row.ritual_owner, "text": failure_alert_text(row, error)},
                key=f"alert:{row.ritual_kind}:{row.ritual_id}:{row.channel}:{error}"[:255],
                now=now,
            )

    def _finish(
        self, row_id: int, outcome: Outcome, now: datetime, report: DrainReport, sent_args: dict[str, Any] | None = None
    ) -> None:
        """Record ``outcome``; ``sent_args``: what a row rendered at send time was sent with."""
        with self.services.db.write_gate, self.services.db.unit_of_work() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None or row.status != OutboxStatus.SENDING:
                return
            row.updated_at = now
            row.lease_until = None
            if outcome.kind == "ok":
                result = {k: v for k, v in outcome.data.items() if k not in ("message", "response_metadata", "warning")}
                if sent_args is not None:
                    row.args = sent_args  # the record of what was sent, in place of the marker
                row.status = OutboxStatus.SENT.value
                row.result = result
                row.error = None
                row.sent_at = now
                report.add("sent")
                if row.on_result:
                    hook = self.services.hooks.results.get(row.on_result)
                    if hook is None:
                        log.error("outbox %s: no result hook named %r", row.id, row.on_result)
                    else:
                        hook(session, row, result)
                return
            if outcome.kind == "permanent":
                # Nothing left to render (its subject was deleted): nobody has anything to fix.
                self._fail(session, row, outcome.error, now, report, alert=outcome.error != NOTHING_TO_RENDER)
                return
            row.status = OutboxStatus.PENDING.value
            row.error = outcome.error
            if outcome.kind == "ratelimited":
                # Retry-After is in Slack seconds; an accelerated emulator runs them faster.
                pause = outcome.retry_after * self.pacer.limits.time_scale
                delay = pause + random.uniform(0, 0.05 * max(pause, 1.0))
                self.pacer.block(row.team_id, row.method, row.channel, pause)
                report.add("rate_limited")
            else:
                if now - row.created_at > self.policy.give_up_after:
                    self._fail(session, row, f"gave_up:{outcome.error}", now, report)
                    return
                delay = _backoff(self.policy, row.attempts)
                report.add("retried")
            row.next_attempt_at = now + timedelta(seconds=delay)

    def _next_due(self) -> datetime | None:
        with self.services.db.unit_of_work() as session:
            pending = session.scalar(
                select(OutboxMessage.next_attempt_at)
                .where(OutboxMessage.status == OutboxStatus.PENDING.value)
                .order_by(OutboxMessage.next_attempt_at)
                .limit(1)
            )
            leased = session.scalar(
                select(OutboxMessage.lease_until)
                .where(OutboxMessage.status == OutboxStatus.SENDING.value)
                .order_by(OutboxMessage.lease_until)
                .limit(1)
            )
        candidates = [t for t in (pending, leased) if t is not None]
        return min(candidates) if candidates else None

    def _release(self, row_ids: list[int], now: datetime) -> None:
        with self.services.db.write_gate, self.services.db.unit_of_work() as session:
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id.in_(row_ids), OutboxMessage.status == OutboxStatus.SENDING.value)
                .values(status=OutboxStatus.PENDING.value, lease_until=None, attempts=OutboxMessage.attempts - 1)
            )

    def _send_lane(self, lane: list[_Claimed], now: datetime | None, current: datetime, report: DrainReport) -> None:
        """Send one channel's rows in order; hand back the rest if the lease is running out."""
        lease_budget = self.policy.lease.total_seconds() - 2 * _timeout_of(self)
        claimed_at = time.monotonic()
        for index, item in enumerate(lane):
            if time.monotonic() - claimed_at > lease_budget:
                self._release([c.row_id for c in lane[index:]], current)
                return
            args = item.args
            outcome = self._held_back(item)
            if outcome is None:
                args, outcome = self._rendered(item)
            started = time.monotonic()
            if outcome is None:
                outcome = self.sender(item.team_id, item.method, args)
            self.pacer.settle(item.reservation)
            self.pacer.observe_latency(time.monotonic() - started)
            sent_args = args if args is not item.args else None
            self._finish(item.row_id, outcome, now or self.services.clock(), report, sent_args)

    def _rendered(self, item: _Claimed) -> tuple[dict[str, Any], Outcome | None]:
        """``item``'s arguments to send (see "Render at send time"), or why it is not sent now."""
        try:
            args = render_for_send(self.services.db, self.services.hooks.renderers, item.team_id, item.args)
        except Exception as error:  # noqa: BLE001 - a renderer bug or a database hiccup: retry, never lose the row
            log.warning(
                "outbox %s (%s %s): rendering it failed, retrying later: %s: %s",
                item.row_id, item.team_id, item.method, type(error).__name__, error,
            )  # fmt: skip
            return item.args, Outcome("transient", error=RENDER_FAILED)
        if args is None:
            log.info("outbox %s (%s %s): nothing to render any more, not sent", item.row_id, item.team_id, item.method)
            return item.args, Outcome("permanent", error=NOTHING_TO_RENDER)
        return args, None

    def _held_back(self, item: _Claimed) -> Outcome | None:
        """Why ``item`` must not be sent to its channel (see "External channels"), or None."""
        channel = post_target(item.method, item.args)
        if channel is None or item.allow_external:
            return None
        external = self.audiences.get(item.team_id, channel)
        if external is None:
            looked_up = self.sender(item.team_id, "conversations.info", {"channel": channel})
            if looked_up.kind != "ok":
                # Unknown is never "internal": retry later, or fail with Slack's own reason.
                kind = "permanent" if looked_up.kind == "permanent" else "transient"
                return Outcome(kind, error=looked_up.error or "conversations_info_failed")
            external = is_external(looked_up.data.get("channel") or {})
            self.audiences.put(item.team_id, channel, external)
        return Outcome("permanent", error=EXTERNAL_CHANNEL) if external else None

    def _send_batch(
        self, claimed: list[_Claimed], now: datetime | None, current: datetime, report: DrainReport
    ) -> None:
        """Up to ``policy.concurrency`` calls in flight, one lane per channel so each channel's
        messages keep their order (a prompt before its summary)."""
        lanes: dict[tuple[str, str], list[_Claimed]] = {}
        for item in claimed:
            channel = item.args.get("channel")
            lane_key = (item.team_id, channel if isinstance(channel, str) and channel else f"row:{item.row_id}")
            lanes.setdefault(lane_key, []).append(item)
        if self.policy.concurrency <= 1 or len(lanes) == 1:
            for lane in lanes.values():
                self._send_lane(lane, now, current, report)
            return
        with ThreadPoolExecutor(max_workers=self.policy.concurrency, thread_name_prefix="outbox") as pool:
            for future in [pool.submit(self._send_lane, lane, now, current, report) for lane in lanes.values()]:
                future.result()

    def drain(self, now: datetime | None = None, *, limit: int = 100_000, deadline: float | None = None) -> DrainReport:
        """Send ready rows until none is ready, ``limit`` rows were handled or ``deadline`` passed.

        ``now``: a fixed instant for every database comparison (tests); default the services clock.
        ``deadline``: seconds this call may take; with it, drain also waits for retries that come
        due before the deadline. Without it, it returns once nothing is ready (pacing waits still
        happen: rows that are ready get sent).
        """
        report = DrainReport()
        started = time.monotonic()
        with self._lock:
            while report.sent + report.failed < limit:
                current = now or self.services.clock()
                if deadline is not None and time.monotonic() - started >= deadline:
                    break
                claimed, min_wait = self._claim(current, report)
                if claimed:
                    self._send_batch(claimed, now, current, report)
                    continue
                if min_wait is not None:
                    # Ready rows exist but pacing holds them back: wait for the first token.
                    if deadline is not None:
                        remaining = deadline - (time.monotonic() - started)
                        if remaining <= 0:
                            break
                        min_wait = min(min_wait, remaining)
                    self._sleep(min_wait)
                    report.waited_seconds += min_wait
                    continue
                if deadline is None or now is not None:
                    break
                due = self._next_due()
                if due is None:
                    break
                gap = (due - self.services.clock()).total_seconds()
                remaining = deadline - (time.monotonic() - started)
                if gap >= remaining:
                    break
                self._sleep(max(0.01, min(gap, 1.0)))
        return report


def _timeout_of(drainer: Drainer) -> float:
    return drainer._http.timeout if drainer._http is not None else 10.0


_DEFAULT_DRAINERS: dict[int, Drainer] = {}
_DEFAULT_LOCK = threading.Lock()


def drainer_for(services: Services) -> Drainer:
    """The process-wide Drainer of ``services`` (created on first use with Slack's documented limits)."""
    with _DEFAULT_LOCK:
        drainer = _DEFAULT_DRAINERS.get(id(services))
        if drainer is None:
            drainer = _DEFAULT_DRAINERS[id(services)] = Drainer(services)
        return drainer


def use_drainer(services: Services, drainer: Drainer | None) -> None:
    """Install (or with None, forget) the Drainer ``drain(services)`` uses: tests and benches pass
    one with other rate limits or policy."""
    with _DEFAULT_LOCK:
        old = _DEFAULT_DRAINERS.pop(id(services), None)
        if old is not None and old is not drainer:
            old.close()
        if drainer is not None:
            _DEFAULT_DRAINERS[id(services)] = drainer


def drain(
    services: Services, now: datetime | None = None, *, limit: int = 100_000, deadline: float | None = None
) -> DrainReport:
    """Send what is ready in the outbox (see ``Drainer.drain``)."""
    return drainer_for(services).drain(now, limit=limit, deadline=deadline)


# --- background thread for `tandem run` ------------------------------------------------------------


class DrainerThread(threading.Thread):
    """Drains when woken (something was enqueued in this process) and every ``poll_seconds`` (work
    enqueued by other replicas, retries coming due, expired leases)."""

    def __init__(self, services: Services, *, poll_seconds: float = 5.0) -> None:
        super().__init__(name="tandem-drainer", daemon=True)
        self.services = services
        self.poll_seconds = poll_seconds
        self.wake = services.outbox_wakeup
        self._stop_event = threading.Event()

    def run(self) -> None:
        add_wakeup(self.wake)
        try:
            while not self._stop_event.is_set():
                self.wake.clear()
                try:
                    report = drain(self.services, deadline=self.poll_seconds)
                    if report.sent or report.failed:
                        log.info(report.summary())
                except Exception:
                    log.exception("outbox drain failed; retrying in %ss", self.poll_seconds)
                self.wake.wait(self.poll_seconds)
        finally:
            remove_wakeup(self.wake)

    def stop(self, timeout: float = 15.0) -> None:
        self._stop_event.set()
        self.wake.set()
        self.join(timeout)


def start_drainer(services: Services, *, poll_seconds: float = 5.0) -> DrainerThread:
    thread = DrainerThread(services, poll_seconds=poll_seconds)
    thread.start()
    return thread
