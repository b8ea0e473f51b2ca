"""I10 may require a breaker to open only where the history shows enough calls that needed
Redis while it was surely lost."""

from __future__ import annotations

from chaos.checkers.crafted import CraftedHistory
from chaos.faults import REDIS_LOSS
from chaos.gate.evidence import MIN_LOSS_CALLS, breaker_must_open, redis_calls_during_loss

URLS = ["http://127.0.0.1:9000", "http://127.0.0.1:9001"]


def loss_with(calls_w1: int) -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.fault("proxy_down", inject_at=1.0, heal_at=9.0, effects={REDIS_LOSS})
    for i in range(MIN_LOSS_CALLS):
        crafted.call(0, "verify", at=1.1 + i * 0.1, took=0.01, status=503, worker="w0-1")
    for i in range(calls_w1):
        crafted.call(1, "verify", at=1.1 + i * 0.1, took=0.01, status=200, worker="w1-2",
                     check="degraded")  # fmt: skip
    crafted.call(2, "verify", at=1.5, took=0.01, status=401, worker="w1-2")  # local copy
    crafted.call(3, "verify", at=9.5, took=0.01, status=200, worker="w1-2", check="enforced")
    return crafted


def test_enough_calls_on_every_worker_require_the_breaker() -> None:
    history = loss_with(MIN_LOSS_CALLS).history()
    assert redis_calls_during_loss(history) == {"w0-1": MIN_LOSS_CALLS, "w1-2": MIN_LOSS_CALLS}
    assert breaker_must_open(history, URLS) is True


def test_a_worker_with_too_few_calls_does_not() -> None:
    assert breaker_must_open(loss_with(MIN_LOSS_CALLS - 1).history(), URLS) is False


def test_no_loss_no_breaker() -> None:
    crafted = CraftedHistory()
    crafted.call(0, "verify", at=1.0, took=0.01, status=200, worker="w0-1", check="enforced")
    assert breaker_must_open(crafted.history(), URLS) is False
