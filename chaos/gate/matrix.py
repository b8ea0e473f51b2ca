"""The scenario matrix: every fault of contract §2.4, in both failure modes where the mode
matters, with 2 to 3 workers; the checks each declares follow from its faults' effects.

Scenarios on the same ``StackSpec`` run one after another on one stack (a stack start costs
seconds on a 2-core box); each scenario still has its own history, checks and report.
"""

from __future__ import annotations

from chaos.gate import catalogue as fault
from chaos.gate.fault_context import FaultBuilder
from chaos.gate.scenario import Clients, CrowdLoad, Scenario, StackSpec

__all__ = ["BOUNDED", "CLOSED", "LONG", "MATRIX", "OPEN", "PAIR", "by_name"]

OPEN = StackSpec(3, "open")
PAIR = StackSpec(2, "open")  # the gate's usual stack at its smallest: 2 workers, fail-open
CLOSED = StackSpec(2, "closed")
BOUNDED = StackSpec(2, "open", ("--degraded-bound", "1"))


def _one(name: str, build: FaultBuilder, stack: StackSpec) -> Scenario:
    return Scenario(name, (build,), stack)


def _any(name: str, build: FaultBuilder, stack: StackSpec) -> Scenario:
    """A fault that slows Redis or hits a worker: the failure mode does not matter."""
    return Scenario(name, (build,), stack, any_mode=True)


MATRIX: tuple[Scenario, ...] = (
    _any("latency_below_timeout", fault.latency_below_timeout, OPEN),
    _one("latency_above_timeout_open", fault.latency_above_timeout, OPEN),
    _any("jitter", fault.jitter, OPEN),
    _any("latency_and_resets", fault.latency_and_resets, OPEN),
    _any("bandwidth", fault.bandwidth, OPEN),
    _any("slow_close", fault.slow_close, OPEN),
    _one("blackhole_open", fault.blackhole, OPEN),
    _one("reset_peer_open", fault.reset_peer, OPEN),
    _any("slicer", fault.slicer, OPEN),
    _any("limit_data", fault.limit_data, OPEN),
    _one("proxy_down_open", fault.proxy_down, OPEN),
    _one("redis_kill9_restart_open", fault.redis_kill9_restart, OPEN),
    _one("redis_sigstop_open", fault.redis_sigstop, OPEN),
    _any("worker_kill9", fault.worker_kill9, OPEN),
    _any("worker_sigstop", fault.worker_sigstop, OPEN),
    _one("latency_above_timeout_closed", fault.latency_above_timeout, CLOSED),
    _one("blackhole_closed", fault.blackhole, CLOSED),
    _one("reset_peer_closed", fault.reset_peer, CLOSED),
    _one("proxy_down_closed", fault.proxy_down, CLOSED),
    _one("redis_kill9_restart_closed", fault.redis_kill9_restart, CLOSED),
    _one("redis_sigstop_closed", fault.redis_sigstop, CLOSED),
    Scenario(
        "degraded_bound_open",
        (fault.proxy_down,),
        BOUNDED,
        fault_s=(2.5, 3.0),
        degraded_bound_s=1.0,
        note="fail-open past the bound (1 s): the worker must fail closed",
    ),
    Scenario(
        "redis_faults_under_1k_users",  # a Redis loss under fail-open: open mode only
        (fault.latency_below_timeout, fault.proxy_down),
        PAIR,
        load=Clients(crowd=CrowdLoad(users=1_000, ramp_per_s=100)),
        fault_s=(2.5, 3.5),
        gap_s=(2.5, 3.5),  # long enough for I6 to see both workers steady again
        note="Redis latency, then Redis down (proxy), each healed, under 1,000 virtual users",
    ),
)


# the long tier (pytest -m "chaos and long"), for release candidates: Redis hung and Redis
# gone for a minute, longer than any service's timeouts, and an outage past the fail-open
# bound the service declares
LONG_FAULT_S = (60.0, 60.0)
LONG: tuple[Scenario, ...] = (
    Scenario("redis_hang_60s", (fault.redis_sigstop,), PAIR, fault_s=LONG_FAULT_S,
             note="Redis hung (SIGSTOP) for 60 s"),
    Scenario("redis_outage_60s", (fault.proxy_down,), PAIR, fault_s=LONG_FAULT_S,
             note="Redis unreachable (fault proxy down) for 60 s"),
    Scenario("outage_past_fail_open_bound", (fault.proxy_down,), PAIR, past_bound_s=10.0,
             note="Redis unreachable 10 s past the declared fail-open bound: must fail closed"),
)  # fmt: skip


def by_name(name: str, scenarios: tuple[Scenario, ...] = MATRIX + LONG) -> Scenario:
    for scenario in scenarios:
        if scenario.name == name:
            return scenario
    raise KeyError(f"no scenario {name!r}; known: {', '.join(s.name for s in scenarios)}")
