"""Where a worker's time goes under wrk: py-spy samples every worker while wrk loads a route.

    python -m benchmarks.profile_verify [--route verify|health] [--duration 10]

Needs the ``bench`` extra (py-spy) and ptrace rights over the workers (same user suffices on
most machines). Prints the share of samples per package (by the innermost frame) and the top
frames by self and inclusive time, over all workers; raw stacks go to --workdir.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import httpx

from benchmarks import auth_calls
from benchmarks.machine import load_average, utc_now
from benchmarks.probes import POOL_GAUGE, discover_workers, gauge_by_worker, worker_pid
from benchmarks.target import add_target_arguments, check_target_arguments, target_from_arguments
from benchmarks.wrk import Expectation, WrkResult, WrkRun, run_wrk

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^:()]+)(?::\d+)?\)$")
_PACKAGES = (
    "system_under_test",
    "uvicorn",
    "starlette",
    "fastapi",
    "redis",
    "prometheus_client",
    "jwt",
    "asyncio",
    "concurrent",
    "threading",
)


def package_of(frame: str) -> str:
    """``'check (system_under_test/revocation/store.py:108)'`` -> ``'system_under_test'``."""
    found = _FRAME.match(frame)
    path = found.group("file") if found else frame
    for package in _PACKAGES:
        if path.startswith(package + "/") or f"/{package}/" in path:
            return package
    return "other (" + path.split("/")[0] + ")"


def summarize(raw: str, top: int = 15) -> str:
    """Self and inclusive shares from py-spy's raw (collapsed) output."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        n = int(count)
        total += n
        own[frames[-1]] += n
        packages[package_of(frames[-1])] += n
        for frame in set(frames):
            inclusive[frame] += n
    if total == 0:
        return "no samples"
    lines = [f"{total:,} samples (GIL holder only)", "", "| package (innermost frame) | share |"]
    lines.append("|---|---|")
    lines += [f"| {p} | {n / total:.1%} |" for p, n in packages.most_common()]
    for title, counter in (("self", own), ("inclusive", inclusive)):
        lines += ["", f"| top frames, {title} | share |", "|---|---|"]
        lines += [f"| `{f}` | {n / total:.1%} |" for f, n in counter.most_common(top)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_verify")
    parser.add_argument("--route", choices=("verify", "health"), default="verify")
    parser.add_argument("--duration", type=int, default=10, help="seconds (default 10)")
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples/s (250)")
    add_target_arguments(parser, accounts=1)
    args = parser.parse_args(argv)
    check_target_arguments(parser, args)
    if not 2 <= args.duration <= 300:
        parser.error(f"--duration must be in [2, 300], got {args.duration}")
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        parser.error("py-spy is not installed: pip install -e '.[bench]'")
    out = args.workdir or Path("reports/profile")
    out.mkdir(parents=True, exist_ok=True)
    started = utc_now()
    with target_from_arguments(args) as target, httpx.Client(base_url=target.base_url) as client:
        pids = [p for w in discover_workers(client, args.workers) if (p := worker_pid(w))]
        token = auth_calls.login(client, target.accounts[0])
        expect = (
            Expectation("GET", "/auth/verify", token=token, revocation_check="enforced")
            if args.route == "verify"
            else Expectation("GET", "/health")
        )
        result: list[WrkResult] = []
        load = threading.Thread(
            target=lambda: result.append(
                run_wrk(target.base_url, WrkRun(duration_s=args.duration + 2), expect)
            )
        )
        load.start()
        spies = [
            subprocess.Popen(
                [
                    spy,
                    "record",
                    "--nonblocking",
                    "--gil",
                    "-r",
                    str(args.rate),
                    "-d",
                    str(args.duration),
                    "-p",
                    str(pid),
                    "-f",
                    "raw",
                    "-o",
                    str(out / f"{args.route}-{pid}.raw"),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            for pid in pids
        ]
        failed = [s.communicate(timeout=args.duration + 60)[1] for s in spies if s.wait() != 0]
        load.join()
        pool = gauge_by_worker(client.get("/metrics").text, POOL_GAUGE)
    if failed:
        print(f"py-spy failed: {failed[0].decode(errors='replace').strip()}", file=sys.stderr)
        return 1
    raw = "\n".join((out / f"{args.route}-{pid}.raw").read_text() for pid in pids)
    figures = result[0]
    print(f"profile of {args.route} under wrk -c64 -t2; started {started}; {load_average()}")
    print(
        f"wrk: {figures.requests_per_s:,.0f} req/s, p99 {figures.p99_ms:.1f} ms "
        f"(with py-spy attached); pool in use after: {pool}; raw stacks in {out}/"
    )
    print()
    print(summarize(raw))
    return 0


if __name__ == "__main__":
    sys.exit(main())
