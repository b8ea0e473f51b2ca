"""I10, pool and breaker hygiene, from /metrics snapshots: pool connections in use are back
to 0 after the load; the breaker opened when a Redis loss was expected and is closed again;
at most one probe per worker per open interval.

An open interval lasts at least the breaker's reset time before its probe, so during an
outage of ``outage_s`` a worker has at most ``opened + ceil(outage_s / reset_s)`` intervals
(a failed probe re-opens the breaker without counting as a new closed -> open)."""

from __future__ import annotations

import math

from chaos.checkers.verdict import UNKNOWN, Verdict
from chaos.workload.metrics import MetricsSnapshot, delta

INVARIANT = "I10"
UNIT = "workers"


def pool_breaker(
    before: MetricsSnapshot | None,
    after: MetricsSnapshot | None,
    *,
    expect_breaker_open: bool,
    outage_s: float = 0.0,
    breaker_reset_s: float = 1.0,
) -> Verdict:
    """``before``: scraped before the faults; ``after``: after the load stopped and the
    stack healed (the caller waits for quiescence with a deadline)."""
    if before is None or after is None:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            {},
            message="I10 unknown: no /metrics snapshot before and after the run (the "
            "service's profile names no metrics route, or it did not answer)",
            evidence=0,
            unit=UNIT,
        )
    in_use = after.per_worker("auth_redis_pool_in_use")
    state = after.per_worker("auth_breaker_state")
    opened = delta(before, after, "auth_breaker_opened_total")
    probes = delta(before, after, "auth_breaker_probes_total")
    figures = {
        "pool_in_use_after": in_use,
        "breaker_state_after": state,
        "breaker_opened": opened,
        "breaker_probes": probes,
        "outage_s": round(outage_s, 3),
    }
    if not in_use or not state:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            figures,
            message="I10 unknown: /metrics has no auth_redis_pool_in_use or auth_breaker_state",
            evidence=0,
            unit=UNIT,
        )
    problems: list[str] = []
    problems += [
        f"worker {w} still has {v:g} pool connections in use" for w, v in in_use.items() if v
    ]
    problems += [f"worker {w} breaker state {v:g} (not closed)" for w, v in state.items() if v]
    if expect_breaker_open:
        problems += [f"worker {w} breaker never opened" for w in state if opened.get(w, 0) < 1]
    reopen_bound = math.ceil(outage_s / breaker_reset_s) if breaker_reset_s > 0 else 0
    allowed = {w: opened.get(w, 0.0) + (reopen_bound if opened.get(w, 0.0) else 0) for w in probes}
    problems += [
        f"worker {w} sent {v:g} probes, more than its {allowed[w]:g} possible open interval(s) "
        f"({opened.get(w, 0):g} opening(s), {outage_s:.1f}s outage, reset {breaker_reset_s}s)"
        for w, v in probes.items()
        if v > allowed[w]
    ]
    if problems:
        return Verdict(
            INVARIANT,
            False,
            {**figures, "problems": problems},
            message=f"I10 violated: {problems[0]}"
            + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
            evidence=len(state),
            unit=UNIT,
        )
    return Verdict(
        INVARIANT,
        True,
        figures,
        message=f"I10 holds: {len(state)} workers, pools drained, breakers closed, probes bounded",
        evidence=len(state),
        unit=UNIT,
    )
