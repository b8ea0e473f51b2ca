"""Seeded runs of one drill, one after the other, and what they add up to.

series = run_series(SCENARIOS["sentinel-link-cut-kill"], workdir, report_root, range(20))
print(series.summary())   # per run: lost, logouts refused, enforced again; median and max
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from chaos.failover.drill import DrillResult, run_drill
from chaos.failover.scenarios import Scenario

__all__ = ["Series", "run_series"]


@dataclass(frozen=True)
class Series:
    scenario: Scenario
    results: list[DrillResult]

    def as_expected(self) -> bool:
        return all(r.as_expected() for r in self.results)

    def summary(self) -> str:
        runs = self.results
        lost = [r.lost for r in runs]
        lines = [
            f"# {self.scenario.name}: {len(runs)} seeded runs",
            "",
            self.scenario.summary,
            "",
            "| seed | acknowledged | lost | logouts refused | logouts steady 200 after the "
            "fault | verifies steady enforced | wall |",
            "|---|---|---|---|---|---|---|",
            *(
                f"| {r.seed} | {r.acknowledged} | {r.lost} | {r.logout_refused} "
                f"| {_ms(r.logout_steady_ms)} | {_ms(r.unavailable_steady_ms)} "
                f"| {r.wall_s:.1f} s |"
                for r in runs
            ),
            "",
            f"- lost acknowledged revocations: {_total(lost)} of "
            f"{sum(r.acknowledged for r in runs)} (per run: {', '.join(map(str, lost))})",
            f"- logouts unavailable (fault to steady 200): "
            f"{_spread([r.logout_steady_ms for r in runs])}",
            f"- verifies unavailable (fault to steady enforced, slowest worker): "
            f"{_spread([r.unavailable_steady_ms for r in runs])}",
            f"- as expected ({'loss caught' if self.scenario.expect_loss else 'zero loss'}, "
            f"no other verdict false): {sum(r.as_expected() for r in runs)} of {len(runs)}",
        ]
        return "\n".join(lines) + "\n"


def run_series(
    scenario: Scenario,
    workdir: Path,
    report_root: Path,
    seeds: Iterable[int],
    on_run: Callable[[DrillResult], None] = lambda result: None,
) -> Series:
    """One fresh stack per seed, serially (the drills are time-sensitive); ``on_run`` sees
    each result as it comes (progress)."""
    results: list[DrillResult] = []
    for seed in seeds:
        where = f"seed-{seed}"
        result = run_drill(scenario, workdir / where, report_root / where, seed)
        on_run(result)
        results.append(result)
    return Series(scenario, results)


def _ms(value: float | None) -> str:
    return "not before the end" if value is None else f"{value:,.0f} ms"


def _total(values: list[int | None]) -> str:
    known = [v for v in values if v is not None]
    unread = len(values) - len(known)
    return f"{sum(known)}" + (f" ({unread} runs could not read the keys)" if unread else "")


def _spread(values: list[float | None]) -> str:
    known = [v for v in values if v is not None]
    if not known:
        return "none measured (never steady before the end)"
    text = f"median {statistics.median(known):,.0f} ms, max {max(known):,.0f} ms"
    missing = len(values) - len(known)
    return text + (f"; not steady before the end in {missing} runs" if missing else "")
