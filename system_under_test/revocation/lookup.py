"""Coalesced lookups: concurrent checks share one MGET round trip.

A batch collects the keys of every check that arrives before it is sent; it is sent when fewer
than `max_in_flight` batches are out, else when one returns, and not before the worker has
stopped handing it checks: while checks keep joining, it waits loop turn after loop turn, for
at most `gather_s` after its first check (each MGET costs a write, a read and a wake-up of
Redis and of the worker: batches of 16 instead of 4-5 took a verify from 47 to 37 us of CPU).
So each
check's answer comes from a read issued after the check was called (linearizable), and nothing
"not revoked" is ever cached. With `budget_s`, a batch fails its checks with TimeoutError that
long after its first check joined: one timer per batch bounds every check's wait (a later
joiner's deadline is only later), instead of one `asyncio.timeout` per check. With `pending`,
an expiring batch first gives a reply waiting unread a few loop turns (unread.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Protocol

from system_under_test.revocation.unread import ReplyPending, grant_turn

Values = list[bytes | str | None]
MAX_GATHER_TURNS = 8  # a batch waits at most this many loop turns for more checks (and gather_s)
Fetch = Callable[[list[str]], Awaitable[Values]]
# lookup_soon's callback: (values, None) when read, (None, error) when the lookup failed
Landed = Callable[[Values | None, Exception | None], None]
log = logging.getLogger(__name__)


class LookupExpired(TimeoutError):
    """A batch's budget ran out; ``sent_for_s``: how long Redis had its MGET (None: unsent)."""

    def __init__(self, sent_for_s: float | None, reason: str) -> None:
        super().__init__(f"revocation lookup over its budget: {reason}")
        self.sent_for_s = sent_for_s


def queued_here(sent_for_s: float | None, redis_answering: bool, timeout_s: float) -> bool:
    """Whether an expired batch waited in this worker rather than on Redis: Redis had it for
    less than half a timeout (or never: earlier batches held the slots) while it answered
    other requests within the last timeout. A hung Redis answers nothing: its batches, sent
    or not, are Redis's (the breaker counts them, fail-open applies)."""
    had_it_briefly = sent_for_s is None or sent_for_s < 0.5 * timeout_s
    return had_it_briefly and redis_answering


class Waiter(Protocol):
    """What a batch answers: an asyncio future (``lookup``) or a callback (``lookup_soon``)."""

    def done(self) -> bool: ...

    def set_result(self, result: Values, /) -> None: ...

    def set_exception(self, exception: type | BaseException, /) -> None: ...


class _Callback:
    """A batch's waiter that calls ``then`` with its own keys' values, once."""

    __slots__ = ("_called", "_then", "positions")

    def __init__(self, then: Landed) -> None:
        self._then = then
        self._called = False
        self.positions: list[int] = []

    def done(self) -> bool:
        return self._called

    def set_result(self, result: Values, /) -> None:
        if not self._called:
            self._called = True
            self._call(list(map(result.__getitem__, self.positions)), None)

    def set_exception(self, exception: type | BaseException, /) -> None:
        if not self._called:
            self._called = True
            error = exception if isinstance(exception, Exception) else RuntimeError(exception)
            self._call(None, error)

    def _call(self, values: Values | None, error: Exception | None) -> None:
        try:
            self._then(values, error)
        except Exception:  # one check's bug must not cost the batch's other checks their answer
            log.exception("a lookup's callback raised")


class _Batch:
    def __init__(self, pending: ReplyPending | None = None) -> None:
        self.keys: dict[str, int] = {}  # redis key -> position in the MGET
        self.waiters: list[Waiter] = []
        self.timer: asyncio.TimerHandle | None = None  # the first check's deadline
        self._pending = pending
        self._turns = 0  # loop turns given to a pending reply past the deadline
        self.created_at = time.monotonic()
        self.sent_at: float | None = None  # time.monotonic() when the MGET went out

    def expire(self) -> None:
        # a reply waits unread, or one was read since this batch went out (or, not sent yet,
        # since it began): Redis is answering, the loop is late
        sent_at = self.sent_at
        since = self.created_at if sent_at is None else sent_at
        if self._pending is not None and grant_turn(self._turns, self._pending(since)):
            self._turns += 1
            # a timer due now runs after the next turn's socket reads
            self.timer = asyncio.get_running_loop().call_later(0, self.expire)
            return
        self.timer = None
        waited: float | None = None
        if sent_at is None:
            reason = "batch not sent yet (earlier batches in flight)"
        else:
            waited = time.monotonic() - sent_at
            reason = f"no reply {1000 * waited:.0f} ms after the send, {self._turns} turns given"
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_exception(LookupExpired(waited, reason))

    def settle(self) -> None:
        """The batch is answered or abandoned: its deadline no longer applies."""
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


