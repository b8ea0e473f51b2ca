"""The scenario matrix: scenario -> fault -> failure mode -> workers -> invariants checked.

Scenarios on the same ``StackSpec`` run one after another on one stack (a stack start costs
seconds on a 2-core box); each scenario still has its own history, checkers and report.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from chaos.gate.catalogue import FAULTS, FaultBuilder

__all__ = ["MATRIX", "CrowdLoad", "ScenarioSpec", "StackSpec", "by_name"]

Mode = Literal["open", "closed"]
LOSS_CHECKS = ("I1", "I2/I3", "I4", "I5", "I6", "I9", "I10")
SLOW_CHECKS = ("I1", "I4", "I5", "I6", "I9", "I10")
WORKER_CHECKS = ("I1", "I4", "I5", "I7", "I9", "I10")
CROWD_CHECKS = (*LOSS_CHECKS, "I2-outside")  # degraded only in a fault window (+ allowance)


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
    """A closed-loop crowd (chaos.workload.crowd) running through the whole fault schedule."""

    users: int
    ramp_per_s: float
    recovery_s: float = 4.0  # the crowd keeps going this long after the planned last heal
    journal_every: int = 20  # 1 in N plain verifies go into the history outside faults
    full_after_heal_s: float = 3.0  # every call goes into the history until this after a heal
    processes: int = 2  # generator processes


@dataclass(frozen=True)
class ScenarioSpec:
    """One row of the matrix."""

    name: str
    fault: str  # key of catalogue.FAULTS
    stack: StackSpec
    checks: tuple[str, ...]
    loss: bool = False  # the fault takes Redis away: the breaker must open (I10)
    fault_s: tuple[float, float] = (1.2, 2.0)  # drawn from the seed
    degraded_bound_s: float | None = None  # overrides the budget: the stack's own bound
    worker_fault: bool = False
    note: str = ""
    then: tuple[str, ...] = ()  # more faults (catalogue keys), one after another
    gap_s: tuple[float, float] = (1.5, 2.5)  # between two faults of ``then``, from the seed
    crowd: CrowdLoad | None = None

    @property
    def build(self) -> FaultBuilder:
        return FAULTS[self.fault]

    @property
    def mode(self) -> Mode:
        return self.stack.failure_mode


OPEN = StackSpec(3, "open")
PAIR = StackSpec(2, "open")  # the gate's usual stack at its smallest: 2 workers, fail-open
CLOSED = StackSpec(2, "closed")
BOUNDED = StackSpec(2, "open", ("--degraded-bound", "1"))


def _net(name: str, fault: str, stack: StackSpec, loss: bool) -> ScenarioSpec:
    return ScenarioSpec(name, fault, stack, LOSS_CHECKS if loss else SLOW_CHECKS, loss=loss)


MATRIX: tuple[ScenarioSpec, ...] = (
    _net("latency_below_timeout", "latency_below_timeout", OPEN, False),
    _net("latency_above_timeout_open", "latency_above_timeout", OPEN, True),
    _net("jitter", "jitter", OPEN, False),
    _net("bandwidth", "bandwidth", OPEN, False),
    _net("slow_close", "slow_close", OPEN, False),
    _net("blackhole_open", "timeout_blackhole", OPEN, True),
    _net("reset_peer_open", "reset_peer", OPEN, True),
    _net("slicer", "slicer", OPEN, False),
    _net("limit_data", "limit_data", OPEN, False),
    _net("proxy_down_open", "proxy_down", OPEN, True),
    _net("redis_kill9_restart_open", "redis_kill9_restart", OPEN, True),
    _net("redis_sigstop_open", "redis_sigstop", OPEN, True),
    ScenarioSpec("worker_kill9", "worker_kill9", OPEN, WORKER_CHECKS, worker_fault=True),
    ScenarioSpec("worker_sigstop", "worker_sigstop", OPEN, WORKER_CHECKS, worker_fault=True),
    _net("latency_above_timeout_closed", "latency_above_timeout", CLOSED, True),
    _net("blackhole_closed", "timeout_blackhole", CLOSED, True),
    _net("reset_peer_closed", "reset_peer", CLOSED, True),
    _net("proxy_down_closed", "proxy_down", CLOSED, True),
    _net("redis_kill9_restart_closed", "redis_kill9_restart", CLOSED, True),
    _net("redis_sigstop_closed", "redis_sigstop", CLOSED, True),
    ScenarioSpec(
        "degraded_bound_open",
        "proxy_down",
        BOUNDED,
        LOSS_CHECKS,
        loss=True,
        fault_s=(2.5, 3.0),
        degraded_bound_s=1.0,
        note="fail-open past the bound (1 s): the worker must fail closed",
    ),
    ScenarioSpec(
        "redis_faults_under_1k_users",
        "latency_below_timeout",
        PAIR,
        CROWD_CHECKS,
        loss=True,
        fault_s=(2.5, 3.5),
        then=("proxy_down",),
        gap_s=(2.5, 3.5),  # long enough for I6 to see both workers steady again
        crowd=CrowdLoad(users=1_000, ramp_per_s=100),
        note="Redis latency, then Redis down (proxy), each healed, under 1,000 virtual users",
    ),
)


def by_name(name: str) -> ScenarioSpec:
    for spec in MATRIX:
        if spec.name == name:
            return spec
    raise KeyError(f"no scenario {name!r}; known: {', '.join(s.name for s in MATRIX)}")
