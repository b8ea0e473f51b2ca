"""The source report's table, from a merged ``Tally``, plus the generator's own limits."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.load.histogram import Histogram
from benchmarks.load.tally import ROUTES, Tally


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


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def _percentiles(h: Histogram) -> str:
    return " | ".join(_ms(h.percentile(q)) for q in (0.5, 0.95, 0.99))


def progress_line(elapsed_s: float, tally: Tally, users: int, rate: float) -> str:
    """One line, rewritten each second while the run goes."""
    p99 = tally.latency().percentile(0.99)
    return (
        f"t={elapsed_s:5.0f}s users={tally.users_started}/{users} req/s={rate:7,.0f} "
        f"p99={_ms(p99)} requests={tally.requests:,} errors={tally.failed:,}"
    )


def render(tally: Tally, facts: RunFacts) -> str:
    """Markdown: the headline row, routes, errors by kind, and the generator's limits."""
    total = tally.requests
    rate = total / facts.duration_s if facts.duration_s else 0.0
    error_share = tally.failed / total if total else 0.0

    def ok_share(route: str) -> str:
        r = tally.routes[route]
        return f"{r.ok / r.requests:.2%}" if r.requests else "-"

    lines = [
        f"{facts.users:,} users, ramp {facts.ramp_per_s:g}/s, {facts.duration_s:g} s, "
        f"{facts.processes} generator process(es); {facts.hash_cost}",
        f"started {facts.started}; {facts.load_before} before, {facts.load_after} after; "
        f"all cores {facts.cpu_busy:.0%} busy during the run",
        "",
        "| users | requests | req/s | login ok | verify ok | p50 | p95 | p99 | errors |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {facts.users:,} | {total:,} | {rate:,.0f} | {ok_share('login')} | "
        f"{ok_share('verify')} | {_percentiles(tally.latency())} | {error_share:.2%} |",
        "",
        "| route | requests | as expected | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ROUTES:
        r = tally.routes[name]
        lines.append(
            f"| {name} | {r.requests:,} | {ok_share(name)} | {_percentiles(r.latency)} "
            f"| {_ms(r.latency.percentile(1.0))} |"
        )
    lines += ["", "errors by kind:"]
    if tally.errors:
        lines += [f"- {kind}: {count:,}" for kind, count in tally.errors.most_common()]
    else:
        lines.append("- none")
    lag = tally.loop_lag
    cpu_share = tally.cpu_seconds / facts.wall_s if facts.wall_s else 0.0
    lines += [
        "",
        f"generator: {tally.users_started:,} users started; event-loop lag p50 "
        f"{_ms(lag.percentile(0.5))}, p99 {_ms(lag.percentile(0.99))}, max "
        f"{_ms(lag.percentile(1.0))}; CPU {cpu_share:.0%} of one core "
        f"(summed over {facts.processes} process(es)). Lag adds to every latency above.",
    ]
    return "\n".join(lines)
