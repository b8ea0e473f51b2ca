"""Fixes the gate needed in the checkers: I2/I3 judge only calls made while the fault was
surely in effect (inject() had returned, heal() had not begun), and I10 allows one probe per
open interval of ``reset_s`` while Redis was faulty (a failed probe reopens the breaker
without a new opening)."""

from __future__ import annotations

import asyncio

from chaos.checkers import fail_closed, fail_open, pool_breaker
from chaos.checkers.crafted import CraftedHistory
from chaos.faults import REDIS_LOSS, Noop, async_fault_window, fault_window
from chaos.history import History
from chaos.workload.metrics import MetricsSnapshot


class Lost(Noop):
    def __init__(self) -> None:
        super().__init__("lost")
        self.effects = frozenset({REDIS_LOSS})


def test_fault_window_records_when_the_fault_was_in_effect() -> None:
    history = History()
    with fault_window(Lost(), history):
        pass
    inject, heal = history.faults()
    assert inject.time_ns <= heal.value["effect_from_ns"] <= heal.value["effect_until_ns"]
    assert heal.value["effect_until_ns"] <= heal.time_ns


def test_async_fault_window_records_it_too() -> None:
    async def run() -> History:
        history = History()
        async with async_fault_window(Lost(), history):
            await asyncio.sleep(0)
        return history

    inject, heal = asyncio.run(run()).faults()
    assert inject.time_ns <= heal.value["effect_from_ns"] <= heal.value["effect_until_ns"]


def lost(first_at: float, status: int, check: str | None = None) -> CraftedHistory:
    """Inject recorded at 1.0, in effect from 1.2 to 2.8, heal recorded at 3.0."""
    crafted = CraftedHistory()
    crafted.fault(
        "proxy_down", inject_at=1.0, heal_at=3.0, effects={REDIS_LOSS},
        effect_from=1.2, effect_until=2.8,
    )  # fmt: skip
    crafted.call(0, "verify", at=first_at, took=0.01, status=status, worker="w0-1", jti="a",
                 check=check)  # fmt: skip
    crafted.call(1, "verify", at=2.0, took=0.01, status=503, worker="w0-1", jti="b")
    return crafted


def test_fail_closed_ignores_a_200_before_the_fault_took_effect() -> None:
    assert fail_closed(lost(1.05, 200, "enforced").history()).valid is True
    assert fail_closed(lost(2.85, 200, "enforced").history()).valid is True


def test_fail_closed_catches_a_200_while_surely_lost() -> None:
    verdict = fail_closed(lost(1.5, 200, "enforced").history())
    assert verdict.valid is False
    assert "token jti a" in verdict.message


def test_fail_open_judges_only_the_effect_window() -> None:
    before = fail_open(lost(1.05, 200, "enforced").history(), degraded_bound_s=60,
                       degraded_metric_delta={"w0-1": 0})  # fmt: skip
    assert before.valid is True, before.message
    during = fail_open(lost(1.5, 200, "enforced").history(), degraded_bound_s=60,
                       degraded_metric_delta={"w0-1": 0})  # fmt: skip
    assert during.valid is False
    assert "not 'degraded'" in during.message


def snapshot(probes: int) -> MetricsSnapshot:
    return MetricsSnapshot.from_text(
        'auth_redis_pool_in_use{worker="w0"} 0\nauth_breaker_state{worker="w0"} 0\n'
        'auth_breaker_opened_total{worker="w0"} 1\n'
        f'auth_breaker_probes_total{{worker="w0"}} {probes}\n'
    )


BEFORE = MetricsSnapshot.from_text(
    'auth_breaker_opened_total{worker="w0"} 0\nauth_breaker_probes_total{worker="w0"} 0\n'
)


def test_one_probe_per_reset_interval_of_the_fault_holds() -> None:
    verdict = pool_breaker(BEFORE, snapshot(3), expect_breaker_open=True, open_s=2.0, reset_s=1.0)
    assert verdict.valid is True, verdict.message


def test_more_probes_than_intervals_is_still_a_storm() -> None:
    verdict = pool_breaker(BEFORE, snapshot(9), expect_breaker_open=True, open_s=2.0, reset_s=1.0)
    assert verdict.valid is False
    assert "9 probes in 3 open interval(s)" in verdict.message


def test_without_the_fault_length_one_probe_per_opening() -> None:
    assert pool_breaker(BEFORE, snapshot(2), expect_breaker_open=True).valid is False
