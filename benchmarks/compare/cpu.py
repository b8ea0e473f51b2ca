"""Where the CPU went during a run: the service's workers, its other processes (the
supervisor), Redis (its own ``INFO cpu`` counters), the load generator (its processes and
this command), the py-spy recorders, and the rest of the box (other users of a shared
machine).

    meter = CpuMeter(tree, redis_url)
    before = meter.read(); ...run...; after = meter.read()
    split = CpuSplit.between(before, after, generator_s=tally.cpu_seconds, sampled=...)
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass, field

import redis

from benchmarks.machine import cpu_ticks
from benchmarks.probes import cpu_seconds
from chaos.services.process_tree import ProcessTree

__all__ = ["CpuMeter", "CpuReading", "CpuSplit", "children_cpu_s", "own_cpu_s"]


@dataclass(frozen=True)
class CpuReading:
    """CPU seconds so far: workers (summed), the service's other processes, Redis, and the
    whole box (busy and total core-seconds, from /proc/stat)."""

    workers_s: float
    service_other_s: float
    redis_s: float | None
    box_busy_s: float
    box_total_s: float


class CpuMeter:
    """Reads a service tree's and its Redis's CPU time (the worker set is fixed at start)."""

    def __init__(self, tree: ProcessTree, redis_url: str | None) -> None:
        self.workers = tree.workers()
        self.others = [pid for pid in tree.members() if pid not in self.workers]
        self._redis_url = redis_url
        self._tick = os.sysconf("SC_CLK_TCK")

    def _redis_cpu(self) -> float | None:
        if self._redis_url is None:
            return None
        try:
            with redis.Redis.from_url(self._redis_url, socket_timeout=5.0) as client:
                info: dict[str, float] = client.info("cpu")
        except redis.RedisError:
            return None
        return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])

    def read(self) -> CpuReading:
        busy, total = cpu_ticks()
        return CpuReading(
            workers_s=sum(cpu_seconds(pid) or 0.0 for pid in self.workers),
            service_other_s=sum(cpu_seconds(pid) or 0.0 for pid in self.others),
            redis_s=self._redis_cpu(),
            box_busy_s=busy / self._tick,
            box_total_s=total / self._tick,
        )


@dataclass(frozen=True)
class CpuSplit:
    """Core-seconds per part over one run's window; ``worker_shares``: the workers' CPU by
    component (py-spy), empty with ``spy_note`` saying why."""

    wall_s: float
    cores: int
    box_busy_s: float
    workers_s: float
    service_other_s: float
    redis_s: float | None
    generator_s: float  # its processes and this command (which merges their tallies)
    worker_shares: dict[str, float] = field(default_factory=dict)
    spy_samples: int = 0
    spy_note: str = ""
    spy_s: float = 0.0  # the py-spy recorders' own CPU

    @classmethod
    def between(
        cls, before: CpuReading, after: CpuReading, *, generator_s: float,
        worker_shares: dict[str, float] | None = None, spy_samples: int = 0, spy_note: str = "",
        spy_s: float = 0.0,
    ) -> CpuSplit:  # fmt: skip
        cores = os.cpu_count() or 1
        redis_s = (
            after.redis_s - before.redis_s
            if after.redis_s is not None and before.redis_s is not None
            else None
        )
        return cls(
            wall_s=(after.box_total_s - before.box_total_s) / cores,
            cores=cores,
            box_busy_s=after.box_busy_s - before.box_busy_s,
            workers_s=after.workers_s - before.workers_s,
            service_other_s=after.service_other_s - before.service_other_s,
            redis_s=redis_s,
            generator_s=generator_s,
            worker_shares=dict(worker_shares or {}),
            spy_samples=spy_samples,
            spy_note=spy_note,
            spy_s=spy_s,
        )

    @property
    def rest_s(self) -> float:
        """Busy core-seconds no measured part accounts for (never below 0)."""
        known = self.workers_s + self.service_other_s + (self.redis_s or 0.0) + self.generator_s
        return max(0.0, self.box_busy_s - known - self.spy_s)

    def parts(self) -> dict[str, float]:
        """Core-seconds per part: each worker component (when sampled), or the workers whole,
        then the service's other processes, Redis, the generator, and the rest of the box."""
        out: dict[str, float] = {}
        if self.worker_shares:
            for name, share in self.worker_shares.items():
                out[f"workers: {name}"] = self.workers_s * share
        else:
            out["workers"] = self.workers_s
        out["service's other processes"] = self.service_other_s
        out["Redis"] = self.redis_s or 0.0
        out["generator"] = self.generator_s
        out["py-spy"] = self.spy_s
        out["rest of the box"] = self.rest_s
        return out


def children_cpu_s() -> float:
    """User + system CPU of this process's children that have been waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu_s() -> float:
    """User + system CPU of this process (all its threads)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
