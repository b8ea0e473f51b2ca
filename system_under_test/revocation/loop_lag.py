"""Event-loop lag: tells a starved worker from a slow Redis.

Redis timeouts run on the worker's event loop. When the loop is late (too many requests, too
little CPU), a reply that Redis sent in time sits in the socket buffer until the timer fires;
such a timeout says nothing about Redis and must not open the breaker or fail open.

lag = LoopLag(); lag.start()                    # a 10 ms heartbeat measuring its own lateness
started = time.monotonic() ... a call times out ...
blame_redis(timed_out=True, loop_late_s=lag.late_since(started), timeout_s=0.1)

The lateness of a call is the sum of its late beats, not the worst one: a call crosses several
loop turns (send, read, the client's own awaits), and a loop late by 45 ms at every turn
delays it by hundreds of ms while no single beat is late by half the timeout.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable

HEARTBEAT_S = 0.01
KEEP_S = 2.0  # late beats are remembered this long (longer than any call's budget)
# late_recently(): a worker's accept takes its whole batch when the loop was this late in this
# window (overload: iterations of 0.1-1 s), and only a fair share otherwise (acceptor.py)
RECENT_S = 0.25
BEHIND_S = 0.05
# a timeout counts against Redis only while the loop was late by less than this share of it
STARVED_SHARE = 0.5


def blame_redis(timed_out: bool, loop_late_s: float, timeout_s: float) -> bool:
    """Whether a failed call counts against Redis (breaker, fail-open): every error does, a
    timeout only when the loop was on time (else the reply may be waiting unread)."""
    return not timed_out or loop_late_s < STARVED_SHARE * timeout_s


def accumulated_lateness(
    beats: Iterable[tuple[float, float]], since: float, overdue: float
) -> float:
    """The lateness (s) of the late beats (when, how late) at or after `since`, plus what is
    overdue now (a beat that has not run yet)."""
    return sum(late for at, late in beats if at >= since) + max(overdue, 0.0)


class LoopLag:
    """A heartbeat on the running loop; remembers its worst recent lateness."""

    def __init__(self, heartbeat_s: float = HEARTBEAT_S) -> None:
        self._heartbeat_s = heartbeat_s
        self._due = 0.0  # monotonic time the next beat is due
        self._late: deque[tuple[float, float]] = deque()  # (when, how late) of late beats
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        self._schedule()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def late_since(self, since: float) -> float:
        """How late (s) the loop was in all since `since` (monotonic): its late beats after it,
        plus the beat that is overdue right now."""
        now = time.monotonic()
        overdue = now - self._due if self._handle is not None else 0.0
        return accumulated_lateness(self._late, since, overdue)

    def late_recently(self) -> bool:
        """Whether the loop was late by more than BEHIND_S in all over the last RECENT_S."""
        return self.late_since(time.monotonic() - RECENT_S) > BEHIND_S

    def _schedule(self) -> None:
        self._due = time.monotonic() + self._heartbeat_s
        self._handle = asyncio.get_running_loop().call_later(self._heartbeat_s, self._beat)

    def _beat(self) -> None:
        now = time.monotonic()
        late = now - self._due
        if late > self._heartbeat_s:  # a beat within one period is the loop's normal jitter
            self._late.append((now, late))
        while self._late and self._late[0][0] < now - KEEP_S:
            self._late.popleft()
        self._schedule()
