"""Fault schedules drawn from one seed: the same seed gives the same schedule.

plan = Schedule(catalogue, seed=42, count=3).plan()
await run_schedule(plan, history)     # each fault inside async_fault_window
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from chaos.faults.base import Fault, async_fault_window
from chaos.history import History


@dataclass(frozen=True)
class ScheduledFault:
    """A fault, when it starts (seconds after the schedule starts) and how long it lasts."""

    fault: Fault
    start_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


@dataclass(frozen=True)
class Schedule:
    """Faults picked from ``catalogue`` by ``random.Random(seed)``, one after another.

    Windows never overlap: each starts a random gap after the previous one healed.
    """

    catalogue: Sequence[Fault]
    seed: int
    count: int = 3
    min_duration_s: float = 1.0
    max_duration_s: float = 3.0
    min_gap_s: float = 0.5
    max_gap_s: float = 2.0

    def plan(self) -> list[ScheduledFault]:
        if not self.catalogue:
            raise ValueError("a schedule needs a non-empty fault catalogue")
        if not 0 < self.min_duration_s <= self.max_duration_s:
            raise ValueError("need 0 < min_duration_s <= max_duration_s")
        if not 0 <= self.min_gap_s <= self.max_gap_s:
            raise ValueError("need 0 <= min_gap_s <= max_gap_s")
        rng = random.Random(self.seed)
        plan: list[ScheduledFault] = []
        clock = 0.0
        for _ in range(self.count):
            clock += round(rng.uniform(self.min_gap_s, self.max_gap_s), 3)
            fault = self.catalogue[rng.randrange(len(self.catalogue))]
            duration = round(rng.uniform(self.min_duration_s, self.max_duration_s), 3)
            plan.append(ScheduledFault(fault, clock, duration))
            clock += duration
        return plan


def describe(plan: Sequence[ScheduledFault]) -> list[tuple[str, float, float]]:
    """(name, start, duration) of each planned fault: what a run prints next to its seed."""
    return [(item.fault.name, item.start_s, item.duration_s) for item in plan]


async def run_schedule(plan: Sequence[ScheduledFault], history: History) -> None:
    """Play ``plan`` from now: every fault recorded and healed, even when cancelled."""
    origin = time.monotonic()
    for item in plan:
        # the offsets are the schedule itself, not a wait for readiness
        await asyncio.sleep(max(0.0, origin + item.start_s - time.monotonic()))
        async with async_fault_window(item.fault, history):
            await asyncio.sleep(max(0.0, origin + item.end_s - time.monotonic()))
