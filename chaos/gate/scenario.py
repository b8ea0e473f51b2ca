"""``Scenario``: the one test map every gate scenario is (the matrix's rows, the crowd, the
failover drills). A scenario is a stack, a load, a fault schedule built by callables, and
the checks it declares; ``chaos.gate.runner.run_scenario`` is the one runner.

    Scenario("jitter", faults=(catalogue.jitter,), stack=OPEN)
    Scenario("redis_faults_under_1k_users", faults=(catalogue.latency_below_timeout,
             catalogue.proxy_down), stack=PAIR, load=Clients(crowd=CrowdLoad(1_000, 100)))

Whether a fault takes Redis away or a worker is read from the built fault's ``effects``;
without ``checks`` the scenario declares ``chaos.checkers.checks_for`` those effects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from chaos.gate.fault_context import FaultBuilder
from chaos.workload import Mix

__all__ = ["Clients", "CrowdLoad", "FaultBuilder", "Mode", "Scenario", "StackSpec"]

Mode = Literal["open", "closed"]


@dataclass(frozen=True)
class StackSpec:
    """What a scenario needs started: workers, failure mode, extra service flags."""

    workers: int
    failure_mode: Mode
    service_args: tuple[str, ...] = ()
    persistence: Literal["off", "everysec", "always"] = "always"

    @property
    def key(self) -> str:
        extra = "".join("_" + a.lstrip("-") for a in self.service_args)
        return f"{self.workers}w_{self.failure_mode}{extra}"


@dataclass(frozen=True)
class CrowdLoad:
    """A closed-loop crowd (chaos.workload.crowd) running through the whole fault schedule;
    the schedule's offsets count from the end of its ramp."""

    users: int
    ramp_per_s: float
    recovery_s: float = 4.0  # the crowd keeps going this long after the planned last heal
    journal_every: int = 20  # 1 in N plain verifies go into the history outside faults
    full_after_heal_s: float = 3.0  # every call goes into the history until this after a heal
    processes: int = 2  # generator processes


@dataclass(frozen=True)
class Clients:
    """The recorded load: ``clients`` concurrent clients with ``mix`` (every call in the
    history), the gate's probes of known tokens (one every ``probe_pause_s``, on each worker
    in turn), and optionally a crowd beside them. The clients run until ``recovery_s`` after
    the last heal returned."""

    clients: int = 4
    mix: Mix = field(default_factory=Mix)
    recovery_s: float = 1.5
    probe_pause_s: float = 0.1
    crowd: CrowdLoad | None = None


@dataclass(frozen=True)
class Scenario:
    """One scenario. ``faults`` are played one after another: the first ``start_s`` after
    the load begins (after the crowd's ramp), each later one ``gap_s`` after the previous
    heal, each lasting ``fault_s``; every range is drawn from the scenario's seed."""

    name: str
    faults: tuple[FaultBuilder, ...]
    stack: StackSpec
    load: Clients = field(default_factory=Clients)
    checks: tuple[str, ...] = ()  # () = chaos.checkers.checks_for(the faults' effects, mode)
    start_s: tuple[float, float] = (1.0, 1.2)
    fault_s: tuple[float, float] = (1.2, 2.0)
    gap_s: tuple[float, float] = (1.5, 2.5)
    degraded_bound_s: float | None = None  # overrides the budget: the stack's own bound
    durability: bool = False  # a failover drill: I8 and what the fault's effects call for
    # the fault lasts this long past the service's fail-open bound (the runner's caller sets
    # fault_s from the bound it holds the service to)
    past_bound_s: float | None = None
    # the faults only slow Redis or hit a worker: the failure mode does not matter, so a
    # service that runs in one mode only runs the scenario in that mode
    any_mode: bool = False
    note: str = ""

    @property
    def mode(self) -> Mode:
        return self.stack.failure_mode

    @property
    def crowd(self) -> CrowdLoad | None:
        return self.load.crowd
