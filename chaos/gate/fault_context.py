"""``FaultContext``: what a scenario's faults act on, and the one signature of a fault
builder, ``(random.Random, FaultContext) -> Fault``.

    def jitter(rng: random.Random, ctx: FaultContext) -> Fault:
        return net.jitter(ctx.network(), rng.randint(5, 20), rng.randint(10, 100))
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from chaos.faults import Controllable, Fault, Switchable, ToxicTarget
from chaos.gate.worker_target import TreeWorker, WorkerProcess

__all__ = ["FaultBuilder", "FaultContext", "NetworkTarget"]


class NetworkTarget(ToxicTarget, Switchable, Protocol):
    """The proxy in front of Redis: toxics, and down/up (``ProxyHandle`` fits)."""


@dataclass(frozen=True)
class FaultContext:
    """The proxy in front of Redis, Redis itself, the workers by slot, the service's Redis
    timeout (faults are sized to it), and for failover drills the Redis topology."""

    proxy: NetworkTarget | None
    redis: Controllable | None
    worker: Callable[[int], WorkerProcess | TreeWorker]  # slot -> the process serving it
    workers: int
    redis_timeout_ms: float  # the service's per-attempt Redis timeout
    topology: Any = None  # a chaos.failover topology (Sentinel, Cluster, single Redis)
    # the shortest fault that outlasts the service's own Redis timeouts and retries (3 x its
    # worst Redis call): a shorter one could end before the service noticed it
    fault_floor_s: float = 0.0

    def network(self) -> NetworkTarget:
        if self.proxy is None:
            raise ValueError("this stack has no fault proxy in front of Redis")
        return self.proxy

    def redis_process(self) -> Controllable:
        if self.redis is None:
            raise ValueError("this stack gives no handle on the Redis process")
        return self.redis


FaultBuilder = Callable[[random.Random, FaultContext], Fault]
