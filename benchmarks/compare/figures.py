"""A run's figures (from the crowd's merged ``Tally`` and the CPU split), the ratios between
designs, and the issue's goals; pure, and JSON both ways (``figures.json``).

Every request is one of: answered as expected (what the contract promises a healthy
service), shed (429 or 503 with ``Retry-After``: the contract's overload answer), or
unexpected (timeouts, resets, 5xx, ``degraded`` with Redis healthy, a wrong status). A
revoked token accepted is unexpected, except for a design that checks no revocation list
(then it is its design, counted as ``by_design``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from benchmarks.compare.cpu import CpuSplit
from chaos.workload.crowd import REVOKED_ACCEPTED
from chaos.workload.histogram import Histogram
from chaos.workload.tally import ROUTES, Tally

__all__ = [
    "GOAL_P99_RATIO",
    "GOAL_USERS",
    "GOAL_VERIFY_RATIO",
    "Goal",
    "RouteFigures",
    "RunFigures",
    "goals",
    "ratio",
    "run_figures",
]

GOAL_P99_RATIO = 0.1  # reference p99 at most 1/10 of the naive design's
GOAL_USERS = 5_000  # ... at 5,000 users and above
GOAL_VERIFY_RATIO = 0.8  # reference verify throughput at least 0.8 of the no-revocation one
TOP_ERRORS = 8


@dataclass(frozen=True)
class RouteFigures:
    """One route of the mix: requests, answered as expected, latency percentiles (ms)."""

    requests: int
    ok: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None

    @property
    def ok_share(self) -> float | None:
        return self.ok / self.requests if self.requests else None


@dataclass(frozen=True)
class RunFigures:
    """One design at one load."""

    design: str
    users: int
    ramp_per_s: float
    duration_s: float
    requests: int
    expected: int
    shed: int
    unexpected: int
    revoked_accepted: int
    by_design: int  # revoked tokens accepted by a design that checks no revocation list
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    routes: dict[str, RouteFigures]
    errors: list[tuple[str, int]]  # the most frequent kinds, most first
    started: str
    load_before: str
    load_after: str
    generator_lag_p99_ms: float | None
    cpu: CpuSplit
    workers: int = 2
    notes: list[str] = field(default_factory=list)
    shed_p99_ms: float | None = None  # how fast the shed answers came (None: none shed)

    @property
    def req_per_s(self) -> float:
        return self.requests / self.duration_s

    @property
    def expected_per_s(self) -> float:
        return self.expected / self.duration_s

    @property
    def verify_ok_per_s(self) -> float:
        return self.routes["verify"].ok / self.duration_s

    @property
    def logins_ok(self) -> int:
        return self.routes["login"].ok

    def cpu_per_request_us(self) -> tuple[float | None, float | None]:
        """(workers, Redis) CPU microseconds per request of the mix."""
        if not self.requests:
            return None, None
        redis = self.cpu.redis_s
        per = 1e6 / self.requests
        return self.cpu.workers_s * per, None if redis is None else redis * per

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["errors"] = [list(pair) for pair in self.errors]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunFigures:
        fields = dict(data)
        fields["routes"] = {name: RouteFigures(**r) for name, r in data["routes"].items()}
        fields["errors"] = [(str(kind), int(count)) for kind, count in data["errors"]]
        fields["cpu"] = CpuSplit(**data["cpu"])
        return cls(**fields)


def _p(h: Histogram, q: float) -> float | None:
    return h.percentile(q)


def run_figures(
    design: str, tally: Tally, *, users: int, ramp_per_s: float, duration_s: float,
    checks_revocation: bool, started: str, load_before: str, load_after: str, cpu: CpuSplit,
    workers: int = 2, notes: Sequence[str] = (),
) -> RunFigures:  # fmt: skip
    """The figures of one run, from the merged tally of its generators."""
    revoked = tally.errors[REVOKED_ACCEPTED]
    by_design = 0 if checks_revocation else revoked
    ok = sum(route.ok for route in tally.routes.values())
    routes = {
        name: RouteFigures(
            r.requests, r.ok, _p(r.latency, 0.5), _p(r.latency, 0.95), _p(r.latency, 0.99)
        )
        for name, r in ((name, tally.routes[name]) for name in ROUTES)
    }
    everything = tally.latency()
    return RunFigures(
        design=design, users=users, ramp_per_s=ramp_per_s, duration_s=duration_s,
        requests=tally.requests, expected=ok + by_design, shed=tally.shed,
        unexpected=tally.unexpected - by_design, revoked_accepted=revoked, by_design=by_design,
        p50_ms=_p(everything, 0.5), p95_ms=_p(everything, 0.95), p99_ms=_p(everything, 0.99),
        max_ms=_p(everything, 1.0), routes=routes,
        errors=list(tally.errors.most_common(TOP_ERRORS)), started=started,
        load_before=load_before, load_after=load_after,
        generator_lag_p99_ms=_p(tally.loop_lag, 0.99), cpu=cpu, workers=workers,
        notes=list(notes), shed_p99_ms=_p(tally.shed_latency, 0.99),
    )  # fmt: skip


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, None when either is missing or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


@dataclass(frozen=True)
class Goal:
    """One goal of the issue at one load: ``met`` True, False, or None (unknown: ``why``)."""

    users: int
    name: str
    met: bool | None
    figure: str
    why: str = ""

    @property
    def verdict(self) -> str:
        if self.met is None:
            return f"unknown ({self.why})"
        return "met" if self.met else "NOT MET"


def find_run(runs: Sequence[RunFigures], design: str, users: int) -> RunFigures | None:
    return next((r for r in runs if r.design == design and r.users == users), None)


def goals(runs: Sequence[RunFigures]) -> list[Goal]:
    """The issue's goals at every load the run measured (the p99 goal from 5,000 users)."""
    out: list[Goal] = []
    for users in sorted({r.users for r in runs}):
        reference = find_run(runs, "reference", users)
        naive = find_run(runs, "naive", users)
        skipped = find_run(runs, "no-revocation", users)
        if users >= GOAL_USERS:
            out.append(_p99_goal(users, reference, naive))
        if reference is None:
            out.append(Goal(users, "reference: 0 unexpected", None, "-", "reference not run"))
        else:
            out.append(
                Goal(users, "reference: 0 unexpected", reference.unexpected == 0,
                     f"{reference.unexpected:,} unexpected of {reference.requests:,}")
            )  # fmt: skip
        out.append(_verify_goal(users, reference, skipped))
    return out


