"""What the virtual users did: per route counts, latencies and errors by kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from chaos.workload.histogram import Histogram

ROUTES = ("login", "verify", "logout", "verify_revoked")
SHED_SUFFIX = " shed (Retry-After)"  # how chaos.workload.crowd names an overload answer's kind


@dataclass
class RouteTally:
    """One route: requests, the ones that answered as expected, their latencies."""

    requests: int = 0
    ok: int = 0
    latency: Histogram = field(default_factory=Histogram)


@dataclass
class Tally:
    """Every route of one generator process (or of all, once merged)."""

    routes: dict[str, RouteTally] = field(
        default_factory=lambda: {name: RouteTally() for name in ROUTES}
    )
    errors: Counter[str] = field(default_factory=Counter)
    shed_latency: Histogram = field(default_factory=Histogram)  # of the shed answers alone
    users_started: int = 0
    loop_lag: Histogram = field(default_factory=Histogram)
    cpu_seconds: float = 0.0

    def record(self, route: str, latency_us: float, error: str | None) -> None:
        """One finished request: ``error`` names its kind, None when it answered as expected."""
        tally = self.routes[route]
        tally.requests += 1
        tally.latency.record(latency_us)
        if error is None:
            tally.ok += 1
        else:
            self.errors[error] += 1
            if error.endswith(SHED_SUFFIX):  # how fast the "retry later" came
                self.shed_latency.record(latency_us)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.routes.values())

    @property
    def failed(self) -> int:
        return sum(r.requests - r.ok for r in self.routes.values())

    @property
    def shed(self) -> int:
        """Failed requests that got the contract's overload answer (429/503 + Retry-After)."""
        return sum(n for kind, n in self.errors.items() if kind.endswith(SHED_SUFFIX))

    @property
    def unexpected(self) -> int:
        """Failed requests other than shed ones: timeouts, resets, 5xx, degraded, wrong status."""
        return self.failed - self.shed

    def latency(self) -> Histogram:
        """All routes together."""
        merged = Histogram()
        for route in self.routes.values():
            merged.merge(route.latency)
        return merged

    def merge(self, other: Tally) -> None:
        for name, route in other.routes.items():
            mine = self.routes[name]
            mine.requests += route.requests
            mine.ok += route.ok
            mine.latency.merge(route.latency)
        self.errors.update(other.errors)
        self.shed_latency.merge(other.shed_latency)
        self.users_started += other.users_started
        self.loop_lag.merge(other.loop_lag)
        self.cpu_seconds += other.cpu_seconds

    def snapshot(self) -> dict[str, Any]:
        """A plain, picklable copy to send to the parent process."""
        return {
            "routes": {n: (r.requests, r.ok, r.latency.as_dict()) for n, r in self.routes.items()},
            "errors": dict(self.errors),
            "shed_latency": self.shed_latency.as_dict(),
            "users_started": self.users_started,
            "loop_lag": self.loop_lag.as_dict(),
            "cpu_seconds": self.cpu_seconds,
        }

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> Tally:
        tally = cls()
        for name, (requests, ok, counts) in data["routes"].items():
            tally.routes[name] = RouteTally(requests, ok, Histogram(counts))
        tally.errors = Counter(data["errors"])
        tally.shed_latency = Histogram(data.get("shed_latency", {}))
        tally.users_started = data["users_started"]
        tally.loop_lag = Histogram(data["loop_lag"])
        tally.cpu_seconds = data["cpu_seconds"]
        return tally
