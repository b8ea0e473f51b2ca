"""Every checker of a scenario at once, each under ``run_checker``.

verdicts = check_history(history, CheckInputs(failure_mode="open", revoked_jtis=keys))
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Literal

from chaos.checkers.documented_statuses import documented_statuses
from chaos.checkers.fail_closed import fail_closed
from chaos.checkers.fail_open import fail_open
from chaos.checkers.latency_budgets import LatencyBudget, latency_budgets
from chaos.checkers.logout_overstates import logout_overstates
from chaos.checkers.pool_breaker import pool_breaker
from chaos.checkers.stale_accepts import stale_accepts
from chaos.checkers.time_to_enforced import time_to_enforced
from chaos.checkers.verdict import Verdict, run_checker
from chaos.checkers.windows import fault_windows, history_end_ns
from chaos.faults.base import REDIS_LOSS, REDIS_SLOW
from chaos.history import History
from chaos.workload.metrics import MetricsSnapshot, delta

DEFAULT_BUDGETS: Mapping[str, LatencyBudget] = {
    "login": LatencyBudget(p99_ms=2000),
    "verify": LatencyBudget(p99_ms=500),
    "logout": LatencyBudget(p99_ms=1000),
    "refresh": LatencyBudget(p99_ms=2000),
}


@dataclass(frozen=True)
class CheckInputs:
    """What the checkers need besides the history; None means "not measured" (-> unknown)."""

    failure_mode: Literal["open", "closed"] = "open"
    degraded_bound_s: float = 60.0
    budgets: Mapping[str, LatencyBudget] = field(default_factory=lambda: dict(DEFAULT_BUDGETS))
    request_deadline_ms: float = 5000.0
    enforced_budget_s: float = 10.0
    revoked_jtis: Collection[str] | None = None
    read_at_epoch_s: float | None = None
    metrics_before: MetricsSnapshot | None = None
    metrics_after: MetricsSnapshot | None = None
    expect_breaker_open: bool = False
    breaker_reset_s: float = 1.0


def redis_outage_s(history: History) -> float:
    """Total seconds of Redis-affecting fault windows (bounds the breaker's open intervals)."""
    end = history_end_ns(history)
    windows = fault_windows(history, {REDIS_LOSS, REDIS_SLOW})
    return sum((w.end_ns(end) - w.start_ns) / 1e9 for w in windows)


def check_history(history: History, inputs: CheckInputs) -> list[Verdict]:
    """I1, I2 or I3 (by failure mode), I4, I5, I6, I9, I10, in that order."""
    degraded = None
    if inputs.metrics_before is not None and inputs.metrics_after is not None:
        degraded = delta(
            inputs.metrics_before, inputs.metrics_after, "auth_revocation_degraded_total"
        )
    checks: list[tuple[str, Callable[[], Verdict]]] = [
        ("I1", lambda: stale_accepts(history, recovery_s=inputs.enforced_budget_s))
    ]
    if inputs.failure_mode == "open":
        checks.append(
            (
                "I2",
                lambda: fail_open(
                    history,
                    degraded_bound_s=inputs.degraded_bound_s,
                    degraded_metric_delta=degraded,
                ),
            )
        )
    else:
        checks.append(("I3", lambda: fail_closed(history)))
    checks += [
        (
            "I4",
            lambda: logout_overstates(
                history, inputs.revoked_jtis, read_at_epoch_s=inputs.read_at_epoch_s
            ),
        ),
        (
            "I5",
            lambda: latency_budgets(
                history, inputs.budgets, request_deadline_ms=inputs.request_deadline_ms
            ),
        ),
        ("I6", lambda: time_to_enforced(history, budget_s=inputs.enforced_budget_s)),
        ("I9", lambda: documented_statuses(history)),
        (
            "I10",
            lambda: pool_breaker(
                inputs.metrics_before,
                inputs.metrics_after,
                expect_breaker_open=inputs.expect_breaker_open,
                outage_s=redis_outage_s(history),
                breaker_reset_s=inputs.breaker_reset_s,
            ),
        ),
    ]
    return [run_checker(name, check) for name, check in checks]
