"""Checkers: pure functions of a recorded history (and explicit inputs) to a ``Verdict``,
one invariant per module. Any False verdict fails the gate; an exception is ``unknown``.

| invariant | function |
|---|---|
| I1 stale accepts across workers | ``stale_accepts`` |
| I2 fail-open contract | ``fail_open`` |
| I2-outside degraded only in a Redis fault window (+ allowance) | ``degraded_outside_faults`` |
| I3 fail-closed contract | ``fail_closed`` |
| I4 logouts that overstate | ``logout_overstates`` |
| I5 latency budgets under faults | ``latency_budgets`` |
| I6 time to enforced after heal | ``time_to_enforced`` |
| I8 durability across a fault, unavailability window | ``durability`` |
| I9 documented statuses only | ``documented_statuses`` |
| I10 pool and breaker hygiene | ``pool_breaker`` |
"""

from chaos.checkers.degraded_outside import degraded_outside_faults
from chaos.checkers.documented_statuses import DOCUMENTED_STATUSES, documented_statuses
from chaos.checkers.durability import durability
from chaos.checkers.fail_closed import fail_closed
from chaos.checkers.fail_open import fail_open
from chaos.checkers.latency_budgets import LatencyBudget, latency_budgets
from chaos.checkers.logout_overstates import logout_overstates
from chaos.checkers.pool_breaker import pool_breaker
from chaos.checkers.stale_accepts import stale_accepts
from chaos.checkers.suite import DEFAULT_BUDGETS, CheckInputs, check_history
from chaos.checkers.time_to_enforced import time_to_enforced
from chaos.checkers.verdict import UNKNOWN, Verdict, gate_passes, run_checker
from chaos.checkers.windows import FaultWindow, fault_windows

__all__ = [
    "DEFAULT_BUDGETS",
    "DOCUMENTED_STATUSES",
    "UNKNOWN",
    "CheckInputs",
    "FaultWindow",
    "LatencyBudget",
    "Verdict",
    "check_history",
    "degraded_outside_faults",
    "documented_statuses",
    "durability",
    "fail_closed",
    "fail_open",
    "fault_windows",
    "gate_passes",
    "latency_budgets",
    "logout_overstates",
    "pool_breaker",
    "run_checker",
    "stale_accepts",
    "time_to_enforced",
]
