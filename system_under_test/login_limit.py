"""Failed-login limit per user: a fixed window counted in Redis, locally while Redis is down.

    limit = LoginLimit(store.incr_window, limit=10, window_s=60)
    if limit.locked("alice"): ...429
    await limit.failed("alice")  # -> seconds to wait when this failure crossed the limit

Redis counts failures across workers. A worker also remembers, locally, which users it saw
locked (so a correct password does not unlock them early) and counts failures itself while
Redis is unreachable (then the limit holds per worker: at most workers x limit per window).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

MAX_TRACKED = 100_000  # users remembered per worker; the oldest are forgotten first

IncrWindow = Callable[[str, int], Awaitable[int | None]]


class LoginLimit:
    def __init__(self, incr_window: IncrWindow, *, limit: int, window_s: int) -> None:
        self._incr = incr_window
        self.limit = limit
        self.window_s = window_s
        self._locked_until: OrderedDict[str, float] = OrderedDict()
        self._local: OrderedDict[str, tuple[int, int]] = OrderedDict()  # user -> (window, n)

    def retry_after(self, username: str, now: float | None = None) -> int:
        """Seconds until ``username`` may try again; 0 when not locked here."""
        now = time.time() if now is None else now
        until = self._locked_until.get(username)
        if until is None or until <= now:
            return 0
        return max(1, int(until - now + 0.999))

    def _window_end(self, now: float) -> float:
        return (int(now) // self.window_s + 1) * self.window_s

    def _count_locally(self, username: str, now: float) -> int:
        window = int(now) // self.window_s
        seen_window, n = self._local.get(username, (window, 0))
        n = n + 1 if seen_window == window else 1
        self._local[username] = (window, n)
        self._local.move_to_end(username)
        if len(self._local) > MAX_TRACKED:
            self._local.popitem(last=False)
        return n

    async def failed(self, username: str) -> int:
        """Count one failure; returns the Retry-After seconds once over the limit, else 0."""
        count = await self._incr("login:" + username, self.window_s)
        now = time.time()
        if count is None:
            count = self._count_locally(username, now)
        if count <= self.limit:
            return 0
        self._locked_until[username] = self._window_end(now)
        self._locked_until.move_to_end(username)
        if len(self._locked_until) > MAX_TRACKED:
            self._locked_until.popitem(last=False)
        return self.retry_after(username, now)
