"""The overload goals judged by benchmarks.compare: each met, each broken, each unknown."""

from __future__ import annotations

from benchmarks.compare.cpu import CpuReading, CpuSplit
from benchmarks.compare.figures import RunFigures, run_figures
from benchmarks.compare.overload_goals import overload_goals
from chaos.workload.crowd import SHED_SUFFIX
from chaos.workload.tally import Tally


def run(
    design: str, users: int, *, verifies: int, logins: int = 10, login_shed: int = 0,
    shed_us: float = 5_000.0,
) -> RunFigures:  # fmt: skip
    t = Tally()
    for _ in range(verifies):
        t.record("verify", 1_000.0, None)
    for _ in range(logins):
        t.record("login", 1_000.0, None)
    for _ in range(login_shed):
        t.record("login", shed_us, f"login: 429{SHED_SUFFIX}")
    zero = CpuReading(0.0, 0.0, 0.0, 0.0, 0.0)
    split = CpuSplit.between(zero, zero, generator_s=0.0)
    return run_figures(
        design, t, users=users, ramp_per_s=100, duration_s=10.0, checks_revocation=True,
        started="t", load_before="-", load_after="-", cpu=split,
    )  # fmt: skip


def test_every_goal_met() -> None:
    runs = [
        run("naive", 10_000, verifies=100, logins=20),
        run("reference", 10_000, verifies=250, logins=30, login_shed=3, shed_us=20_000),
        run("naive", 5_000, verifies=100),
        run("reference", 5_000, verifies=160, logins=95, login_shed=5, shed_us=20_000),
    ]
    found = overload_goals(runs)
    assert [g.met for g in found] == [True] * len(found), [(g.name, g.figure) for g in found]
    assert len(found) == 6


def test_each_goal_broken() -> None:
    runs = [
        run("naive", 10_000, verifies=100, logins=40),
        run("reference", 10_000, verifies=150, logins=30, login_shed=3, shed_us=80_000),
        run("naive", 5_000, verifies=100),
        run("reference", 5_000, verifies=60, logins=80, login_shed=20, shed_us=80_000),
    ]
    assert all(g.met is False for g in overload_goals(runs)), [
        (g.users, g.name, g.figure, g.met) for g in overload_goals(runs)
    ]


def test_missing_figures_are_unknown_not_met() -> None:
    runs = [run("reference", 10_000, verifies=100), run("reference", 5_000, verifies=100)]
    found = overload_goals(runs)
    unknown = [g for g in found if "login ok" not in g.name]  # the rest need the naive design
    assert len(unknown) == 5
    assert all(g.met is None for g in unknown)
    assert all("nothing was shed" in g.verdict for g in unknown if "shed" in g.name)
