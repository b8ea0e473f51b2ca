"""A fault schedule and its one player: faults one after another, each at its offset, each
held for its duration, recorded and always healed.

    items = [ScheduledFault(fault, start_s=1.0, duration_s=2.0), ...]
    await play_schedule(items, history, hooks=ScheduleHooks(on_inject=say, on_heal=say))
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from chaos.faults.base import Fault, Settling, async_fault_window
from chaos.history import History

__all__ = ["ScheduleHooks", "ScheduledFault", "play_schedule"]


@dataclass(frozen=True)
class ScheduledFault:
    """A fault, when it starts (seconds after the schedule starts) and how long it lasts."""

    fault: Fault
    start_s: float
    duration_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s


def _nothing(item: ScheduledFault) -> None:
    return None


@dataclass(frozen=True)
class ScheduleHooks:
    """Called (on the event loop) just before each inject and just after each heal."""

    on_inject: Callable[[ScheduledFault], None] = _nothing
    on_heal: Callable[[ScheduledFault], None] = _nothing


async def play_schedule(
    items: Sequence[ScheduledFault], history: History, *,
    hooks: ScheduleHooks = ScheduleHooks(),
) -> float:  # fmt: skip
    """Play ``items`` from now: each injected at its offset (or when the previous one has
    healed, if that ran late), held ``duration_s`` after its inject returned (and after the
    stack settled, for a ``Settling`` fault), healed; every fault recorded and healed, even
    when cancelled. Returns the monotonic time the last heal returned."""
    origin = time.monotonic()
    healed = origin
    for item in items:
        # the offsets are the schedule itself, not a wait for readiness
        await asyncio.sleep(max(0.0, origin + item.start_s - time.monotonic()))
        hooks.on_inject(item)
        try:
            async with async_fault_window(item.fault, history):
                if isinstance(item.fault, Settling):
                    await asyncio.to_thread(item.fault.wait_settled)
                await asyncio.sleep(item.duration_s)
        finally:
            healed = time.monotonic()
            hooks.on_heal(item)
    return healed
