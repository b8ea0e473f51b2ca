"""I10, pool and breaker hygiene, from /metrics snapshots: pool connections in use are back
to 0 after the load; the breaker opened when a Redis loss was expected and is closed again;
at most one probe per worker per open interval."""

from __future__ import annotations

import math

from chaos.checkers.verdict import UNKNOWN, Verdict
from chaos.workload.metrics import MetricsSnapshot, delta

INVARIANT = "I10"


def pool_breaker(
    before: MetricsSnapshot | None,
    after: MetricsSnapshot | None,
    *,
    expect_breaker_open: bool,
    open_s: float | None = None,
    reset_s: float | None = None,
) -> Verdict:
    """``before``: scraped before the faults; ``after``: after the load stopped and the
    stack healed (the caller waits for quiescence with a deadline). ``open_s``: how long
    Redis was faulty; ``reset_s``: the breaker's open interval. A failed probe starts a new
    open interval without a new opening, so with both given a worker may probe
    ``opened + ceil(open_s / reset_s)`` times; without them, ``opened`` times."""
    if before is None or after is None:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            {},
            message="I10 unknown: a /metrics snapshot (before or after the run) is missing",
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
    }
    if not in_use or not state:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            figures,
            message="I10 unknown: /metrics has no auth_redis_pool_in_use or auth_breaker_state",
        )
    problems: list[str] = []
    problems += [
        f"worker {w} still has {v:g} pool connections in use" for w, v in in_use.items() if v
    ]
    problems += [f"worker {w} breaker state {v:g} (not closed)" for w, v in state.items() if v]
    if expect_breaker_open:
        problems += [f"worker {w} breaker never opened" for w in state if opened.get(w, 0) < 1]
    extra = math.ceil(open_s / reset_s) if open_s is not None and reset_s else 0
    problems += [
        f"worker {w} sent {v:g} probes in {opened.get(w, 0) + extra:g} open interval(s)"
        for w, v in probes.items()
        if v > max(opened.get(w, 0.0), 0.0) + extra
    ]
    if problems:
        return Verdict(
            INVARIANT,
            False,
            {**figures, "problems": problems},
            message=f"I10 violated: {problems[0]}"
            + (f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""),
        )
    return Verdict(
        INVARIANT,
        True,
        figures,
        message=f"I10 holds: {len(state)} workers, pools drained, breakers closed, probes bounded",
    )
