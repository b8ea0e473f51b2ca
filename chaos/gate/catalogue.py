"""The faults of contract section 2, each built from the scenario's random generator, so one
seed gives the same parameters (latency, rate, sizes, toxicity, victim slot) every run."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from chaos.faults import Fault, ProxyDown, ToxicFault
from chaos.faults import network as net
from chaos.faults import process as proc
from chaos.faults.process import Controllable
from chaos.gate.proxy_target import ProxyTarget
from chaos.gate.worker_target import WorkerProcess

__all__ = ["FAULTS", "FaultBuilder", "FaultContext"]


@dataclass(frozen=True)
class FaultContext:
    """What faults act on: the proxy in front of Redis, Redis itself, the workers."""

    proxy: ProxyTarget
    redis: Controllable
    worker: Callable[[int], WorkerProcess]  # slot -> the process serving it
    workers: int
    redis_timeout_ms: float  # the service's per-attempt Redis timeout


FaultBuilder = Callable[[random.Random, FaultContext], Fault]


def _toxicity(rng: random.Random, fault: ToxicFault) -> ToxicFault:
    """A slow fault hits a drawn share of the connections (a lost Redis hits them all)."""
    fault.toxicity = round(rng.uniform(0.6, 1.0), 2)
    fault.name = f"{fault.name}_tox{fault.toxicity:g}"
    return fault


def latency_below(rng: random.Random, ctx: FaultContext) -> Fault:
    ms = rng.randint(5, max(6, int(ctx.redis_timeout_ms * 0.4)))
    return _toxicity(rng, net.latency(ctx.proxy, ms))


def latency_above(rng: random.Random, ctx: FaultContext) -> Fault:
    ms = rng.randint(int(ctx.redis_timeout_ms * 3), int(ctx.redis_timeout_ms * 8))
    return net.latency(ctx.proxy, ms, loss=True)


def jitter(rng: random.Random, ctx: FaultContext) -> Fault:
    base = rng.randint(5, max(6, int(ctx.redis_timeout_ms * 0.2)))
    return _toxicity(rng, net.jitter(ctx.proxy, base, rng.randint(10, int(ctx.redis_timeout_ms))))


def bandwidth(rng: random.Random, ctx: FaultContext) -> Fault:
    return _toxicity(rng, net.bandwidth(ctx.proxy, rng.randint(2, 16)))


def slow_close(rng: random.Random, ctx: FaultContext) -> Fault:
    return _toxicity(rng, net.slow_close(ctx.proxy, rng.randint(200, 1500)))


def blackhole(rng: random.Random, ctx: FaultContext) -> Fault:
    return net.blackhole(ctx.proxy, 0)


def reset_peer(rng: random.Random, ctx: FaultContext) -> Fault:
    return net.reset_peer(ctx.proxy, 0)


def slicer(rng: random.Random, ctx: FaultContext) -> Fault:
    fault = net.slicer(ctx.proxy, rng.randint(1, 4), rng.randint(0, 1), rng.randint(50, 1000))
    return _toxicity(rng, fault)


def limit_data(rng: random.Random, ctx: FaultContext) -> Fault:
    return _toxicity(rng, net.limit_data(ctx.proxy, rng.randint(200, 4000)))


def proxy_down(rng: random.Random, ctx: FaultContext) -> Fault:
    return ProxyDown(ctx.proxy)


def redis_kill(rng: random.Random, ctx: FaultContext) -> Fault:
    return proc.redis_kill(ctx.redis)


def redis_pause(rng: random.Random, ctx: FaultContext) -> Fault:
    return proc.redis_pause(ctx.redis)


def worker_kill(rng: random.Random, ctx: FaultContext) -> Fault:
    slot = rng.randrange(ctx.workers)
    return proc.worker_kill(ctx.worker(slot), slot)


def worker_pause(rng: random.Random, ctx: FaultContext) -> Fault:
    slot = rng.randrange(ctx.workers)
    return proc.worker_pause(ctx.worker(slot), slot)


FAULTS: dict[str, FaultBuilder] = {
    "latency_below_timeout": latency_below,
    "latency_above_timeout": latency_above,
    "jitter": jitter,
    "bandwidth": bandwidth,
    "slow_close": slow_close,
    "timeout_blackhole": blackhole,
    "reset_peer": reset_peer,
    "slicer": slicer,
    "limit_data": limit_data,
    "proxy_down": proxy_down,
    "redis_kill9_restart": redis_kill,
    "redis_sigstop": redis_pause,
    "worker_kill9": worker_kill,
    "worker_sigstop": worker_pause,
}
