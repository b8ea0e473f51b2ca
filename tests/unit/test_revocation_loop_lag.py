"""blame_redis and pool_exhausted: which failed calls count against Redis (breaker, fail-open)
and which are the worker's own overload (its event loop was late, so a reply may sit unread;
it waited for its own connection pool)."""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from system_under_test.revocation.fence import pool_exhausted
from system_under_test.revocation.loop_lag import (
    STARVED_SHARE,
    accumulated_lateness,
    blame_redis,
)

TIMEOUT_S = 0.1


@pytest.mark.parametrize("late_s", [0.0, 0.001, STARVED_SHARE * TIMEOUT_S * 0.99])
def test_a_timeout_with_the_loop_on_time_is_redis_fault(late_s: float) -> None:
    assert blame_redis(True, late_s, TIMEOUT_S)


@pytest.mark.parametrize("late_s", [STARVED_SHARE * TIMEOUT_S, TIMEOUT_S, 5.0])
def test_a_timeout_while_the_loop_was_late_is_not_redis_fault(late_s: float) -> None:
    assert not blame_redis(True, late_s, TIMEOUT_S)


@pytest.mark.parametrize("late_s", [0.0, 5.0])
def test_an_error_other_than_a_timeout_always_counts(late_s: float) -> None:
    assert blame_redis(False, late_s, TIMEOUT_S)


def test_the_share_scales_with_the_timeout() -> None:
    assert not blame_redis(True, 0.3, 0.5)
    assert blame_redis(True, 0.3, 1.0)


def test_only_a_pool_checkout_that_gave_up_is_pool_exhaustion() -> None:
    try:
        raise RedisConnectionError("No connection available.") from TimeoutError()
    except RedisConnectionError as exc:
        waited = exc
    assert pool_exhausted(waited)
    assert not pool_exhausted(RedisConnectionError("Connection refused"))
    assert not pool_exhausted(TimeoutError())


def test_a_call_s_lateness_is_the_sum_of_its_late_beats() -> None:
    # a loop 45 ms late at each of 7 turns: no beat reaches half the timeout, the sum does
    beats = [(10.0 + 0.05 * i, 0.045) for i in range(7)]
    late = accumulated_lateness(beats, since=10.0, overdue=0.0)
    assert late == pytest.approx(0.315)
    assert not blame_redis(True, late, TIMEOUT_S)
    assert blame_redis(True, max(b[1] for b in beats), TIMEOUT_S)  # the old rule: blamed Redis


def test_beats_before_the_call_and_a_beat_not_yet_due_do_not_count() -> None:
    beats = [(9.0, 0.5), (10.2, 0.02)]
    assert accumulated_lateness(beats, since=10.0, overdue=-0.004) == pytest.approx(0.02)
    assert accumulated_lateness(beats, since=10.0, overdue=0.03) == pytest.approx(0.05)
    assert accumulated_lateness([], since=10.0, overdue=0.0) == 0.0  # a hung Redis, idle loop
