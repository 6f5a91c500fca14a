"""The embedded runtime's notifier: each due delivery is its own task, so no channel waits.

Deliveries are rows of the `DeliveryQueue` (one per hit, channel and target). A pass
reads what is due and starts a task per delivery not already in flight, under a
semaphore of `notify.concurrency`, and returns at once: a receiver that stalls for
its whole timeout holds one task and one slot, never the loop or another rule's
delivery. A finished task wakes the loop, and the loop re-reads the queue at least
every few seconds, so a delivery put back by `alerts retry` in another process goes
out within seconds.

Attempts are one `send` each; the queue keeps the count and the next attempt time
(backoff, Retry-After), and after `notify.max_attempts` or a permanent error the
delivery is dead-lettered: state failed, a journal event (stage "notify") naming the
channel. A channel with no sender configured dead-letters at once with what to set.
Targets are secrets (a Slack webhook's path, an address): logs, events and stored
errors show them redacted.

Held deliveries (a rule's digest, or hits past its throttle: `wirewatch.core.pacing`)
go out when their window ends, grouped by rule, channel and target into digests of at
most `DIGEST_MAX_ALERTS`; one attempt sends the digest, and its outcome is recorded on
every delivery it lists (a failed digest stays held and is retried as one).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass

from sinks.webhook import ChannelSender, DeliveryResult, next_attempt_at
from wirewatch.core.clock import Clock
from wirewatch.core.metrics import NO_METRICS, Metrics
from wirewatch.core.models import Channel, Notification
from wirewatch.core.pacing import digests
from wirewatch.core.ports import DeliveryQueue, Journal
from wirewatch.core.records import Delivery, DeliveryKey
from wirewatch.core.redact import redact_target, redact_text
from wirewatch.core.settings import NotifySettings, email_ready
from wirewatch.runtime.aio import wait_event

log = logging.getLogger("wirewatch.runtime.notify")

STAGE = "notify"
"""The journal stage of dead-lettered deliveries (counted in `wirewatch status`)."""

IDLE_WAIT = 5.0
"""Seconds between reads of the queue when nothing wakes the loop (another process may
have put deliveries back with `alerts retry`)."""

BUSY_WAIT = 1.0
"""Seconds before reading again while every due delivery is in flight."""


@dataclass
class NotifyCounts:
    """What this run delivered and dead-lettered (the run summary shows it)."""

    delivered: int = 0
    dead_lettered: int = 0


class Notifier:
    """Starts due deliveries as tasks and records their outcomes in the queue."""

    def __init__(
        self,
        queue: DeliveryQueue,
        senders: Mapping[Channel, ChannelSender],
        settings: NotifySettings,
        *,
        clock: Clock,
        journal: Journal,
        rng: random.Random | None = None,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.queue = queue
        self.metrics = metrics
        self.senders = dict(senders)
        self.settings = settings
        self.clock = clock
        self.journal = journal
        self.rng = rng or random.Random()
        self.counts = NotifyCounts()
        self.wake = asyncio.Event()
        self._slots = asyncio.Semaphore(settings.concurrency)
        self._in_flight: dict[DeliveryKey, asyncio.Task[None]] = {}
        self._members: dict[DeliveryKey, list[DeliveryKey]] = {}

    async def run(self) -> None:
        """Start what is due, then wait for a wake-up (a new hit, a finished delivery) or
        the next due time, at most `IDLE_WAIT`; forever (the runtime cancels it)."""
        try:
            while True:
                self.wake.clear()
                self.start_due()
                await wait_event(self.wake, self._wait())
        finally:
            for task in list(self._in_flight.values()):
                task.cancel()

    def start_due(self) -> int:
        """Start a task for every due delivery and digest not already in flight; returns
        how many."""
        free = self.settings.concurrency - len(self._in_flight)
        if free <= 0:  # a finished task frees a slot and wakes the loop
            return 0
        now = self.clock.now()
        busy = set(self._busy)
        due = self.queue.due_deliveries(now, limit=free, exclude=busy)
        started = sum(self._start(d.key, [d], d.alert) for d in due)
        groups: dict[DeliveryKey, list[Delivery]] = {}
        for d in self.queue.due_digests(now, exclude=busy):
            groups.setdefault((d.alert.rule_id, d.channel, d.target), []).append(d)
        for (_, channel, target), members in groups.items():
            by_id = {d.alert.id: d for d in members}
            for digest in digests(target, [d.alert for d in members]):
                chunk = [by_id[a.id] for a in digest.alerts]
                started += self._start((digest.id, channel, target), chunk, digest)
        return started

    def _start(self, key: DeliveryKey, members: list[Delivery], message: Notification) -> bool:
        """One task sending `message` for `members` (one delivery, or a digest's), unless
        one with this key is in flight."""
        if key in self._in_flight:
            return False
        task = asyncio.create_task(self._attempt(members, message), name=f"notify {key[1]}")
        self._in_flight[key] = task
        self._members[key] = [d.key for d in members]
        task.add_done_callback(functools.partial(self._done, key))
        return True

    @property
    def _busy(self) -> list[DeliveryKey]:
        """The deliveries in flight, a digest's members included."""
        return [k for keys in self._members.values() for k in keys]

    async def flush(self) -> None:
        """Deliver everything due now, page after page, and wait for it (the end of
        `run --once`); retries scheduled for later are left to the next run."""
        while self.start_due() or self._in_flight:
            await asyncio.wait(list(self._in_flight.values()))
            await asyncio.sleep(0)  # their done-callbacks leave the in-flight set

    def _done(self, key: DeliveryKey, task: asyncio.Task[None]) -> None:
        self._in_flight.pop(key, None)
        self._members.pop(key, None)
        self.wake.set()
        if not task.cancelled() and task.exception() is not None:  # e.g. the database failed
            log.error("delivery %s stays pending: %r", key[0], task.exception())

    def _wait(self) -> float:
        nxt = self.queue.next_delivery_at()
        if nxt is None:
            return IDLE_WAIT
        seconds = (nxt - self.clock.now()).total_seconds()
        # due already: in flight (its task wakes us) or past this pass's page
        return min(IDLE_WAIT, BUSY_WAIT if seconds <= 0 else max(0.05, seconds))

    async def _attempt(self, members: list[Delivery], message: Notification) -> None:
        d = members[0]  # every member shares the channel and target
        async with self._slots:
            sender = self.senders.get(d.channel)
            if sender is None:
                reason = (d.channel is Channel.EMAIL and email_ready(self.settings)) or (
                    f"no {d.channel} sender is configured"
                )
                result = DeliveryResult(ok=False, error=reason, retryable=False)
            else:
                try:
                    result = await sender.send(d.target, message)
                except Exception as e:  # a sender's bug fails this delivery, not the loop
                    # no traceback: its frames could quote the target, a secret
                    result = DeliveryResult(ok=False, error=f"sender bug: {e!r}", retryable=True)
                    log.error("the %s sender failed on %s %s", d.channel, message.kind, message.id)
            for member in members:
                self._record(member, result)

    def _record(self, d: Delivery, result: DeliveryResult) -> None:
        now = self.clock.now()
        if result.ok:
            self.queue.mark_delivered(d.alert.id, d.channel, d.target, now)
            self.counts.delivered += 1
            self._count(d, "delivered")
            return
        shown = redact_target(d.channel, d.target)
        error = redact_text((result.error or "failed").replace(d.target, shown))
        tried = d.attempts + 1
        retry_at = next_attempt_at(result, tried, self.settings, self.rng, now)
        self.queue.mark_attempt_failed(d.alert.id, d.channel, d.target, error, retry_at=retry_at)
        if retry_at is not None:
            log.info("%s to %s failed (attempt %d), retrying: %s", d.channel, shown, tried, error)
            self._count(d, "retrying")
            return
        self.counts.dead_lettered += 1
        self._count(d, "dead_lettered")
        message = f"{d.channel} to {shown} gave up after {tried} attempts: {error}"
        self.journal.record_event(now, STAGE, d.alert.rule_name, message)
        log.error("alert %r: %s", d.alert.rule_name, message)

    def _count(self, d: Delivery, outcome: str) -> None:
        self.metrics.count(
            "wirewatch_alert_deliveries_total", channel=str(d.channel), outcome=outcome
        )
