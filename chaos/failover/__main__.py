"""python -m chaos.failover --scenario sentinel-primary-kill [--report DIR] [--seed N] [--runs N]

Drills one failover against a fresh local stack and prints its report (summary.md); with
``--runs N``, N seeded runs one after the other, then the series (lost, unavailable time:
median and max), also written to DIR/<scenario>-series.md.
Exit 0 when every run's I8 says what the scenario expects (zero loss, or loss caught for the
negative control) and no other verdict is false; 1 otherwise; 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from chaos.failover.drill import DrillResult, run_drill
from chaos.failover.scenarios import SCENARIOS, Scenario
from chaos.failover.series import run_series
from chaos.services import ServiceError

MAX_RUNS = 1000  # a series is serial and each run takes 10-35 s


def _listed(name: str) -> str:
    return name.ljust(max(map(len, SCENARIOS)))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chaos.failover",
        description="Drill one Redis failover against a fresh local stack; print its report.",
        epilog="scenarios:\n"
        + "\n".join(f"  {_listed(s.name)} {s.summary}" for s in SCENARIOS.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--scenario", help="the scenario to drill (see --list)")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--report", type=Path, help="report folder (default: a temp folder)")
    parser.add_argument("--seed", default="0", help="workload seed (default 0)")
    parser.add_argument(
        "--runs",
        default="1",
        help=f"drill this many times, serially, seeds SEED, SEED+1, ... (1-{MAX_RUNS}, default "
        "1); prints each run as it ends, then the series (median and max)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        for scenario in SCENARIOS.values():
            print(f"{_listed(scenario.name)} {scenario.summary}")
        return 0
    checked = _checked(args)
    if isinstance(checked, str):
        print(f"chaos.failover: {checked}", file=sys.stderr)
        return 2
    scenario, seed, runs = checked
    with tempfile.TemporaryDirectory(prefix="failover-") as tmp:
        report_root = args.report or Path(tmp) / "report"
        try:
            if runs == 1:
                ok = _one(scenario, Path(tmp) / "work", report_root, seed)
            else:
                ok = _series(scenario, Path(tmp) / "work", report_root, range(seed, seed + runs))
        except ServiceError as exc:
            print(f"chaos.failover: the stack did not come up: {exc}", file=sys.stderr)
            return 1
        if args.report is None:
            print("(report in a temp folder, removed now; give --report DIR to keep it)")
        else:
            print(f"report: {report_root}")
    return 0 if ok else 1


def _checked(args: argparse.Namespace) -> tuple[Scenario, int, int] | str:
    """(scenario, first seed, runs), or the one-line message naming the bad input."""
    if args.scenario not in SCENARIOS:
        shown = "(none given)" if args.scenario is None else repr(args.scenario)
        return f"--scenario: unknown scenario {shown}; choose one of {', '.join(SCENARIOS)}"
    for flag, raw in (("--seed", args.seed), ("--runs", args.runs)):
        try:
            int(raw)
        except ValueError:
            return f"{flag}: not an integer: {raw!r}"
    if not 1 <= int(args.runs) <= MAX_RUNS:
        return f"--runs: {args.runs} is not between 1 and {MAX_RUNS}"
    return SCENARIOS[args.scenario], int(args.seed), int(args.runs)


def _one(scenario: Scenario, workdir: Path, report_root: Path, seed: int) -> bool:
    result = run_drill(scenario, workdir, report_root, seed)
    print((result.report_dir / "summary.md").read_text(encoding="utf-8"))
    print(result.line())
    return result.as_expected()


def _series(scenario: Scenario, workdir: Path, report_root: Path, seeds: range) -> bool:
    def progress(result: DrillResult) -> None:
        mark = "ok" if result.as_expected() else "NOT AS EXPECTED"
        print(f"[seed {result.seed}, {mark}] {result.line()}", flush=True)

    print(f"{scenario.name}: {len(seeds)} runs, seeds {seeds.start}-{seeds.stop - 1}", flush=True)
    series = run_series(scenario, workdir, report_root, seeds, progress)
    text = series.summary()
    report_root.mkdir(parents=True, exist_ok=True)
    (report_root / f"{scenario.name}-series.md").write_text(text, encoding="utf-8")
    print("\n" + text)
    return series.as_expected()


if __name__ == "__main__":
    sys.exit(main())
