"""Start Redis + the service, run Locust headless against it, print its figures.

    python -m benchmarks.locust_run --users 1000 --ramp 50 --duration 60

Needs the ``bench`` extra (``pip install -e '.[bench]'``).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.machine import busy_share, cpu_ticks, load_average, utc_now
from benchmarks.target import (
    add_target_arguments,
    check_target_arguments,
    target_from_arguments,
)

LOCUSTFILE = Path(__file__).with_name("locustfile.py")


def locust_argv(host: str, users: int, ramp: float, duration: int, csv_prefix: Path) -> list[str]:
    """The exact Locust command line (printed too, for docs/performance.md)."""
    return [
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "-u",
        str(users),
        "-r",
        f"{ramp:g}",
        "-t",
        f"{duration}s",
        "--stop-timeout",
        "10",
        "--host",
        host,
        "--csv",
        str(csv_prefix),
    ]


def stats_table(stats_csv: Path) -> str:
    """Locust's per-name stats as the project's Markdown table."""
    lines = [
        "| name | requests | failures | req/s | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with stats_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lines.append(
                f"| {row['Name']} | {int(row['Request Count']):,} | "
                f"{int(row['Failure Count']):,} | {float(row['Requests/s']):,.0f} | "
                f"{row['50%']} ms | {row['95%']} ms | {row['99%']} ms | "
                f"{float(row['Max Response Time']):,.0f} ms |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.locust_run")
    parser.add_argument("--users", type=int, default=1000, help="Locust -u (default 1000)")
    parser.add_argument("--ramp", type=float, default=50, help="Locust -r (default 50)")
    parser.add_argument("--duration", type=int, default=60, help="Locust -t seconds (60)")
    add_target_arguments(parser)
    args = parser.parse_args(argv)
    check_target_arguments(parser, args)
    if args.users < 1 or args.ramp <= 0 or not 1 <= args.duration <= 3600:
        parser.error("--users >= 1, --ramp > 0 and --duration in [1, 3600] are required")
    if args.base_url:
        parser.error("--base-url: run locust -f benchmarks/locustfile.py --host URL yourself")
    if shutil.which("locust") is None and not Path(sys.executable).with_name("locust").exists():
        parser.error("locust is not installed: pip install -e '.[bench]'")
    locust = shutil.which("locust") or str(Path(sys.executable).with_name("locust"))
    started, load_before, ticks = utc_now(), load_average(), cpu_ticks()
    with tempfile.TemporaryDirectory(prefix="auth-chaos-locust-") as tmp:
        prefix = Path(tmp) / "run"
        with target_from_arguments(args) as target:
            argv_locust = locust_argv(target.base_url, args.users, args.ramp, args.duration, prefix)
            argv_locust[0] = locust
            print("$ " + " ".join(argv_locust), flush=True)
            env = {**os.environ, "AUTH_BENCH_ACCOUNTS": str(args.accounts)}
            env["PYTHONPATH"] = os.pathsep.join([str(Path.cwd()), env.get("PYTHONPATH", "")])
            done = subprocess.run(argv_locust, env=env, timeout=args.duration + 120, check=False)
        busy = busy_share(ticks, cpu_ticks())
        print()
        print(
            f"locust {args.users:,} users, ramp {args.ramp:g}/s, {args.duration} s; "
            f"{target.label()}"
        )
        print(
            f"started {started}; {load_before} before, {load_average()} after; "
            f"all cores {busy:.0%} busy"
        )
        print()
        print(stats_table(Path(f"{prefix}_stats.csv")))
    # locust exits 1 when any request failed: the table above says which
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
