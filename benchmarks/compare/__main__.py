"""python -m benchmarks.compare [--preset short|full] [--users 1000,5000,10000] ...

The naive design, the reference service, the reference without its revocation check and the
/health ceiling, one after the other under the same crowd, then the reference at 1..4
workers; the report folder's index.html holds the tables and charts.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.accounts import valid_hash_cost
from benchmarks.compare.designs import DESIGN_KEYS, NAIVE_PROFILE, Design, build_designs
from benchmarks.compare.figures import RunFigures
from benchmarks.compare.report import Comparison, read_comparison, render_markdown, write_report
from benchmarks.compare.runner import LoadPoint, RunSettings, run_design, with_workers
from benchmarks.compare.scaling import DEFAULT_UTILISATION
from benchmarks.load.__main__ import PRESETS as LOAD_PRESETS
from benchmarks.machine import load_average, utc_now
from chaos.profile import ProfileError
from chaos.workload.crowd_table import ms

PRESET_NAMES = ("short", "full")


@dataclass(frozen=True)
class Preset:
    """Loads and scaling of one preset; a user count with a load preset (1,000, 5,000,
    10,000) runs with that preset's ramp and duration unless --ramp/--duration say."""

    users: tuple[int, ...]
    ramp_per_s: float
    duration_s: float
    scaling: LoadPoint


PRESETS = {
    # under 10 minutes on 2 cores: 8 runs of 20 s, then 4 scaling runs of 20 s
    "short": Preset((500, 2_000), 200, 20, LoadPoint(2_000, 200, 20)),
    # the load benchmark's 1k, 5k and 10k presets for every design, scaling at 5,000 users
    "full": Preset((1_000, 5_000, 10_000), 100, 60, LoadPoint(5_000, 250, 60)),
}
BY_USERS = {users: (ramp, duration) for users, ramp, duration in LOAD_PRESETS.values()}


def _int_list(flag: str, text: str, parser: argparse.ArgumentParser) -> tuple[int, ...]:
    try:
        values = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        parser.error(f"{flag}: expected comma-separated whole numbers, got {text!r}")
    if not values or any(v < 1 for v in values):
        parser.error(f"{flag}: expected numbers >= 1, got {text!r}")
    if len(set(values)) != len(values):
        parser.error(f"{flag}: {text!r} names a number twice")
    return values


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.compare",
        description="The designs side by side under the same closed-loop crowd (the source's "
        "mix), on the same box, in one run; tables, charts, where the CPU goes, scaling.",
    )
    parser.add_argument(
        "--preset",
        choices=PRESET_NAMES,
        default="short",
        help="short (default, under 10 minutes) or full (1k, 5k, 10k users)",
    )
    parser.add_argument("--users", help="comma-separated user counts (e.g. 1000,5000,10000)")
    parser.add_argument("--ramp", type=float, help="users started per second, every load")
    parser.add_argument("--duration", type=float, help="seconds per run, ramp included")
    parser.add_argument(
        "--designs",
        default=",".join(DESIGN_KEYS),
        help=f"comma-separated, in run order (default {','.join(DESIGN_KEYS)})",
    )
    parser.add_argument("--workers", type=int, default=2, help="workers of every design (2)")
    parser.add_argument("--accounts", type=int, default=200, help="shared accounts (200)")
    parser.add_argument(
        "--hash-cost",
        type=int,
        default=16,
        help="the reference's scrypt N (default 16: lighter than its default)",
    )
    parser.add_argument("--processes", type=int, default=2, help="generator processes (2)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, s (30)")
    parser.add_argument("--seed", type=int, default=1, help="think times and mix (1)")
    parser.add_argument(
        "--spy-rate",
        type=int,
        default=50,
        help="py-spy samples per second per worker (50; 0: no py-spy)",
    )
    parser.add_argument(
        "--scaling-workers",
        default="1,2,3,4",
        help="worker counts for the reference's scaling runs, or none",
    )
    parser.add_argument("--scaling-users", type=int, help="users of the scaling runs")
    parser.add_argument("--scaling-duration", type=float, help="seconds per scaling run")
    parser.add_argument(
        "--target-rps",
        type=float,
        default=10_000.0,
        help="the rate the projection sizes cores for (10000)",
    )
    parser.add_argument("--report", type=Path, help="report folder (reports/compare-<time>)")
    parser.add_argument(
        "--naive-profile",
        type=Path,
        default=NAIVE_PROFILE,
        help="the naive design's profile (examples/naive/profile.toml)",
    )
    parser.add_argument(
        "--from-figures",
        type=Path,
        metavar="FIGURES_JSON",
        help="re-render a report from its figures.json, running nothing",
    )
    return parser  # fmt: skip


