"""is_hung: the supervisor's verdict on a serving worker's silence."""

from __future__ import annotations

from system_under_test.heartbeat import HEARTBEAT_S, is_hung


def test_a_worker_silent_past_the_timeout_is_hung() -> None:
    assert is_hung(30.0, now=131.0, last_beat=100.0)


def test_a_worker_that_beat_within_the_timeout_is_not() -> None:
    assert not is_hung(30.0, now=130.0, last_beat=100.0)
    assert not is_hung(30.0, now=100.0 + HEARTBEAT_S, last_beat=100.0)


def test_zero_disables_the_watchdog() -> None:
    assert not is_hung(0.0, now=10_000.0, last_beat=0.0)
