"""The comparison as Markdown tables (pure): the source report's table with the designs side
by side and ratio columns, the goals, errors by kind, where the CPU went, scaling and the
projection."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.compare.figures import Goal, RunFigures, ratio
from benchmarks.compare.scaling import Projection
from benchmarks.compare.spy import COMPONENTS
from chaos.workload.crowd_table import ms

__all__ = [
    "bottleneck_table",
    "compare_table",
    "components_table",
    "errors_table",
    "goals_table",
    "load_one",
    "projection_lines",
    "scaling_table",
]


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _times(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}x" if value < 0.1 else f"{value:.2f}x"


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} us"


def load_one(load: str) -> str:
    """``'load 1.23 0.98 0.50 on 2 cores'`` -> ``'1.23'`` (the 1-minute average)."""
    parts = load.split()
    return parts[1] if len(parts) > 1 and parts[0] == "load" else load


def _order(runs: Sequence[RunFigures]) -> list[RunFigures]:
    designs = list(dict.fromkeys(r.design for r in runs))
    return sorted(runs, key=lambda r: (r.users, designs.index(r.design)))


def _naive(runs: Sequence[RunFigures], users: int) -> RunFigures | None:
    return next((r for r in runs if r.design == "naive" and r.users == users), None)


def _count(value: int, total: int) -> str:
    return f"{value:,} ({value / total:.1%})" if total else f"{value:,}"


def compare_table(runs: Sequence[RunFigures]) -> list[str]:
    """One row per design and load; x naive: that design's figure over the naive design's."""
    lines = [
        "| users | design | requests | req/s | as expected/s | x naive | logins ok | login ok "
        "| verify ok | logout ok | dead token refused | p50 | p95 | p99 | p99 x naive "
        "| as expected | shed | unexpected | load 1-min before -> after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in _order(runs):
        naive = _naive(runs, r.users)
        rate_ratio = ratio(r.expected_per_s, naive.expected_per_s) if naive else None
        p99_ratio = ratio(r.p99_ms, naive.p99_ms) if naive else None
        routes = r.routes
        lines.append(
            f"| {r.users:,} | {r.design} | {r.requests:,} | {r.req_per_s:,.0f} "
            f"| {r.expected_per_s:,.0f} | {_times(rate_ratio)} | {r.logins_ok:,} "
            f"| {_share(routes['login'].ok_share)} | {_share(routes['verify'].ok_share)} "
            f"| {_share(routes['logout'].ok_share)} | {_share(routes['verify_revoked'].ok_share)} "
            f"| {ms(r.p50_ms)} | {ms(r.p95_ms)} | {ms(r.p99_ms)} | {_times(p99_ratio)} "
            f"| {_count(r.expected, r.requests)} | {_count(r.shed, r.requests)} "
            f"| {_count(r.unexpected, r.requests)} "
            f"| {load_one(r.load_before)} -> {load_one(r.load_after)} |"
        )
    return lines


def goals_table(found: Sequence[Goal]) -> list[str]:
    lines = ["| users | goal | figure | verdict |", "|---|---|---|---|"]
    lines += [f"| {g.users:,} | {g.name} | {g.figure} | {g.verdict} |" for g in found]
    return lines


def errors_table(runs: Sequence[RunFigures]) -> list[str]:
    """The most frequent error kinds of every run (by_design revoked accepts named so)."""
    lines = ["| users | design | errors by kind (most frequent first) |", "|---|---|---|"]
    for r in _order(runs):
        kinds = "; ".join(f"{kind}: {count:,}" for kind, count in r.errors) or "none"
        if r.by_design:
            kinds += f" (the {r.by_design:,} revoked tokens accepted are this design's, no check)"
        lines.append(f"| {r.users:,} | {r.design} | {kinds} |")
    return lines


def _cores(seconds: float | None, r: RunFigures) -> str:
    if seconds is None:
        return "-"
    wall = r.cpu.wall_s or 1.0
    busy = r.cpu.box_busy_s or 1.0
    return f"{seconds / wall:.2f} ({seconds / busy:.0%})"


def bottleneck_table(runs: Sequence[RunFigures]) -> list[str]:
    """Cores used by each part over the run (and its share of the box's busy time)."""
    lines = [
        "| users | design | box busy (of cores) | workers | Redis | generator "
        "| service's other processes | py-spy | rest of the box | worker CPU/req "
        "| Redis CPU/req |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in _order(runs):
        c = r.cpu
        worker_us, redis_us = r.cpu_per_request_us()
        busy = f"{c.box_busy_s / (c.wall_s or 1.0):.2f} of {c.cores}"
        lines.append(
            f"| {r.users:,} | {r.design} | {busy} | {_cores(c.workers_s, r)} "
            f"| {_cores(c.redis_s, r)} | {_cores(c.generator_s, r)} "
            f"| {_cores(c.service_other_s, r)} | {_cores(c.spy_s, r)} | {_cores(c.rest_s, r)} "
            f"| {_us(worker_us)} "
            f"| {_us(redis_us)} |"
        )
    return lines


def components_table(runs: Sequence[RunFigures]) -> list[str]:
    """The workers' CPU by component (py-spy samples), or why it is unknown."""
    lines = [
        "| users | design | samples | " + " | ".join(COMPONENTS) + " |",
        "|---|---|---|" + "---|" * len(COMPONENTS),
    ]
    for r in _order(runs):
        shares = r.cpu.worker_shares
        if not shares:
            cells = [f"unknown: {r.cpu.spy_note or 'no samples'}"] + [""] * (len(COMPONENTS) - 1)
        else:
            cells = [f"{shares.get(name, 0.0):.0%}" for name in COMPONENTS]
        lines.append(
            f"| {r.users:,} | {r.design} | {r.cpu.spy_samples:,} | " + " | ".join(cells) + " |"
        )
    return lines


def scaling_table(points: Sequence[RunFigures]) -> list[str]:
    lines = [
        "| workers | users | req/s | as expected/s | p50 | p99 | shed | unexpected "
        "| worker CPU/req | Redis CPU/req | CPU per answered req | box busy | "
        "load 1-min before -> after |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in sorted(points, key=lambda p: p.workers):
        worker_us, redis_us = r.cpu_per_request_us()
        answered = (
            (r.cpu.workers_s + (r.cpu.redis_s or 0.0)) * 1e6 / r.expected if r.expected else None
        )
        busy = f"{r.cpu.box_busy_s / (r.cpu.wall_s or 1.0):.2f} of {r.cpu.cores}"
        lines.append(
            f"| {r.workers} | {r.users:,} | {r.req_per_s:,.0f} | {r.expected_per_s:,.0f} "
            f"| {ms(r.p50_ms)} | {ms(r.p99_ms)} | {_count(r.shed, r.requests)} "
            f"| {_count(r.unexpected, r.requests)} | {_us(worker_us)} | {_us(redis_us)} "
            f"| {_us(answered)} | {busy} | {load_one(r.load_before)} -> {load_one(r.load_after)} |"
        )
    return lines


def projection_lines(projection: Projection | None) -> list[str]:
    if projection is None:
        return ["PROJECTION: unknown (no scaling run answered any request as expected)"]
    p = projection
    redis = (
        "Redis: unknown (its CPU counters could not be read)"
        if p.redis_cores is None
        else f"Redis {p.redis_cores:.2f} core(s) ({p.redis_us:,.0f} us per request; "
        f"{p.redis_shards} instance(s), one thread each)"
    )
    lines = [
        f"PROJECTION (not a measurement) for {p.target_rps:,.0f} requests of the mix per second: "
        f"{p.worker_cores:.1f} worker cores ({p.workers_needed} workers, {p.worker_us:,.0f} us "
        f"per answered request) and {redis}.",
        "",
        "Assumptions:",
    ]
    lines += [f"- {a}" for a in p.assumptions()]
    return lines
