"""python -m benchmarks.load --preset 1k|5k|10k  |  --users N --ramp R --duration S
[--sut-profile FILE]: any profiled service (started from its profile, or --base-url)"""

from __future__ import annotations

import argparse
import sys

from benchmarks.idle_probe import DEFAULT_EVERY_S, IdleProbe
from benchmarks.load.report import render
from benchmarks.load.runner import LoadShape, run_load
from benchmarks.service_counters import describe_change, read_counters
from benchmarks.target import add_target_arguments, check_target_arguments, target_from_arguments
from chaos.profile import ServiceProfile
from chaos.workload.crowd import REVOKED_ACCEPTED

# the replica's runs in facts.md: users, ramp per second, duration in seconds (ramp included)
PRESETS: dict[str, tuple[int, float, float]] = {
    "1k": (1_000, 50, 60),
    "5k": (5_000, 100, 90),
    "10k": (10_000, 100, 150),
}


def parse(argv: list[str] | None) -> tuple[argparse.Namespace, LoadShape]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load")
    parser.add_argument("--preset", choices=sorted(PRESETS), help="the replica's runs")
    parser.add_argument("--users", type=int, help="virtual users")
    parser.add_argument("--ramp", type=float, help="users started per second")
    parser.add_argument("--duration", type=float, help="seconds, ramp included")
    parser.add_argument("--processes", type=int, default=2, help="generator processes (2)")
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, s (30)")
    parser.add_argument("--seed", type=int, default=1, help="think times and mix (1)")
    parser.add_argument(
        "--probe-every",
        type=float,
        default=DEFAULT_EVERY_S,
        help="seconds between an idle client's GETs of the health path, beside the crowd: "
        f"the service's own lateness ({DEFAULT_EVERY_S:g}; 0: no probe)",
    )
    add_target_arguments(parser, profiles=True)
    args = parser.parse_args(argv)
    check_target_arguments(parser, args)
    users, ramp, duration = PRESETS[args.preset] if args.preset else (None, None, None)
    users = args.users if args.users is not None else users
    ramp = args.ramp if args.ramp is not None else ramp
    duration = args.duration if args.duration is not None else duration
    if users is None or ramp is None or duration is None:
        parser.error("give --preset, or all of --users, --ramp and --duration")
    if users < 1:
        parser.error(f"--users must be >= 1, got {users}")
    if ramp <= 0:
        parser.error(f"--ramp must be > 0, got {ramp}")
    if not 0 < duration <= 3600:
        parser.error(f"--duration must be in (0, 3600] seconds, got {duration}")
    if not 1 <= args.processes <= 16:
        parser.error(f"--processes must be between 1 and 16, got {args.processes}")
    if args.timeout <= 0:
        parser.error(f"--timeout must be > 0, got {args.timeout}")
    if not 0 <= args.probe_every <= 60:
        parser.error(f"--probe-every must be between 0 and 60 seconds, got {args.probe_every}")
    shape = LoadShape(users, ramp, duration, args.processes, args.timeout, seed=args.seed)
    return args, shape


def _metrics_path(profile: ServiceProfile | None) -> str | None:
    """Where the reference's counters are read: its own /metrics, or the profile's."""
    return "/metrics" if profile is None else profile.metrics_path


def main(argv: list[str] | None = None) -> int:
    args, shape = parse(argv)
    with target_from_arguments(args) as target:
        metrics = _metrics_path(target.profile)
        before = read_counters(target.base_url, metrics) if metrics else None
        probe = None
        if args.probe_every > 0:
            health = "/health" if target.profile is None else target.profile.ready
            probe = IdleProbe(target.crowd_urls[0], health, args.probe_every)
            probe.start()
        try:
            tally, facts = run_load(target, shape, lambda line: print(line, flush=True))
        finally:
            reading = probe.stop() if probe is not None else None
        after = read_counters(target.base_url, metrics) if metrics else None
    print()
    print(render(tally, facts))
    if reading is not None:
        print(reading.line())
    print(
        describe_change(before, after)
        if metrics
        else "service counters: its profile names no /metrics"
    )
    # the run fails only on a correctness breach; slowness and errors are figures
    return 1 if tally.errors[REVOKED_ACCEPTED] else 0


if __name__ == "__main__":
    sys.exit(main())
