"""python -m chaos.failover --scenario sentinel-primary-kill [--report DIR] [--seed N]

Drills one failover against a fresh local stack and prints its report (summary.md).
Exit 0 when I8 says what the scenario expects (zero loss, or loss caught for the negative
control) and no other verdict is false; 1 otherwise; 2 on bad input.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from chaos.failover.drill import run_drill
from chaos.failover.scenarios import SCENARIOS
from chaos.services import ServiceError


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
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.list:
        for scenario in SCENARIOS.values():
            print(f"{_listed(scenario.name)} {scenario.summary}")
        return 0
    if args.scenario not in SCENARIOS:
        shown = "(none given)" if args.scenario is None else repr(args.scenario)
        print(
            f"chaos.failover: --scenario: unknown scenario {shown}; "
            f"choose one of {', '.join(SCENARIOS)}",
            file=sys.stderr,
        )
        return 2
    try:
        seed = int(args.seed)
    except ValueError:
        print(f"chaos.failover: --seed: not an integer: {args.seed!r}", file=sys.stderr)
        return 2
    scenario = SCENARIOS[args.scenario]
    with tempfile.TemporaryDirectory(prefix="failover-") as tmp:
        report_root = args.report or Path(tmp) / "report"
        try:
            result = run_drill(scenario, Path(tmp) / "work", report_root, seed)
        except ServiceError as exc:
            print(f"chaos.failover: the stack did not come up: {exc}", file=sys.stderr)
            return 1
        print((result.report_dir / "summary.md").read_text(encoding="utf-8"))
        print(result.line())
        if args.report is None:
            print("(report in a temp folder, removed now; give --report DIR to keep it)")
        else:
            print(f"report: {result.report_dir}")
    expected = not scenario.expect_loss
    others_ok = all(not v.failed for v in result.verdicts if v.invariant != "I8")
    return 0 if result.durability.valid is expected and (others_ok or scenario.expect_loss) else 1


if __name__ == "__main__":
    sys.exit(main())
