"""Checkers: pure functions of a recorded history (and explicit inputs) to a ``Verdict``,
one invariant per module (contract §2.2). Any False verdict fails the gate; an exception, or
a pass that judged nothing, is ``unknown``.

| invariant | function |
|---|---|
| I1 stale accepts across workers | ``stale_accepts`` |
| I2 fail-open contract | ``fail_open`` |
| I2-outside degraded only in a Redis fault window (+ allowance) | ``degraded_outside_faults`` |
| I3 fail-closed contract | ``fail_closed`` |
| I4 logouts that overstate | ``logout_overstates`` |
| I5 latency budgets under faults | ``latency_budgets`` |
| I6 time to enforced after heal | ``time_to_enforced`` |
| I7 worker crash contained | ``worker_crash_contained`` |
| I8 durability across a fault, unavailability window | ``durability`` |
| I9 documented statuses only | ``documented_statuses`` |
| I10 pool and breaker hygiene | ``pool_breaker`` |

``CHECKS`` names them; ``run_checks(names, history, inputs)`` runs exactly the declared
ones; ``CheckInputs`` (``inputs.json``) is everything they read besides the history.
"""

from chaos.checkers.degraded_outside import degraded_outside_faults
from chaos.checkers.documented_statuses import DOCUMENTED_STATUSES, documented_statuses
from chaos.checkers.durability import durability
from chaos.checkers.fail_closed import fail_closed
from chaos.checkers.fail_open import fail_open
from chaos.checkers.inputs import DEFAULT_BUDGETS, CheckInputs, InputsError
from chaos.checkers.latency_budgets import LatencyBudget, latency_budgets
from chaos.checkers.logout_overstates import logout_overstates
from chaos.checkers.named import CHECKS, UnknownCheck, checks_for, run_checks
from chaos.checkers.pool_breaker import pool_breaker
from chaos.checkers.stale_accepts import stale_accepts
from chaos.checkers.time_to_enforced import time_to_enforced
from chaos.checkers.verdict import UNKNOWN, Verdict, gate_passes, run_checker
from chaos.checkers.windows import FaultWindow, fault_windows
from chaos.checkers.worker_crash import Victim, victim_of, worker_crash_contained

__all__ = [
    "CHECKS",
    "DEFAULT_BUDGETS",
    "DOCUMENTED_STATUSES",
    "UNKNOWN",
    "CheckInputs",
    "FaultWindow",
    "InputsError",
    "LatencyBudget",
    "UnknownCheck",
    "Verdict",
    "Victim",
    "checks_for",
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
    "run_checks",
    "stale_accepts",
    "time_to_enforced",
    "victim_of",
    "worker_crash_contained",
]