def _p99_goal(users: int, reference: RunFigures | None, naive: RunFigures | None) -> Goal:
    name = f"reference p99 <= {GOAL_P99_RATIO:g} x naive p99"
    if reference is None or naive is None:
        return Goal(users, name, None, "-", "reference and naive both needed")
    value = ratio(reference.p99_ms, naive.p99_ms)
    if value is None:
        return Goal(users, name, None, "-", "a p99 is missing (no requests)")
    figure = f"{reference.p99_ms:,.0f} ms / {naive.p99_ms:,.0f} ms = {value:.3f}"
    return Goal(users, name, value <= GOAL_P99_RATIO, figure)


def _verify_goal(users: int, reference: RunFigures | None, skipped: RunFigures | None) -> Goal:
    name = f"reference verify ok/s >= {GOAL_VERIFY_RATIO:g} x without the revocation check"
    if reference is None or skipped is None:
        return Goal(users, name, None, "-", "reference and no-revocation both needed")
    value = ratio(reference.verify_ok_per_s, skipped.verify_ok_per_s)
    if value is None:
        return Goal(users, name, None, "-", "no verify answered as expected without the check")
    figure = (
        f"{reference.verify_ok_per_s:,.0f} / {skipped.verify_ok_per_s:,.0f} verify ok/s "
        f"= {value:.2f}"
    )
    return Goal(users, name, value >= GOAL_VERIFY_RATIO, figure)
