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


def read_counters(base_url: str, path: str = "/metrics") -> dict[str, float] | None:
    """Each counter summed over workers; None when ``path`` cannot be read or has none of
    them (another service's metrics)."""
    try:
        answer = httpx.get(base_url.rstrip("/") + path, timeout=10.0)
    except httpx.HTTPError:
        return None
    if answer.status_code != 200:
        return None
    found = {name: gauge_by_worker(answer.text, name) for name in COUNTERS}
    if not any(found.values()):
        return None
    return {name: sum(values.values()) for name, values in found.items()}


def describe_change(before: dict[str, float] | None, after: dict[str, float] | None) -> str:
    """One line: how much each counter grew during the run."""
    if before is None or after is None:
        return "service counters: /metrics unreadable or without the reference's counters"
    grown = ", ".join(f"{name} +{after[name] - before[name]:,.0f}" for name in COUNTERS)
    return f"service counters during the run: {grown}"
