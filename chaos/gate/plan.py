"""A scenario's plan, drawn from its seed before it runs: the faults (with their parameters),
when each starts and how long it lasts, the checks it declares, the load's seed.

    plan = plan_scenario(scenario, run_seed=42, ctx=ctx)
    plan.items[0].fault.name, plan.items[0].start_s, plan.checks
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from chaos.checkers import checks_for
from chaos.faults import ScheduledFault
from chaos.gate.fault_context import FaultContext
from chaos.gate.scenario import Scenario

__all__ = ["ScenarioPlan", "plan_scenario", "scenario_seed", "sized"]


def scenario_seed(seed: int, name: str) -> int:
    """The scenario's own seed: the run's seed and its name (stable across runs and xdist)."""
    return (seed * 1_000_003 + zlib.crc32(name.encode())) % 2**31


@dataclass(frozen=True)
class ScenarioPlan:
    """What a scenario draws from its seed. ``rng`` goes on to drive the gate's probes."""

    seed: int
    items: tuple[ScheduledFault, ...]
    checks: tuple[str, ...]
    load_seed: int
    rng: random.Random

    @property
    def fault_names(self) -> str:
        return "+".join(item.fault.name for item in self.items)

    @property
    def effects(self) -> frozenset[str]:
        return frozenset().union(*(item.fault.effects for item in self.items))

    def describe(self) -> str:
        """``name at +1.05s for 1.60s, ...`` for the progress line."""
        return ", ".join(
            f"{i.fault.name} at +{i.start_s:.2f}s for {i.duration_s:.2f}s" for i in self.items
        )


def sized(fault_s: tuple[float, float], floor_s: float) -> tuple[float, float]:
    """The scenario's fault length, never shorter than ``floor_s`` (what outlasts the
    service's own Redis timeouts and retries) and never shorter than the scenario's own."""
    low, high = fault_s
    if floor_s <= low:
        return low, high
    return floor_s, floor_s + (high - low)


def plan_scenario(scenario: Scenario, run_seed: int, ctx: FaultContext) -> ScenarioPlan:
    """The same run seed gives the same plan (``--chaos-seed`` replays a run): the faults in
    order, never overlapping; the checks declared, or those of the faults' effects."""
    seed = scenario_seed(run_seed, scenario.name)
    rng = random.Random(seed)
    items: list[ScheduledFault] = []
    clock = 0.0
    low, high = sized(scenario.fault_s, ctx.fault_floor_s)
    for number, build in enumerate(scenario.faults):
        fault = build(rng, ctx)
        gap = rng.uniform(*(scenario.start_s if number == 0 else scenario.gap_s))
        duration = round(rng.uniform(low, high), 3)
        items.append(ScheduledFault(fault, round(clock + gap, 3), duration))
        clock = items[-1].end_s
    effects = frozenset().union(*(item.fault.effects for item in items))
    checks = scenario.checks or checks_for(
        effects, scenario.mode, crowd=scenario.crowd is not None,
        durability=scenario.durability,
    )  # fmt: skip
    return ScenarioPlan(seed, tuple(items), checks, rng.randrange(2**31), rng)
