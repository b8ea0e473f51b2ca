"""The source report's table, from a merged ``Tally``, plus the generator's own limits."""

from __future__ import annotations

from dataclasses import dataclass

from chaos.workload.crowd_table import (
    errors_by_kind,
    headline,
    ms,
    progress_line,
    route_table,
)
from chaos.workload.http1 import LAG_EFFECT
from chaos.workload.tally import Tally

__all__ = ["RunFacts", "progress_line", "render"]


@dataclass(frozen=True)
class RunFacts:
    """How the run was set up and what the machine did meanwhile."""

    users: int
    ramp_per_s: float
    duration_s: float
    processes: int
    wall_s: float
    hash_cost: str
    started: str
    load_before: str
    load_after: str
    cpu_busy: float  # share of all cores busy over the run, 0..1


def render(tally: Tally, facts: RunFacts) -> str:
    """Markdown: the headline row, routes, errors by kind, and the generator's limits."""
    lines = [
        f"{facts.users:,} users, ramp {facts.ramp_per_s:g}/s, {facts.duration_s:g} s, "
        f"{facts.processes} generator process(es); {facts.hash_cost}",
        f"started {facts.started}; {facts.load_before} before, {facts.load_after} after; "
        f"all cores {facts.cpu_busy:.0%} busy during the run",
        "",
        *headline(tally, facts.users, facts.duration_s),
        "",
        *route_table(tally),
        "",
        *errors_by_kind(tally),
    ]
    lag = tally.loop_lag
    cpu_share = tally.cpu_seconds / facts.wall_s if facts.wall_s else 0.0
    lines += [
        "",
        f"generator: {tally.users_started:,} users started; event-loop lag p50 "
        f"{ms(lag.percentile(0.5))}, p99 {ms(lag.percentile(0.99))}, max "
        f"{ms(lag.percentile(1.0))}; CPU {cpu_share:.0%} of one core "
        f"(summed over {facts.processes} process(es)); the lag: {LAG_EFFECT}.",
    ]
    return "\n".join(lines)