@dataclass(frozen=True)
class Plan:
    """What one invocation runs."""

    loads: tuple[LoadPoint, ...]
    designs: tuple[Design, ...]
    settings: RunSettings
    scaling_workers: tuple[int, ...]
    scaling: LoadPoint
    target_rps: float
    report: Path


def parse(argv: Sequence[str] | None) -> tuple[argparse.Namespace, Plan | None]:
    """The arguments and the plan (None with --from-figures); a bad flag exits 2 with one
    line naming it."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.from_figures is not None:
        if not args.from_figures.is_file():
            parser.error(f"--from-figures: no such file {args.from_figures}")
        return args, None
    preset = PRESETS[args.preset]
    users = _int_list("--users", args.users, parser) if args.users else preset.users
    for flag, value, low, high in (
        ("--ramp", args.ramp, 0.0, None), ("--duration", args.duration, 0.0, 3600.0),
        ("--timeout", args.timeout, 0.0, None), ("--target-rps", args.target_rps, 0.0, None),
        ("--scaling-duration", args.scaling_duration, 0.0, 3600.0),
    ):  # fmt: skip
        if value is not None and (value <= low or (high is not None and value > high)):
            bound = f"in ({low:g}, {high:g}]" if high is not None else f"> {low:g}"
            parser.error(f"{flag} must be {bound}, got {value:g}")
    for flag, value, low, high in (
        ("--workers", args.workers, 1, 16), ("--accounts", args.accounts, 1, 100_000),
        ("--processes", args.processes, 1, 16), ("--spy-rate", args.spy_rate, 0, 1000),
    ):  # fmt: skip
        if not low <= value <= high:
            parser.error(f"{flag} must be between {low} and {high}, got {value}")
    if not valid_hash_cost(args.hash_cost):
        parser.error(f"--hash-cost must be a power of two in [16, 1048576], got {args.hash_cost}")
    keys = [k.strip() for k in args.designs.split(",") if k.strip()]
    if not keys or len(set(keys)) != len(keys):
        parser.error(f"--designs: expected distinct names of {', '.join(DESIGN_KEYS)}")
    try:
        designs = build_designs(keys, hash_cost=args.hash_cost, naive_profile=args.naive_profile)
    except ValueError as exc:  # ProfileError is one too
        flag = "--naive-profile" if isinstance(exc, ProfileError) else "--designs"
        parser.error(f"{flag}: {exc}")
    scaling_workers: tuple[int, ...] = ()
    if args.scaling_workers.strip().lower() != "none":
        scaling_workers = _int_list("--scaling-workers", args.scaling_workers, parser)
        if max(scaling_workers) > 16:
            parser.error("--scaling-workers: at most 16 workers")
    if args.scaling_users is not None and args.scaling_users < 1:
        parser.error(f"--scaling-users must be >= 1, got {args.scaling_users}")

    def point(count: int) -> LoadPoint:
        ramp, duration = BY_USERS.get(count, (preset.ramp_per_s, preset.duration_s))
        return LoadPoint(count, args.ramp or ramp, args.duration or duration)

    scaling = LoadPoint(
        args.scaling_users or preset.scaling.users,
        args.ramp or preset.scaling.ramp_per_s,
        args.scaling_duration or preset.scaling.duration_s,
    )
    settings = RunSettings(
        workers=args.workers, accounts=args.accounts, processes=args.processes,
        timeout_s=args.timeout, seed=args.seed, spy_rate=args.spy_rate,
    )  # fmt: skip
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    report = args.report or Path("reports") / f"compare-{stamp}"
    plan = Plan(tuple(point(u) for u in users), tuple(designs), settings, scaling_workers,
                scaling, args.target_rps, report)  # fmt: skip
    return args, plan


def _summary(r: RunFigures) -> str:
    return (
        f"[{r.design} {r.users:,}] done: {r.requests:,} requests, {r.req_per_s:,.0f} req/s, "
        f"{r.expected_per_s:,.0f} as expected/s, p50 {ms(r.p50_ms)}, p99 {ms(r.p99_ms)}, "
        f"shed {r.shed:,}, unexpected {r.unexpected:,}; {r.load_before} before, "
        f"{r.load_after} after"
    )


def estimate_s(plan: Plan) -> float:
    """A rough bound on the run's length: every run plus about 15 s of start and drain."""
    each = [p.duration_s + 15 for p in plan.loads for _ in plan.designs]
    each += [plan.scaling.duration_s + 15 for _ in plan.scaling_workers]
    return sum(each)


