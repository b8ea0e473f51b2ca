"""Admission: how many requests a worker runs at once, which wait, and which are shed at once.

    admission = Admission(limit=256, wait_s=1.0)
    admission.arrive(request, LOGIN)    # starts it, queues it, or sheds it, right now
    admission.finished()                # a started request is done: the next queued one starts

Without it every request read from a socket starts at once; under overload the event loop then
carries thousands of half-done requests, each turn lasts hundreds of milliseconds, and every
Redis call, timed on that loop, misses its budget (503 after the work was done, the "late
sheds" of docs/performance.md). Here at most ``limit`` requests run at once; the rest wait in
arrival order (FIFO: every admitted request waits about as long as the queue is deep, none
starves), before any of their work is done. The wait is bounded at arrival, where shedding
costs a few microseconds: a request is refused at once (429 for a login, 503 otherwise, both
with ``Retry-After``) when its class's queue already holds more than ``wait_s`` of work, by
either of two signals:

- the head of its queue has waited longer than the class's bound (CoDel's sojourn time), or
- the queue's length over the measured completion rate predicts a longer wait (a burst that
  arrives at once into an empty queue is bounded too, before its head has aged).

The limit is fixed (``--max-in-flight``). A limit that follows the event loop's lateness
(AIMD, in the manner of TCP and of Netflix's concurrency-limits) was tried and dropped: on a
shared box the loop is late because other processes take the CPU, or because the worker reads
and sheds arrivals, and neither goes away with fewer requests running; the limit fell to its
floor of 8, each running request still needed several slow loop turns, and the worker
completed 400-1,200 requests a second instead of 2,000-3,000 (docs/performance.md).

Two classes, so that a login storm does not starve the users who hold a session, nor the other
way round: while both queues hold requests, sessions (verify, logout, refresh) get four starts
in five and logins ``LOGIN_SHARE`` (weighted round robin), so in a login storm the logins' queue
is the one that grows past ``wait_s`` and is shed, and logins still start, never starved to
zero. (Logins are not shed sooner than sessions: a client whose login is refused logs in again,
so shedding them early only adds logins.)

A login is also shed at arrival while ``login_full()`` says the password checks' own bounded
queue is full (users.UserDirectory.full): its check would be refused anyway, after its task,
its body and its JSON; at the default hash cost, in a login storm, that is almost every login.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

SESSION = 0  # verify, logout, refresh, and any other admitted route
LOGIN = 1
LOGIN_SHARE = 0.2  # of the starts while both classes wait: one login per four sessions
RATE_WINDOW_S = 0.5  # completions are counted over windows this long
MIN_RATE_SAMPLES = 16  # a window with fewer completions does not update the rate
# a shed answer's Retry-After: spread, so that the shed come back apart; the connection is not
# read for the first half second of it (http_protocol.py), so a retry loop waits instead of
# costing a parse
RETRY_AFTER_S = (1, 2)


class Pending(Protocol):
    """A request waiting for admission (the HTTP protocol's parsed request)."""

    def start(self) -> None: ...

    def shed(self, retry_after_s: int) -> None: ...

    def gone(self) -> bool: ...


@dataclass
class _Waiting:
    request: Pending
    arrived: float


class Admission:
    """The per-worker admission policy; ``limit`` < 1 admits everything at once."""

    def __init__(
        self,
        limit: int,
        wait_s: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        rng: random.Random | None = None,
        login_full: Callable[[], bool] | None = None,
    ) -> None:
        self.limit = limit
        self._login_full = login_full
        self.wait_s = wait_s
        self._clock = clock
        self._rng = rng or random.Random()
        self._queues: tuple[deque[_Waiting], deque[_Waiting]] = (deque(), deque())
        self._login_credit = 0.0
        self.running = 0
        self.rate = 0.0  # completions per second, 0 until measured
        self._window_start = clock()
        self._window_done = 0
        self.shed_count = [0, 0]  # by class
        self.queued_count = [0, 0]
        self.longest_wait_s = 0.0  # of a started request, since the last read_longest_wait()

    @property
    def enabled(self) -> bool:
        return self.limit >= 1

    def waiting(self, kind: int) -> int:
        return len(self._queues[kind])

    def arrive(self, request: Pending, kind: int) -> None:
        """Start ``request`` now, queue it, or shed it now."""
        if kind == LOGIN and self._login_full is not None and self.enabled and self._login_full():
            self._shed(request, kind)
            return
        if not self.enabled or (self.running < self.limit and not self._queued()):
            self.running += 1
            request.start()
            return
        now = self._clock()
        if self._predicted_wait(kind, now) > self.wait_s:
            self._shed(request, kind)
            return
        self._queues[kind].append(_Waiting(request, now))
        self.queued_count[kind] += 1
        self._start_queued()

    def _shed(self, request: Pending, kind: int) -> None:
        self.shed_count[kind] += 1
        request.shed(self._rng.randint(*RETRY_AFTER_S))

    def finished(self) -> None:
        """A started request ended (answered, failed or cancelled)."""
        self.running -= 1
        self._window_done += 1
        now = self._clock()
        elapsed = now - self._window_start
        if elapsed >= RATE_WINDOW_S:
            if self._window_done >= MIN_RATE_SAMPLES:
                measured = self._window_done / elapsed
                self.rate = measured if self.rate == 0 else (self.rate + measured) / 2
            self._window_start, self._window_done = now, 0
        self._start_queued()

    def task_done(self, _: object) -> None:
        """``finished`` as a task's done callback."""
        self.finished()

    def read_longest_wait(self) -> float:
        """The longest wait of a request started since the last call (for the metrics)."""
        longest, self.longest_wait_s = self.longest_wait_s, 0.0
        return longest

    def _queued(self) -> bool:
        return bool(self._queues[SESSION] or self._queues[LOGIN])

    def _predicted_wait(self, kind: int, now: float) -> float:
        """How long a request of ``kind`` arriving now would wait: at least as long as the head
        of its queue has already, and about its queue's length over the rate it is served at."""
        queue = self._queues[kind]
        if not queue:
            return 0.0
        head_age = now - queue[0].arrived
        if self.rate <= 0:
            return head_age
        share = 1.0
        if kind == LOGIN and self._queues[SESSION]:
            share = LOGIN_SHARE
        elif kind == SESSION and self._queues[LOGIN]:
            share = 1.0 - LOGIN_SHARE
        return max(head_age, len(queue) / (self.rate * share))

    def _start_queued(self) -> None:
        while self.running < self.limit:
            waiting = self._next()
            if waiting is None:
                return
            if waiting.request.gone():  # the client left while it waited: nothing to run
                continue
            self.longest_wait_s = max(self.longest_wait_s, self._clock() - waiting.arrived)
            self.running += 1
            waiting.request.start()

    def _next(self) -> _Waiting | None:
        sessions, logins = self._queues
        if logins and (not sessions or self._login_credit >= 1.0):
            if sessions:
                self._login_credit -= 1.0
            return logins.popleft()
        if sessions:
            if logins:
                self._login_credit += LOGIN_SHARE / (1.0 - LOGIN_SHARE)
            return sessions.popleft()
        return None
