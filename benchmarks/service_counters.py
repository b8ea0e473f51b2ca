"""The service's own counters around a run: breaker openings and fail-open decisions.

A load run that sees ``degraded`` verifies with a healthy Redis shows these move.
"""

from __future__ import annotations

import httpx

from benchmarks.probes import gauge_by_worker

COUNTERS = (
    "auth_breaker_opened_total",
    "auth_breaker_probes_total",
    "auth_revocation_degraded_total",
)


def read_counters(base_url: str) -> dict[str, float] | None:
    """Each counter summed over workers; None when ``/metrics`` cannot be read."""
    try:
        text = httpx.get(base_url.rstrip("/") + "/metrics", timeout=10.0).text
    except httpx.HTTPError:
        return None
    return {name: sum(gauge_by_worker(text, name).values()) for name in COUNTERS}


def describe_change(before: dict[str, float] | None, after: dict[str, float] | None) -> str:
    """One line: how much each counter grew during the run."""
    if before is None or after is None:
        return "service counters: /metrics unreadable"
    grown = ", ".join(f"{name} +{after[name] - before[name]:,.0f}" for name in COUNTERS)
    return f"service counters during the run: {grown}"
