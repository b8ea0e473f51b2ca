"""I5 latency budgets: a true, a false (p99, deadline, timeout) and an unknown history."""

import math
from collections.abc import Sequence

from chaos.checkers import LatencyBudget, latency_budgets
from chaos.checkers.crafted import CraftedHistory
from chaos.checkers.latency_budgets import percentile

BUDGETS = {"verify": LatencyBudget(p99_ms=300), "logout": LatencyBudget(p99_ms=800, max_ms=1000)}


def _window(
    latencies_s: Sequence[float | None], error: str = "timeout:ReadTimeout"
) -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.fault("latency_100ms", inject_at=1.0, heal_at=5.0, effects={"redis_slow"})
    for i, took in enumerate(latencies_s):
        if took is None:
            crafted.call(
                i, "verify", at=1.5, took=2.0, type="info", worker="w0-1", jti="a", error=error
            )
        else:
            crafted.call(i, "verify", at=1.5, took=took, status=200, worker="w0-1", jti="a")
    crafted.call(99, "verify", at=6.0, took=3.0, status=200, worker="w0-1", jti="a")  # after heal
    return crafted


def test_within_budget_holds() -> None:
    verdict = latency_budgets(
        _window([0.1] * 50 + [0.2]).history(), BUDGETS, request_deadline_ms=2000
    )
    assert verdict.valid is True
    route = verdict.figures["windows"]["1:latency_100ms"]["verify"]
    assert route["n"] == 51
    assert route["max_ms"] == 200.0


def test_p99_over_budget_is_caught() -> None:
    verdict = latency_budgets(
        _window([0.1] * 10 + [0.5]).history(), BUDGETS, request_deadline_ms=2000
    )
    assert verdict.valid is False
    assert "verify p99 500.0 ms > budget 300" in verdict.message
    assert "latency_100ms" in verdict.message


def test_beyond_the_deadline_is_caught_even_under_p99() -> None:
    verdict = latency_budgets(
        _window([0.1] * 200 + [2.5]).history(), BUDGETS, request_deadline_ms=2000
    )
    assert verdict.valid is False
    assert "max 2500.0 ms > 2000" in verdict.message


def test_timeout_counts_as_beyond() -> None:
    verdict = latency_budgets(
        _window([0.1] * 200 + [None]).history(), BUDGETS, request_deadline_ms=9000
    )
    assert verdict.valid is False
    assert verdict.figures["windows"]["1:latency_100ms"]["verify"]["max_ms"] == "timeout"


def test_no_call_in_a_window_is_unknown() -> None:
    assert (
        latency_budgets(_window([]).history(), BUDGETS, request_deadline_ms=2000).valid == "unknown"
    )


def test_nearest_rank_percentile() -> None:
    assert percentile([5, 1, 3, 2, 4], 50) == 3
    assert percentile(list(range(1, 101)), 99) == 99
    assert percentile([1.0, math.inf], 99) == math.inf
