"""A per-worker circuit breaker: stop asking a Redis that keeps failing, ask again soon.

    breaker = Breaker(failures=5, open_s=0.25)
    if breaker.admit(): ... then breaker.succeeded() / failed() / abandoned()

Closed: every call goes through. After ``failures`` failed calls in a row it opens: calls are
refused at once (no connection, no timeout to wait out). ``open_s`` later one call probes;
its success closes the breaker, its failure opens it again. Single-threaded (one event loop).
"""

from __future__ import annotations

import time

__all__ = ["Breaker"]


class Breaker:
    def __init__(self, failures: int, open_s: float) -> None:
        self.failures = failures
        self.open_s = open_s
        self._in_a_row = 0
        self._opened_at: float | None = None
        self._probing = False

    @property
    def state(self) -> str:
        if self._opened_at is None:
            return "closed"
        return "half-open" if self._probing else "open"

    def admit(self) -> bool:
        """May a call go to Redis now? (While open, only the one probe may.)"""
        if self._opened_at is None:
            return True
        if self._probing or time.monotonic() - self._opened_at < self.open_s:
            return False
        self._probing = True
        return True

    def succeeded(self) -> None:
        self._in_a_row = 0
        self._opened_at = None
        self._probing = False

    def failed(self) -> None:
        self._in_a_row += 1
        self._probing = False
        if self._opened_at is not None or self._in_a_row >= self.failures:
            self._opened_at = time.monotonic()

    def abandoned(self) -> None:
        """The call was cancelled (its client left): no verdict on Redis, let another probe."""
        self._probing = False