def main(argv: Sequence[str] | None = None) -> int:
    args, plan = parse(argv)
    if plan is None:
        comparison = read_comparison(args.from_figures)
        index = write_report(args.from_figures.parent, comparison)
        print(render_markdown(comparison))
        print(f"report: {index}")
        return 0
    command = "python -m benchmarks.compare " + shlex.join(sys.argv[1:] if argv is None else argv)
    started, load_before, began = utc_now(), load_average(), time.monotonic()
    print(f"{command.strip()}: {len(plan.loads)} load(s) x {len(plan.designs)} design(s), "
          f"{len(plan.scaling_workers)} scaling run(s), about {estimate_s(plan) / 60:.0f} min; "
          f"report in {plan.report}; {load_before}", flush=True)  # fmt: skip
    runs: list[RunFigures] = []
    for point in plan.loads:
        for design in plan.designs:
            folder = plan.report / "runs" / f"{design.key}-{point.users}"
            runs.append(run_design(design, point, plan.settings, folder, _print))
            print(_summary(runs[-1]), flush=True)
    scaling: list[RunFigures] = []
    reference = next(iter(build_designs(["reference"], hash_cost=args.hash_cost)))
    for workers in plan.scaling_workers:
        folder = plan.report / "runs" / f"scaling-{workers}w-{plan.scaling.users}"
        settings = with_workers(plan.settings, workers)
        scaling.append(run_design(reference, plan.scaling, settings, folder, _print))
        print(f"{_summary(scaling[-1])} ({workers} workers)", flush=True)
    comparison = Comparison(
        command=command.strip(), started=started, took_s=time.monotonic() - began,
        load_before=load_before, load_after=load_average(),
        settings={"workers": plan.settings.workers, "accounts": plan.settings.accounts,
                  "processes": plan.settings.processes, "timeout_s": plan.settings.timeout_s,
                  "seed": plan.settings.seed, "spy_rate": plan.settings.spy_rate},
        designs=[{"key": d.key, "title": d.title, "passwords": d.hashing,
                  "flags": " ".join(d.args)} for d in plan.designs],
        runs=runs, scaling=scaling, target_rps=plan.target_rps, utilisation=DEFAULT_UTILISATION,
    )  # fmt: skip
    index = write_report(plan.report, comparison)
    print()
    print(render_markdown(comparison))
    print(f"report: {index}")
    breached = [r for r in runs + scaling if r.design == "reference" and r.revoked_accepted]
    for r in breached:
        print(f"REVOKED TOKEN ACCEPTED by the reference at {r.users:,} users: "
              f"{r.revoked_accepted:,} times", file=sys.stderr)  # fmt: skip
    return 1 if breached else 0


def _print(line: str) -> None:
    print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
