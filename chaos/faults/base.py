"""The Fault role: ``inject()`` then ``heal()``, recorded in the history, always healed.

A fault remembers exactly what it touched, so that ``heal()`` undoes ``inject()`` and a
second ``heal()`` does nothing. ``effects`` tells the checkers what the fault does to the
service (``redis_loss``: Redis cannot answer; ``redis_slow``: it answers late;
``worker_loss``: a worker is gone or hung). A fault's ``name`` is the one name of its kind
(``blackhole``, ``worker_kill9``); what it was drawn with (latency, toxicity, the victim) is
what ``details()`` returns, recorded with its inject and heal (``Detailed``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from typing import Any, Protocol, runtime_checkable

from chaos.history import FAULT_PROCESS, History, Op, wall_now

REDIS_LOSS = "redis_loss"
REDIS_SLOW = "redis_slow"
WORKER_LOSS = "worker_loss"


@runtime_checkable
class Fault(Protocol):
    """Something that breaks the stack and can be undone."""

    name: str
    effects: frozenset[str]

    def inject(self) -> None: ...

    def heal(self) -> None: ...


@runtime_checkable
class Detailed(Protocol):
    """A fault that says what it was drawn with, and after inject what it hit (JSON values):
    recorded in the history with each inject and heal."""

    def details(self) -> dict[str, Any]: ...


@runtime_checkable
class Settling(Protocol):
    """A fault that lasts until the stack has reacted (a promotion): the schedule's player
    calls ``wait_settled`` (in a thread) between inject and the fault's hold, so the fault's
    window spans the reaction."""

    def wait_settled(self) -> None: ...


class Noop:
    """The fault that does nothing: a baseline window in a schedule."""

    def __init__(self, name: str = "noop") -> None:
        self.name = name
        self.effects: frozenset[str] = frozenset()

    def inject(self) -> None:
        return None

    def heal(self) -> None:
        return None


class Compose:
    """Several faults at once: injected in order, healed in reverse, every one healed."""

    def __init__(self, *faults: Fault, name: str | None = None) -> None:
        if not faults:
            raise ValueError("Compose needs at least one fault")
        self.faults = faults
        self.name = name or "+".join(f.name for f in faults)
        self.effects: frozenset[str] = frozenset().union(*(f.effects for f in faults))
        self._injected: list[Fault] = []

    def details(self) -> dict[str, Any]:
        """Each part's name and details, in order."""
        return {
            "parts": [
                {"name": f.name, **(f.details() if isinstance(f, Detailed) else {})}
                for f in self.faults
            ]
        }

    def inject(self) -> None:
        for fault in self.faults:
            self._injected.append(fault)  # before inject: a half-done inject still gets healed
            fault.inject()

    def heal(self) -> None:
        first_error: BaseException | None = None
        while self._injected:
            fault = self._injected.pop()
            try:
                fault.heal()
            except Exception as exc:  # heal the rest, then report the first failure
                first_error = first_error or exc
        if first_error is not None:
            raise first_error


def _record(history: History, fault: Fault, phase: str, **extra: Any) -> Op:
    value = {"name": fault.name, "phase": phase, "effects": sorted(fault.effects), **extra}
    if isinstance(fault, Detailed):
        value.update(fault.details())
    return history.append(
        Op(-1, FAULT_PROCESS, "info", "fault", time.monotonic_ns(), wall_now(), value=value)
    )


def _failure(exc: BaseException) -> dict[str, str]:
    return {"error": f"{type(exc).__name__}: {exc}"}


# Each event is recorded when its call returns, with ``began`` (monotonic ns) when it was
# called: the fault is surely in effect from the inject op to the heal's ``began``.


def _inject_and_record(fault: Fault, history: History) -> None:
    began = time.monotonic_ns()
    try:
        fault.inject()
    except BaseException as exc:
        _record(history, fault, "inject", began=began, **_failure(exc))
        raise
    _record(history, fault, "inject", began=began)


def _heal_and_record(fault: Fault, history: History) -> None:
    began = time.monotonic_ns()
    try:
        fault.heal()
    except BaseException as exc:
        _record(history, fault, "heal", began=began, **_failure(exc))
        raise
    _record(history, fault, "heal", began=began)


@contextmanager
def fault_window(fault: Fault, history: History) -> Iterator[Fault]:
    """Inject ``fault`` for the body of the ``with``; heal it on every exit (error, cancel)."""
    try:
        _inject_and_record(fault, history)
        yield fault
    finally:
        _heal_and_record(fault, history)


@asynccontextmanager
async def async_fault_window(fault: Fault, history: History) -> AsyncIterator[Fault]:
    """``fault_window`` for asyncio code: inject and heal run in a thread of their own, so a
    slow heal (a Redis restart) never stalls the clients' event loop. The heal is queued
    after the inject, and still runs and is recorded if the awaiting task is cancelled."""
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"fault-{fault.name}")
    try:
        await loop.run_in_executor(executor, _inject_and_record, fault, history)
        yield fault
    finally:
        try:
            await asyncio.shield(loop.run_in_executor(executor, _heal_and_record, fault, history))
        finally:
            executor.shutdown(wait=False)
