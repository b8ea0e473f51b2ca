"""Re-run the checkers on a saved history and print the verdicts.

    python -m chaos.recheck reports/run/proxy_down/history.jsonl --failure-mode open
    python -m chaos.recheck H.jsonl --budgets verify=500:2000,login=2000 --report out/

Exit status: 0 when no invariant is false (unknown is printed, not failed), 1 when one is,
2 on bad input (one line naming the flag or file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from chaos.checkers import DEFAULT_BUDGETS, CheckInputs, LatencyBudget, check_history, gate_passes
from chaos.history import History
from chaos.report import write_index, write_scenario
from chaos.workload.metrics import MetricsSnapshot


class InputError(Exception):
    """Bad command-line input; the message is the one line printed."""


def parse_budgets(spec: str) -> dict[str, LatencyBudget]:
    """``verify=500:2000,login=2000`` (p99[:max] in ms) or a JSON file of the same shape."""
    path = Path(spec)
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return {
                str(route): LatencyBudget(float(b["p99_ms"]), _opt(b.get("max_ms")))
                for route, b in data.items()
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InputError(f"--budgets {spec}: {exc}") from exc
    budgets = dict(DEFAULT_BUDGETS)
    for part in filter(None, spec.split(",")):
        route, _, limits = part.partition("=")
        p99, _, worst = limits.partition(":")
        try:
            budgets[route.strip()] = LatencyBudget(float(p99), float(worst) if worst else None)
        except ValueError:
            raise InputError(
                f"--budgets: {part!r} is not ROUTE=P99_MS[:MAX_MS] (e.g. verify=500:2000)"
            ) from None
    return budgets


def _opt(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def parse_revoked(text: str) -> set[str]:
    """One jti per line; a ``revoked:`` prefix (as ``redis-cli --scan`` prints) is dropped."""
    return {line.strip().removeprefix("revoked:") for line in text.splitlines() if line.strip()}


def _read(path: Path | None, flag: str) -> str | None:
    if path is None:
        return None
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{flag} {path}: {exc.strerror or exc}") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chaos.recheck",
        description="Re-run the invariant checkers on a saved history (JSONL).",
    )
    parser.add_argument("history", type=Path, help="history.jsonl written by a scenario")
    parser.add_argument(
        "--failure-mode",
        choices=["open", "closed"],
        default="open",
        help="the service's Redis failure policy: checks I2 (open) or I3 (closed)",
    )
    parser.add_argument(
        "--budgets", default="", help="latency budgets ROUTE=P99_MS[:MAX_MS],... or a .json file"
    )
    parser.add_argument(
        "--deadline-ms",
        type=float,
        default=5000.0,
        help="the request deadline the clients used (I5)",
    )
    parser.add_argument(
        "--degraded-bound", type=float, default=60.0, help="seconds a worker may fail open (I2)"
    )
    parser.add_argument(
        "--enforced-budget",
        type=float,
        default=10.0,
        help="seconds from heal to steady enforced answers (I6)",
    )
    parser.add_argument(
        "--revoked-keys",
        type=Path,
        help="file of jtis (or revoked:<jti> keys) read from Redis at the end (I4)",
    )
    parser.add_argument(
        "--metrics-before", type=Path, help="/metrics text before the run (I2, I10)"
    )
    parser.add_argument("--metrics-after", type=Path, help="/metrics text after the run (I2, I10)")
    parser.add_argument(
        "--expect-breaker-open",
        action="store_true",
        help="the faults should have opened every worker's breaker (I10)",
    )
    parser.add_argument("--report", type=Path, help="write the scenario report and index here")
    parser.add_argument("--scenario", help="scenario name in the report (default: the folder)")
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if not args.history.is_file():
            raise InputError(f"history: no such file: {args.history}")
        try:
            history = History.load(args.history)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"history: {exc}") from exc
        if args.deadline_ms <= 0 or args.degraded_bound <= 0 or args.enforced_budget <= 0:
            raise InputError("--deadline-ms, --degraded-bound and --enforced-budget must be > 0")
        budgets = parse_budgets(args.budgets) if args.budgets else dict(DEFAULT_BUDGETS)
        revoked_text = _read(args.revoked_keys, "--revoked-keys")
        before = _read(args.metrics_before, "--metrics-before")
        after = _read(args.metrics_after, "--metrics-after")
        try:
            snapshots = [
                None if t is None else MetricsSnapshot.from_text(t) for t in (before, after)
            ]
        except ValueError as exc:
            raise InputError(f"--metrics-before/--metrics-after: {exc}") from exc
    except InputError as exc:
        print(f"recheck: {exc}", file=sys.stderr)
        return 2
    revoked = None if revoked_text is None else parse_revoked(revoked_text)
    inputs = CheckInputs(
        failure_mode=args.failure_mode,
        degraded_bound_s=args.degraded_bound,
        budgets=budgets,
        request_deadline_ms=args.deadline_ms,
        enforced_budget_s=args.enforced_budget,
        revoked_jtis=revoked,
        metrics_before=snapshots[0],
        metrics_after=snapshots[1],
        expect_breaker_open=args.expect_breaker_open,
    )
    verdicts = check_history(history, inputs)
    for verdict in verdicts:
        print(f"{verdict.invariant:4} {verdict.label:7} {verdict.message}")
    passed = gate_passes(verdicts)
    print(f"gate: {'PASS' if passed else 'FAIL'}")
    if args.report is not None:
        name = args.scenario or args.history.resolve().parent.name
        write_scenario(args.report / name, name, history, verdicts)
        write_index(args.report)
        print(f"report: {args.report / 'index.html'}")
    return 0 if passed else 1


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
