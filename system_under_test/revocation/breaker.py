"""Per-worker circuit breaker: open after N consecutive failures, then one probe per interval.

breaker = CircuitBreaker(failures=3, reset_s=1.0, clock=time.monotonic)
ticket = breaker.admit()          # None: open, answer at once without touching Redis
... call Redis ...; breaker.record(ticket, ok=True)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum


class BreakerState(IntEnum):
    CLOSED = 0
    OPEN = 1
    HALF_OPEN = 2


@dataclass(frozen=True)
class Ticket:
    """Permission for one call; `probe` is the single half-open trial of an interval."""

    probe: bool


def _ignore_state(state: BreakerState) -> None:
    pass


def _ignore() -> None:
    pass


class CircuitBreaker:
    def __init__(
        self,
        failures: int,
        reset_s: float,
        clock: Callable[[], float],
        *,
        on_state: Callable[[BreakerState], None] = _ignore_state,
        on_opened: Callable[[], None] = _ignore,
        on_probe: Callable[[], None] = _ignore,
    ) -> None:
        self._threshold = failures
        self._reset_s = reset_s
        self._clock = clock
        self._on_state = on_state
        self._on_opened = on_opened
        self._on_probe = on_probe
        self._state = BreakerState.CLOSED
        self._consecutive = 0
        self._opened_at = 0.0
        self._probe_out = False

    @property
    def state(self) -> BreakerState:
        return self._state

    def admit(self) -> Ticket | None:
        """A ticket to call Redis, or None: answer without touching Redis."""
        if self._state is BreakerState.CLOSED:
            return Ticket(probe=False)
        if self._probe_out or self._clock() - self._opened_at < self._reset_s:
            return None
        self._probe_out = True
        self._set(BreakerState.HALF_OPEN)
        self._on_probe()
        return Ticket(probe=True)

    def record(self, ticket: Ticket, ok: bool) -> None:
        """Report how the admitted call went (always, also when it was cancelled)."""
        if ticket.probe:
            self._probe_out = False
        if ok:
            self._consecutive = 0
            if self._state is not BreakerState.CLOSED:
                self._set(BreakerState.CLOSED)
            return
        self._consecutive += 1
        if ticket.probe or self._state is BreakerState.HALF_OPEN:
            self._open(count=False)  # failed probe: a new open interval, not a new opening
        elif self._state is BreakerState.CLOSED and self._consecutive >= self._threshold:
            self._open(count=True)

    def release(self, ticket: Ticket) -> None:
        """The admitted call was abandoned without a verdict: free the probe slot."""
        if ticket.probe and self._probe_out:
            self._probe_out = False
            self._opened_at = self._clock()  # the next probe waits a full interval
            self._set(BreakerState.OPEN)

    def _open(self, count: bool) -> None:
        self._opened_at = self._clock()
        self._set(BreakerState.OPEN)
        if count:
            self._on_opened()

    def _set(self, state: BreakerState) -> None:
        if state is not self._state:
            self._state = state
            self._on_state(state)
