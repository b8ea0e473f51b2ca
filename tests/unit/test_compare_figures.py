"""benchmarks.compare's pure parts: a run's figures from a tally, ratios, the issue's goals
(each with the case that breaks it), the projection's arithmetic and its report."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.compare.cpu import CpuReading, CpuSplit
from benchmarks.compare.figures import Goal, RunFigures, goals, ratio, run_figures
from benchmarks.compare.scaling import best_point, project
from chaos.workload.crowd import REVOKED_ACCEPTED, SHED_SUFFIX
from chaos.workload.tally import Tally


def cpu(workers_s: float = 1.0, redis_s: float | None = 0.1, busy_s: float = 3.0) -> CpuSplit:
    before = CpuReading(0.0, 0.0, 0.0 if redis_s is not None else None, 0.0, 0.0)
    after = CpuReading(workers_s, 0.05, redis_s, busy_s, 20.0)
    return CpuSplit.between(before, after, generator_s=0.5, spy_s=0.2)


def tally(*, ok: int = 90, shed: int = 0, timeouts: int = 0, revoked: int = 0,
          latency_us: float = 1000.0) -> Tally:  # fmt: skip
    t = Tally()
    for _ in range(ok):
        t.record("verify", latency_us, None)
    for _ in range(shed):
        t.record("login", latency_us, f"login: 429{SHED_SUFFIX}")
    for _ in range(timeouts):
        t.record("login", latency_us, "login: timeout")
    for _ in range(revoked):
        t.record("verify_revoked", latency_us, REVOKED_ACCEPTED)
    return t


def figures(design: str, users: int = 5000, *, checks: bool = True, workers: int = 2,
            split: CpuSplit | None = None, **kwargs: Any) -> RunFigures:  # fmt: skip
    return run_figures(
        design, tally(**kwargs), users=users, ramp_per_s=100, duration_s=10.0,
        checks_revocation=checks, started="t", load_before="load 1.00 1.00 1.00 on 2 cores",
        load_after="load 2.00 1.00 1.00 on 2 cores", cpu=split or cpu(), workers=workers,
    )  # fmt: skip


def test_requests_split_into_expected_shed_and_unexpected() -> None:
    r = figures("reference", ok=90, shed=7, timeouts=3)
    assert (r.requests, r.expected, r.shed, r.unexpected) == (100, 90, 7, 3)
    assert r.req_per_s == 10.0
    assert r.expected_per_s == 9.0
    assert r.verify_ok_per_s == 9.0


def test_a_revoked_token_accepted_is_unexpected_unless_the_design_checks_nothing() -> None:
    checked = figures("reference", ok=10, revoked=2)
    assert (checked.unexpected, checked.by_design, checked.revoked_accepted) == (2, 0, 2)
    unchecked = figures("no-revocation", ok=10, revoked=2, checks=False)
    assert (unchecked.unexpected, unchecked.by_design, unchecked.expected) == (0, 2, 12)


def test_cpu_per_request_and_the_rest_of_the_box() -> None:
    r = figures("reference", ok=100, split=cpu(workers_s=0.5, redis_s=0.05, busy_s=3.0))
    worker_us, redis_us = r.cpu_per_request_us()
    assert worker_us == pytest.approx(5000)
    assert redis_us == pytest.approx(500)
    # busy 3.0 - workers 0.5 - other 0.05 - Redis 0.05 - generator 0.5 - py-spy 0.2
    assert r.cpu.rest_s == pytest.approx(1.7)
    assert sum(r.cpu.parts().values()) == pytest.approx(3.0)


def test_worker_components_divide_the_workers_cpu() -> None:
    split = CpuSplit.between(
        CpuReading(0, 0, 0, 0, 0), CpuReading(2.0, 0, 0, 2.0, 4.0), generator_s=0.0,
        worker_shares={"revocation": 0.25, "event loop": 0.75}, spy_samples=400,
    )  # fmt: skip
    parts = split.parts()
    assert parts["workers: revocation"] == pytest.approx(0.5)
    assert parts["workers: event loop"] == pytest.approx(1.5)
    assert "workers" not in parts


def test_figures_survive_json() -> None:
    r = figures("naive", ok=5, shed=1)
    again = RunFigures.from_json(r.to_json())
    assert again == r


def test_ratio_is_unknown_without_a_denominator() -> None:
    assert ratio(1.0, 4.0) == 0.25
    assert ratio(None, 4.0) is None
    assert ratio(1.0, 0.0) is None


def _goal(found: list[Goal], users: int, start: str) -> Goal:
    return next(g for g in found if g.users == users and g.name.startswith(start))


def test_goals_met() -> None:
    runs = [
        figures("naive", ok=100, latency_us=900_000.0),
        figures("reference", ok=100, latency_us=50_000.0),
        figures("no-revocation", ok=110, checks=False),
    ]
    found = goals(runs)
    assert _goal(found, 5000, "reference p99").met is True
    assert _goal(found, 5000, "reference: 0 unexpected").met is True
    assert _goal(found, 5000, "reference verify").met is True  # 100 / 110 = 0.91


def test_goals_not_met_and_their_figures() -> None:
    runs = [
        figures("naive", ok=100, latency_us=100_000.0),
        figures("reference", ok=50, timeouts=1, latency_us=50_000.0),
        figures("no-revocation", ok=100, checks=False),
    ]
    found = goals(runs)
    p99 = _goal(found, 5000, "reference p99")
    assert p99.met is False
    assert "NOT MET" in p99.verdict
    assert _goal(found, 5000, "reference: 0 unexpected").met is False
    verify = _goal(found, 5000, "reference verify")
    assert verify.met is False
    assert "0.50" in verify.figure


def test_goals_without_a_design_are_unknown_not_passed() -> None:
    found = goals([figures("reference", ok=10)])
    assert _goal(found, 5000, "reference p99").met is None
    assert _goal(found, 5000, "reference p99").verdict.startswith("unknown")
    assert _goal(found, 5000, "reference verify").met is None


def test_the_p99_goal_applies_from_5000_users() -> None:
    found = goals([figures("naive", 1000, ok=1), figures("reference", 1000, ok=1)])
    assert not [g for g in found if g.name.startswith("reference p99")]


def test_projection_scales_the_best_points_cpu_per_answered_request() -> None:
    slow = figures("reference", workers=1, ok=50, split=cpu(workers_s=1.0, redis_s=0.1))
    best = figures("reference", workers=2, ok=100, split=cpu(workers_s=1.0, redis_s=0.1))
    assert best_point([slow, best]) is best
    projection = project([slow, best], target_rps=10_000, utilisation=0.5)
    assert projection is not None
    assert projection.worker_us == pytest.approx(10_000)  # 1 s of CPU over 100 answered
    assert projection.worker_cores == pytest.approx(200.0)  # 10k x 10 ms / 0.5
    assert projection.workers_needed == 200
    assert projection.redis_cores == pytest.approx(20.0)
    assert projection.redis_shards == 20
    assert any("single-threaded" in line for line in projection.assumptions())


def test_projection_without_an_answered_request_is_unknown() -> None:
    assert project([figures("reference", ok=0, timeouts=5)], target_rps=100) is None
    with pytest.raises(ValueError, match="target rate"):
        project([], target_rps=0)
    with pytest.raises(ValueError, match="utilisation"):
        project([], target_rps=10, utilisation=1.5)
