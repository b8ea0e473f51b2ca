"""The resilience gate, free of pytest: the scenario matrix and its runner.

- ``matrix``: ``MATRIX`` of ``ScenarioSpec`` (scenario -> fault -> mode -> invariants)
- ``catalogue``: every fault of the contract, parameters drawn from the scenario's seed
- ``scenario``: ``run_scenario`` (stack + workload + schedule + checkers + report)
- ``budgets``: ``GateBudgets`` (latency, recovery, degraded bound), from pyproject
- ``worker_crash``: the I7 checker; ``phases``, ``probes``: the gate's own recorded calls
"""

from chaos.gate.budgets import BudgetError, GateBudgets
from chaos.gate.catalogue import FAULTS, FaultContext
from chaos.gate.matrix import MATRIX, ScenarioSpec, StackSpec, by_name
from chaos.gate.phases import GateSetupError
from chaos.gate.proxy_target import ProxyApiError, ProxyTarget
from chaos.gate.scenario import (
    GateSettings,
    ScenarioOutcome,
    ScenarioPlan,
    ScenarioTarget,
    plan_scenario,
    run_scenario,
    scenario_seed,
)
from chaos.gate.worker_crash import worker_crash_contained

__all__ = [
    "FAULTS",
    "MATRIX",
    "BudgetError",
    "FaultContext",
    "GateBudgets",
    "GateSettings",
    "GateSetupError",
    "ProxyApiError",
    "ProxyTarget",
    "ScenarioOutcome",
    "ScenarioPlan",
    "ScenarioSpec",
    "ScenarioTarget",
    "StackSpec",
    "by_name",
    "plan_scenario",
    "run_scenario",
    "scenario_seed",
    "worker_crash_contained",
]
