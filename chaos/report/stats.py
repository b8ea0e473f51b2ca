"""Figures of a history per route, the source report's kind: requests, answers as the
contract expects, p50/p95/p99, and the rest split into shed and unexpected answers.

As expected (contract §1.2): a 200; a 401 for a token whose logout was invoked before the
call began (the revocation working: a logout answered 503 may still have been stored).
Shed: a 429 or 503 with ``Retry-After``, the documented "retry later" (a fail-closed verify
during a Redis loss, an overloaded worker). Unexpected: everything else (a 500, a 401 for a
live token, a timeout, a refused connection).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from chaos.checkers.latency_budgets import percentile
from chaos.history import Call, History

ROUTE_ORDER = ("login", "verify", "logout", "refresh")
SHED_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RouteStats:
    route: str
    requests: int
    expected: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    shed: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)

    @property
    def success_rate(self) -> float | None:
        """The share answered as the contract expects."""
        return self.expected / self.requests if self.requests else None


def error_kind(call: Call) -> str:
    """The status or error kind of a call (``401``, ``503 redis_unavailable``, ``timeout``)."""
    done = call.completion
    if done is None:
        return "no completion"
    if done.status is not None:
        return f"{done.status} {done.error}" if done.error else str(done.status)
    return (done.error or done.type).split(":", 1)[0]


def logged_out(history: History) -> dict[str, int]:
    """jti -> when its first logout was invoked (monotonic ns), whatever it answered."""
    revoked: dict[str, int] = {}
    for call in history.calls():
        if call.f == "logout" and call.jti:
            revoked[call.jti] = min(call.start_ns, revoked.get(call.jti, call.start_ns))
    return revoked


def judge(call: Call, revoked: dict[str, int]) -> str:
    """``expected``, ``shed`` or ``unexpected`` (see the module's docstring)."""
    done = call.completion
    status = done.status if done is not None else None
    if status == 200:
        return "expected"
    if call.f in ("verify", "refresh") and status == 401:
        at = revoked.get(call.jti or "")
        if at is not None and at < call.start_ns:
            return "expected"
    if status in SHED_STATUSES and done is not None and done.value.get("retry_after"):
        return "shed"
    return "unexpected"


def route_stats(history: History) -> list[RouteStats]:
    """One row per route that was called, in the contract's order."""
    revoked = logged_out(history)
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
        verdicts = [(judge(c, revoked), c) for c in calls]
        rows.append(
            RouteStats(
                route,
                len(calls),
                sum(1 for kind, _ in verdicts if kind == "expected"),
                percentile(latencies, 50) if latencies else None,
                percentile(latencies, 95) if latencies else None,
                percentile(latencies, 99) if latencies else None,
                Counter(error_kind(c) for kind, c in verdicts if kind == "shed"),
                Counter(error_kind(c) for kind, c in verdicts if kind == "unexpected"),
            )
        )
    return rows
