"""The service's own counters around a run: breaker openings, fail-open decisions, and where
its overload answers came from.

A load run that sees ``degraded`` verifies with a healthy Redis shows the first ones move; a
run with shed answers tells those refused on arrival (the admission, before any work) from
revocation checks that went without a Redis answer (503 after the request's work began).
"""

from __future__ import annotations

import httpx

from benchmarks.probes import series_sum

# (name as printed, metric, a label every counted series must carry, or "")
COUNTERS = (
    ("auth_breaker_opened_total", "auth_breaker_opened_total", ""),
    ("auth_breaker_probes_total", "auth_breaker_probes_total", ""),
    ("auth_revocation_degraded_total", "auth_revocation_degraded_total", ""),
    ("shed on arrival", "auth_requests_shed_total", ""),
    ("checks unavailable", "auth_revocation_check_total", 'result="unavailable"'),
)


def read_counters(base_url: str, path: str = "/metrics") -> dict[str, float] | None:
    """Each counter summed over workers (and routes); None when ``path`` cannot be read or has
    none of them (another service's metrics)."""
    try:
        answer = httpx.get(base_url.rstrip("/") + path, timeout=10.0)
    except httpx.HTTPError:
        return None
    if answer.status_code != 200:
        return None
    found = {name: series_sum(answer.text, metric, label) for name, metric, label in COUNTERS}
    if all(value is None for value in found.values()):
        return None
    return {name: value or 0.0 for name, value in found.items()}


def describe_change(before: dict[str, float] | None, after: dict[str, float] | None) -> str:
    """One line: how much each counter grew during the run."""
    if before is None or after is None:
        return "service counters: /metrics unreadable or without the reference's counters"
    grown = ", ".join(f"{name} +{after[name] - before[name]:,.0f}" for name, _, _ in COUNTERS)
    return f"service counters during the run: {grown}"
