"""The resilience gate, free of pytest: one ``Scenario`` shape and one runner for the matrix,
the crowd and the failover drills (contract §2.1).

- ``scenario``: ``Scenario`` (faults, stack, load, declared checks), ``StackSpec``, ``Clients``
- ``catalogue``: every fault of contract §2.4 as a builder ``(rng, FaultContext) -> Fault``
- ``matrix``: ``MATRIX``, the gate's scenarios
- ``plan``: ``plan_scenario`` (faults, timings and checks drawn from the seed)
- ``runner``: ``run_scenario`` (wind up, load around the schedule, wind down, checks, folder)
- ``target``: ``ScenarioTarget`` and the ``GateStack`` protocol the backends' stacks fit
- ``budgets``: ``GateBudgets`` (latency, recovery, degraded bound)
- ``load``, ``phases``, ``probes``, ``folder``: the runner's parts
"""

from chaos.gate.budgets import BudgetError, GateBudgets
from chaos.gate.fault_context import FaultBuilder, FaultContext
from chaos.gate.matrix import LONG, MATRIX, by_name
from chaos.gate.phases import GateSetupError
from chaos.gate.plan import ScenarioPlan, plan_scenario, scenario_seed
from chaos.gate.runner import GateSettings, ScenarioOutcome, run_scenario
from chaos.gate.scenario import Clients, CrowdLoad, Scenario, StackSpec
from chaos.gate.target import GateStack, ScenarioTarget, read_revoked

__all__ = [
    "LONG",
    "MATRIX",
    "BudgetError",
    "Clients",
    "CrowdLoad",
    "FaultBuilder",
    "FaultContext",
    "GateBudgets",
    "GateSettings",
    "GateSetupError",
    "GateStack",
    "Scenario",
    "ScenarioOutcome",
    "ScenarioPlan",
    "ScenarioTarget",
    "StackSpec",
    "by_name",
    "plan_scenario",
    "read_revoked",
    "run_scenario",
    "scenario_seed",
]
