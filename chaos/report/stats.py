"""Figures of a history per route: requests, success rate, p50/p95/p99, errors by kind."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from chaos.checkers.latency_budgets import percentile
from chaos.history import Call, History

ROUTE_ORDER = ("login", "verify", "logout", "refresh")


@dataclass(frozen=True)
class RouteStats:
    route: str
    requests: int
    ok: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    errors: Counter[str] = field(default_factory=Counter)

    @property
    def success_rate(self) -> float | None:
        return self.ok / self.requests if self.requests else None


def error_kind(call: Call) -> str | None:
    """None for a success; else the status or error kind (``401``, ``timeout``...)."""
    done = call.completion
    if done is None:
        return "no completion"
    if done.type == "ok":
        return None
    if done.status is not None:
        return f"{done.status} {done.error}" if done.error else str(done.status)
    return (done.error or done.type).split(":", 1)[0]


def route_stats(history: History) -> list[RouteStats]:
    """One row per route that was called, in the contract's order."""
    by_route: dict[str, list[Call]] = {}
    for call in history.calls():
        by_route.setdefault(call.f, []).append(call)
    order = [r for r in ROUTE_ORDER if r in by_route] + sorted(set(by_route) - set(ROUTE_ORDER))
    rows: list[RouteStats] = []
    for route in order:
        calls = by_route[route]
        latencies = [
            c.completion.latency_ms
            for c in calls
            if c.completion is not None and c.completion.latency_ms is not None
        ]
        errors: Counter[str] = Counter(k for k in map(error_kind, calls) if k is not None)
        rows.append(
            RouteStats(
                route,
                len(calls),
                sum(1 for c in calls if c.outcome == "ok"),
                percentile(latencies, 50) if latencies else None,
                percentile(latencies, 95) if latencies else None,
                percentile(latencies, 99) if latencies else None,
                errors,
            )
        )
    return rows
