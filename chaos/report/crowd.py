"""The crowd's part of a scenario's summary (Markdown): the source report's table over every
request the crowd made, errors by kind, and how much of it the history holds."""

from __future__ import annotations

from chaos.workload.crowd_table import errors_by_kind, hash_cost_label, headline, route_table
from chaos.workload.http1 import LAG_EFFECT
from chaos.workload.tally import Tally

__all__ = ["crowd_markdown"]


def crowd_markdown(
    tally: Tally, *, users: int, ramp_per_s: float, duration_s: float, journalled: int,
    journal_every: int, hash_cost: int | None,
) -> str:  # fmt: skip
    total = tally.requests
    lag = tally.loop_lag
    lines = [
        "## Crowd",
        "",
        f"{users:,} virtual users, ramp {ramp_per_s:g}/s, {duration_s:g} s (ramp included), "
        f"{tally.users_started:,} started; {hash_cost_label(hash_cost)}.",
        "",
        *headline(tally, users, duration_s),
        "",
        *route_table(tally),
        "",
        *errors_by_kind(tally),
        "",
        f"The history holds {journalled:,} of these {total:,} requests: every login, logout "
        "and revoked-token verify, every answer other than a verify's `200 enforced`, every "
        f"call during a fault (and shortly after its heal), and 1 in {journal_every} of the "
        "other verifies. An error here is a figure; the verdicts above judge the history.",
        f"Generator event-loop lag p99 {lag.percentile(0.99) or 0:.1f} ms ({LAG_EFFECT}).",
    ]
    return "\n".join(lines) + "\n"
