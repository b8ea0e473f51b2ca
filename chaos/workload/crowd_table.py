"""The crowd's figures as text: the source report's route table, errors by kind, the live
progress line and how a run names its hash cost (shared by the gate and benchmarks.load)."""

from __future__ import annotations

from chaos.workload.histogram import Histogram
from chaos.workload.tally import ROUTES, Tally

__all__ = [
    "SERVICE_DEFAULT_HASH_COST",
    "errors_by_kind",
    "hash_cost_label",
    "headline",
    "ms",
    "ok_share",
    "percentiles",
    "progress_line",
    "route_table",
]

SERVICE_DEFAULT_HASH_COST = 2**15  # scrypt N: the reference service's default (--hash-cost)


def ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def percentiles(h: Histogram) -> str:
    """p50 | p95 | p99 as table cells."""
    return " | ".join(ms(h.percentile(q)) for q in (0.5, 0.95, 0.99))


def ok_share(tally: Tally, route: str) -> str:
    r = tally.routes[route]
    return f"{r.ok / r.requests:.2%}" if r.requests else "-"


def progress_line(elapsed_s: float, tally: Tally, users: int, rate: float) -> str:
    """One line, rewritten each second while the run goes."""
    p99 = tally.latency().percentile(0.99)
    return (
        f"t={elapsed_s:5.0f}s users={tally.users_started}/{users} req/s={rate:7,.0f} "
        f"p99={ms(p99)} requests={tally.requests:,} errors={tally.failed:,} "
        f"(unexpected {tally.unexpected:,}, shed {tally.shed:,})"
    )


def headline(tally: Tally, users: int, duration_s: float) -> list[str]:
    """The source report's headline row, with errors split into unexpected and shed."""
    total = tally.requests

    def share(count: int) -> str:
        return f"{count / total:.2%}" if total else "0.00%"

    rate = total / duration_s if duration_s else 0.0
    return [
        "| users | requests | req/s | login ok | verify ok | p50 | p95 | p99 | errors "
        "| unexpected | shed |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {users:,} | {total:,} | {rate:,.0f} | {ok_share(tally, 'login')} | "
        f"{ok_share(tally, 'verify')} | {percentiles(tally.latency())} | {share(tally.failed)} "
        f"| {share(tally.unexpected)} ({tally.unexpected:,}) | {share(tally.shed)} "
        f"({tally.shed:,}) |",
        "",
        "errors: every answer other than what the contract promises a healthy service; shed: "
        "the contract's overload answers among them (429 `login_overloaded` or 503, with "
        "Retry-After); unexpected: the rest (timeouts, resets, 5xx, degraded, wrong status, a "
        "revoked token accepted).",
        *shed_speed(tally),
    ]


def shed_speed(tally: Tally) -> list[str]:
    """How fast the shed answers came (a "retry later" after a long wait helps nobody)."""
    shed = tally.shed_latency
    if not tally.shed:
        return []
    return [
        "",
        f"shed answers came after p50 {ms(shed.percentile(0.5))}, p99 "
        f"{ms(shed.percentile(0.99))}, max {ms(shed.percentile(1.0))}.",
    ]


def route_table(tally: Tally) -> list[str]:
    """Markdown: per route, requests, the share answered as expected, p50/p95/p99, max."""
    lines = [
        "| route | requests | as expected | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ROUTES:
        r = tally.routes[name]
        lines.append(
            f"| {name} | {r.requests:,} | {ok_share(tally, name)} | {percentiles(r.latency)} "
            f"| {ms(r.latency.percentile(1.0))} |"
        )
    return lines


def errors_by_kind(tally: Tally) -> list[str]:
    """Markdown list of the errors, most frequent first."""
    lines = ["errors by kind:"]
    if tally.errors:
        lines += [f"- {kind}: {count:,}" for kind, count in tally.errors.most_common()]
    else:
        lines.append("- none")
    return lines


def hash_cost_label(cost: int | None) -> str:
    """How a run names its hash cost, loudly when it is not the service's default."""
    if cost is None:
        return "hash cost: that of the running service"
    exponent = cost.bit_length() - 1
    if cost == SERVICE_DEFAULT_HASH_COST:
        return f"hash cost: scrypt N=2^{exponent} (the default)"
    lighter = "LIGHTER" if cost < SERVICE_DEFAULT_HASH_COST else "HEAVIER"
    return f"hash cost: scrypt N=2^{exponent}, {lighter} THAN THE DEFAULT N=2^15"