class CoalescedLookup:
    def __init__(
        self,
        fetch: Fetch,
        max_in_flight: int,
        budget_s: float | None = None,
        pending: ReplyPending | None = None,
        gather_s: float = 0.0,
    ) -> None:
        self._fetch = fetch
        self._max_in_flight = max_in_flight
        self._gather_s = gather_s
        self._budget_s = budget_s
        self._reply_pending = pending
        self._pending: _Batch | None = None
        self._launch_scheduled = False
        self._in_flight: set[asyncio.Task[None]] = set()  # batches sent or about to be
        self.round_trips = 0  # batches sent (for benchmarks: checks / round_trips = batch size)

    async def lookup(self, keys: Sequence[str]) -> Values:
        """Values of `keys` (in their order) read by a round trip issued after this call began."""
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Values] = loop.create_future()
        positions = self._join(keys, waiter, loop)
        values = await waiter
        return list(map(values.__getitem__, positions))  # no comprehension frame (3.11)

    def lookup_soon(self, keys: Sequence[str], then: Landed) -> None:
        """``lookup`` without a task: ``then(values, None)`` or ``then(None, error)`` is called
        once, from the batch that answers (or fails) these keys. What ``then`` raises is
        logged, never handed to the other checks of the batch."""
        waiter = _Callback(then)
        waiter.positions = self._join(keys, waiter, asyncio.get_running_loop())

    def _join(
        self, keys: Sequence[str], waiter: Waiter, loop: asyncio.AbstractEventLoop
    ) -> list[int]:
        """Add ``keys`` and ``waiter`` to the pending batch; the keys' positions in its MGET."""
        batch = self._pending
        if batch is None:
            batch = self._pending = _Batch(self._reply_pending)
            if self._budget_s is not None:
                batch.timer = loop.call_later(self._budget_s, batch.expire)
        index = batch.keys
        positions = []
        for key in keys:  # the hot path: inlined, one dict probe per key
            position = index.get(key)
            if position is None:
                position = index[key] = len(index)
            positions.append(position)
        batch.waiters.append(waiter)
        if not self._launch_scheduled and len(self._in_flight) < self._max_in_flight:
            self._launch()
        return positions

    async def close(self) -> None:
        batch, self._pending = self._pending, None
        if batch is not None:
            batch.settle()
        for waiter in batch.waiters if batch is not None else []:
            if not waiter.done():
                waiter.set_exception(RuntimeError("revocation store closed"))
        for task in list(self._in_flight):
            task.cancel()
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    def _schedule(self) -> None:
        if not self._launch_scheduled and len(self._in_flight) < self._max_in_flight:
            self._launch()

    def _launch(self) -> None:
        self._launch_scheduled = True
        # the task's first step runs a loop turn later: checks arriving until then join the batch
        task = asyncio.get_running_loop().create_task(self._send_pending())
        self._in_flight.add(task)
        task.add_done_callback(self._landed)

    def _landed(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if self._pending is not None:
            self._schedule()

    async def _send_pending(self) -> None:
        # a batch that gathered while this one was out goes next on the same slot, at once (it
        # is older than gather_s), not two loop turns later through a new task: a late loop
        # sheds fewer checks
        while self._pending is not None:
            self._launch_scheduled = True  # this slot takes the pending batch: no other one
            try:
                await self._gather()
            finally:
                self._launch_scheduled = False
            batch = self._take()
            if batch is None:  # the other slot took it meanwhile
                break
            batch.waiters = [w for w in batch.waiters if not w.done()]
            if not batch.waiters:
                batch.settle()
                continue
            self.round_trips += 1
            batch.sent_at = time.monotonic()
            try:
                await self._run(batch)
            finally:
                batch.settle()

    def _take(self) -> _Batch | None:
        batch, self._pending = self._pending, None
        return batch

    async def _gather(self) -> None:
        """Loop turns while checks keep joining the pending batch (the worker is still handing
        them in), for at most `gather_s` after its first check: the MGET leaves when nothing
        more is ready, with all of it."""
        for _ in range(MAX_GATHER_TURNS):
            batch = self._pending
            if batch is None or time.monotonic() - batch.created_at >= self._gather_s:
                return
            joined = len(batch.waiters)
            await asyncio.sleep(0)
            if self._pending is not batch or len(batch.waiters) == joined:
                return

    async def _run(self, batch: _Batch) -> None:
        keys = list(batch.keys)
        try:
            values = await self._fetch(keys)
        except BaseException as exc:
            _fail(batch, exc if isinstance(exc, Exception) else RuntimeError())
            if not isinstance(exc, Exception):
                raise
            return
        if len(values) != len(keys):  # each check reads its own positions: they must align
            _fail(batch, RuntimeError(f"{len(values)} values for {len(keys)} keys"))
            return
        for waiter in batch.waiters:
            if not waiter.done():
                waiter.set_result(values)


def _fail(batch: _Batch, reason: Exception) -> None:
    for waiter in batch.waiters:
        if not waiter.done():
            waiter.set_exception(reason)
