"""The faults of contract §2.4 as builders, ``(random.Random, FaultContext) -> Fault``: the
scenario's generator draws every parameter (latency, rate, sizes, toxicity, victim slot), so
one seed gives the same faults every run. A builder's name is its fault's one name.

Adding a fault is a builder here (or in a file of its own) and a row in the matrix.
"""

from __future__ import annotations

import random

from chaos.faults import Compose, Fault, ProxyDown, ToxicFault
from chaos.faults import network as net
from chaos.faults import process as proc
from chaos.gate.fault_context import FaultContext

__all__ = [
    "WORKER_FAULTS",
    "bandwidth",
    "blackhole",
    "jitter",
    "latency_above_timeout",
    "latency_and_resets",
    "latency_below_timeout",
    "limit_data",
    "proxy_down",
    "redis_kill9_restart",
    "redis_sigstop",
    "reset_peer",
    "slicer",
    "slow_close",
    "worker_kill9",
    "worker_sigstop",
]


def _toxicity(rng: random.Random, fault: ToxicFault) -> ToxicFault:
    """A slow fault hits a drawn share of the connections (a lost Redis hits them all)."""
    fault.toxicity = round(rng.uniform(0.6, 1.0), 2)
    return fault


def latency_below_timeout(rng: random.Random, ctx: FaultContext) -> Fault:
    ms = rng.randint(5, max(6, int(ctx.redis_timeout_ms * 0.4)))
    fault = net.latency(ctx.network(), ms, name="latency_below_timeout")
    return _toxicity(rng, fault)


def latency_above_timeout(rng: random.Random, ctx: FaultContext) -> Fault:
    ms = rng.randint(int(ctx.redis_timeout_ms * 3), int(ctx.redis_timeout_ms * 8))
    return net.latency(ctx.network(), ms, loss=True, name="latency_above_timeout")


def latency_and_resets(rng: random.Random, ctx: FaultContext) -> Fault:
    """Replies late and connections reset after a while: a flaky Redis, not a lost one."""
    ms = rng.randint(5, max(6, int(ctx.redis_timeout_ms * 0.4)))
    slow = net.latency(ctx.network(), ms, name="latency_below_timeout")
    resets = net.reset_peer(ctx.network(), rng.randint(200, 1000))
    return Compose(slow, resets, name="latency_and_resets")


def jitter(rng: random.Random, ctx: FaultContext) -> Fault:
    base = rng.randint(5, max(6, int(ctx.redis_timeout_ms * 0.2)))
    spread = rng.randint(10, int(ctx.redis_timeout_ms))
    return _toxicity(rng, net.jitter(ctx.network(), base, spread))


def bandwidth(rng: random.Random, ctx: FaultContext) -> Fault:
    return _toxicity(rng, net.bandwidth(ctx.network(), rng.randint(2, 16)))


def slow_close(rng: random.Random, ctx: FaultContext) -> Fault:
    return _toxicity(rng, net.slow_close(ctx.network(), rng.randint(200, 1500)))


def blackhole(rng: random.Random, ctx: FaultContext) -> Fault:
    return net.blackhole(ctx.network())


def reset_peer(rng: random.Random, ctx: FaultContext) -> Fault:
    return net.reset_peer(ctx.network(), 0)


def slicer(rng: random.Random, ctx: FaultContext) -> Fault:
    size, variation, delay = rng.randint(1, 4), rng.randint(0, 1), rng.randint(50, 1000)
    return _toxicity(rng, net.slicer(ctx.network(), size, variation, delay))


def limit_data(rng: random.Random, ctx: FaultContext) -> Fault:
    return _toxicity(rng, net.limit_data(ctx.network(), rng.randint(200, 4000)))


def proxy_down(rng: random.Random, ctx: FaultContext) -> Fault:
    return ProxyDown(ctx.network())


def redis_kill9_restart(rng: random.Random, ctx: FaultContext) -> Fault:
    return proc.redis_kill(ctx.redis_process())


def redis_sigstop(rng: random.Random, ctx: FaultContext) -> Fault:
    return proc.redis_pause(ctx.redis_process())


def worker_kill9(rng: random.Random, ctx: FaultContext) -> Fault:
    return proc.worker_kill(ctx.worker(rng.randrange(ctx.workers)))


def worker_sigstop(rng: random.Random, ctx: FaultContext) -> Fault:
    return proc.worker_pause(ctx.worker(rng.randrange(ctx.workers)))


WORKER_FAULTS = frozenset({worker_kill9, worker_sigstop})  # they aim at one worker's process
