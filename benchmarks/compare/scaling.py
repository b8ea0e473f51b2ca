"""Scaling on this box and a projection beyond it (pure math; the runs are ``runner``'s).

The reference runs under the same crowd at 1, 2, 3, 4 workers; each point gives throughput
(answered as expected per second) and CPU per answered request (workers and Redis). The
projection takes the point that served most and scales its CPU per request to a target rate:

    cores = target req/s x CPU per answered request / utilisation

It is a PROJECTION, not a measurement; ``Projection.assumptions`` says on what it rests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.compare.figures import RunFigures

__all__ = ["DEFAULT_UTILISATION", "Projection", "best_point", "project"]

DEFAULT_UTILISATION = 0.7  # keep cores at most 70% busy: headroom for bursts and GC


def best_point(points: Sequence[RunFigures]) -> RunFigures | None:
    """The run that answered most requests as expected per second (None: no usable run)."""
    usable = [p for p in points if p.expected > 0]
    return max(usable, key=lambda p: p.expected_per_s, default=None)


@dataclass(frozen=True)
class Projection:
    """Cores needed for ``target_rps`` requests of the mix per second."""

    target_rps: float
    utilisation: float
    basis: RunFigures
    worker_us: float  # worker CPU per request answered as expected (shed work included)
    redis_us: float | None

    @property
    def worker_cores(self) -> float:
        return self.target_rps * self.worker_us / 1e6 / self.utilisation

    @property
    def redis_cores(self) -> float | None:
        if self.redis_us is None:
            return None
        return self.target_rps * self.redis_us / 1e6 / self.utilisation

    @property
    def redis_shards(self) -> int | None:
        """Redis runs commands on one thread: one instance per core it would need."""
        cores = self.redis_cores
        return None if cores is None else max(1, math.ceil(cores))

    @property
    def workers_needed(self) -> int:
        return max(1, math.ceil(self.worker_cores))

    def assumptions(self) -> list[str]:
        b = self.basis
        return [
            f"CPU per request as measured at {b.workers} worker(s) under {b.users:,} users "
            f"({b.expected_per_s:,.0f} answered as expected per second, the most of the "
            "scaling runs), shed and failed requests' work charged to the answered ones",
            "the same mix, think times and account pool; the same Python, CPU type and "
            "service settings (hash cost included)",
            "work spreads evenly over workers, one worker per core, no cost for more "
            "connections or cross-core traffic (the runs above show what 3-4 workers on "
            "2 cores do instead)",
            f"cores kept at most {self.utilisation:.0%} busy; the load generator and anything "
            "else on the box not counted",
            "Redis is single-threaded: beyond one core it needs shards (Redis Cluster), "
            "which this projection does not measure",
        ]


def project(
    points: Sequence[RunFigures], target_rps: float, utilisation: float = DEFAULT_UTILISATION
) -> Projection | None:
    """The projection from the best point; None when no run answered anything."""
    if target_rps <= 0:
        raise ValueError(f"target rate must be > 0, got {target_rps}")
    if not 0 < utilisation <= 1:
        raise ValueError(f"utilisation must be in (0, 1], got {utilisation}")
    basis = best_point(points)
    if basis is None:
        return None
    per = 1e6 / basis.expected
    redis = None if basis.cpu.redis_s is None else basis.cpu.redis_s * per
    return Projection(target_rps, utilisation, basis, basis.cpu.workers_s * per, redis)
