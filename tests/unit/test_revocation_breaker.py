"""Breaker state machine, driven by an injected clock."""

from __future__ import annotations

from system_under_test.revocation.breaker import BreakerState, CircuitBreaker, Ticket


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Events:
    def __init__(self) -> None:
        self.states: list[BreakerState] = []
        self.opened = 0
        self.probes = 0

    def state(self, s: BreakerState) -> None:
        self.states.append(s)

    def open(self) -> None:
        self.opened += 1

    def probe(self) -> None:
        self.probes += 1


def make(failures: int = 3, reset_s: float = 1.0) -> tuple[CircuitBreaker, Clock, Events]:
    clock, events = Clock(), Events()
    breaker = CircuitBreaker(
        failures,
        reset_s,
        clock,
        on_state=events.state,
        on_opened=events.open,
        on_probe=events.probe,
    )
    return breaker, clock, events


def state(breaker: CircuitBreaker) -> BreakerState:
    """Read through a call, so the type checker does not narrow between asserts."""
    return breaker.state


def fail(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        ticket = breaker.admit()
        assert ticket is not None
        breaker.record(ticket, ok=False)


def test_opens_after_consecutive_failures_only() -> None:
    breaker, _, events = make(failures=3)
    fail(breaker, 2)
    ticket = breaker.admit()
    assert ticket is not None
    breaker.record(ticket, ok=True)  # a success resets the count
    fail(breaker, 2)
    assert state(breaker) is BreakerState.CLOSED
    fail(breaker, 1)
    assert state(breaker) is BreakerState.OPEN
    assert events.opened == 1
    assert events.states == [BreakerState.OPEN]


def test_open_rejects_without_a_call_until_the_interval_passes() -> None:
    breaker, clock, events = make(failures=1, reset_s=1.0)
    fail(breaker, 1)
    clock.now += 0.999
    assert breaker.admit() is None
    assert events.probes == 0


def test_half_open_admits_exactly_one_probe_per_interval() -> None:
    breaker, clock, events = make(failures=1, reset_s=1.0)
    fail(breaker, 1)
    clock.now += 1.0
    probe = breaker.admit()
    assert probe == Ticket(probe=True)
    assert state(breaker) is BreakerState.HALF_OPEN
    assert breaker.admit() is None  # the second caller while the probe is out
    clock.now += 5.0
    assert breaker.admit() is None  # still out: no second probe however long it takes
    breaker.record(probe, ok=False)
    assert state(breaker) is BreakerState.OPEN
    assert breaker.admit() is None  # a failed probe starts a new full interval
    clock.now += 1.0
    assert breaker.admit() is not None
    assert events.probes == 2
    assert events.opened == 1  # re-opening after a failed probe is not a new opening


def test_successful_probe_closes() -> None:
    breaker, clock, events = make(failures=2, reset_s=0.5)
    fail(breaker, 2)
    clock.now += 0.5
    probe = breaker.admit()
    assert probe is not None
    breaker.record(probe, ok=True)
    assert state(breaker) is BreakerState.CLOSED
    assert events.states == [BreakerState.OPEN, BreakerState.HALF_OPEN, BreakerState.CLOSED]
    fail(breaker, 1)
    assert state(breaker) is BreakerState.CLOSED  # the failure count started again


def test_released_probe_frees_the_slot_after_a_new_interval() -> None:
    breaker, clock, _ = make(failures=1, reset_s=1.0)
    fail(breaker, 1)
    clock.now += 1.0
    probe = breaker.admit()
    assert probe is not None
    breaker.release(probe)  # the caller was cancelled: no verdict
    assert state(breaker) is BreakerState.OPEN
    assert breaker.admit() is None
    clock.now += 1.0
    assert breaker.admit() is not None


def test_late_success_of_a_call_admitted_before_opening_closes() -> None:
    breaker, _, _ = make(failures=1)
    early = breaker.admit()
    assert early is not None
    fail(breaker, 1)
    assert state(breaker) is BreakerState.OPEN
    breaker.record(early, ok=True)  # Redis did answer: no reason to stay open
    assert state(breaker) is BreakerState.CLOSED
