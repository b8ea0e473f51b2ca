"""Logins per second per core at a given scrypt cost: wrk against the service, and in-process.

    python -m benchmarks.login_capacity [--hash-cost 32768] [--duration 10] [--connections 8]

Every login pays one scrypt check, so this is the ceiling of any login-heavy load run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import httpx

from benchmarks.accounts import PASSWORD, scrypt_hash
from benchmarks.machine import load_average, utc_now
from benchmarks.probes import cpu_seconds, discover_workers, worker_pid
from benchmarks.target import (
    add_target_arguments,
    check_target_arguments,
    target_from_arguments,
)
from benchmarks.wrk import WrkRun, login_command, run_argv


def scrypt_per_second(cost: int, seconds: float = 2.0) -> float:
    """Hashes per second on one thread in this process: the per-core ceiling."""
    salt = os.urandom(16)
    done, started = 0, time.perf_counter()
    while done < 1000 and (done < 3 or time.perf_counter() - started < seconds):
        scrypt_hash(PASSWORD, cost, salt)  # the service's own check, plus its encoding
        done += 1
    return done / (time.perf_counter() - started)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.login_capacity")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk (default 10)")
    parser.add_argument("--connections", type=int, default=8, help="wrk -c (default 8)")
    add_target_arguments(parser, accounts=50)
    args = parser.parse_args(argv)
    check_target_arguments(parser, args)
    if args.duration < 1 or args.connections < 1:
        parser.error("--duration and --connections must be >= 1")
    if args.base_url:
        parser.error(
            "--base-url: login capacity needs the pool accounts bench0000...; "
            "run it against a service it starts"
        )
    cores = os.cpu_count() or 1
    started, load_before = utc_now(), load_average()
    local = scrypt_per_second(args.hash_cost)
    run = WrkRun(
        connections=args.connections,
        threads=min(2, args.connections),
        duration_s=args.duration,
        timeout_s=30,
    )
    with target_from_arguments(args) as target, httpx.Client(base_url=target.base_url) as client:
        pids = [p for w in discover_workers(client, args.workers) if (p := worker_pid(w))]
        cpu_before = sum(cpu_seconds(p) or 0.0 for p in pids)
        result = run_argv(login_command(target.base_url, run, args.accounts, PASSWORD), run)
        cpu_after = sum(cpu_seconds(p) or 0.0 for p in pids)
    cpu_ms = (cpu_after - cpu_before) * 1000 / max(result.requests, 1)
    print(f"login capacity, {args.workers} workers; {target.label()}")
    print(f"started {started}; {load_before} before, {load_average()} after")
    print()
    print("| measure | logins/s | per core | CPU per login | p50 | p99 | not 200 |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| scrypt in-process, 1 thread | {local:,.1f} | {local:,.1f} | "
        f"{1000 / local:,.1f} ms (wall) | - | - | - |"
    )
    print(
        f"| POST /auth/login, wrk -c{run.connections} | {result.requests_per_s:,.1f} | "
        f"{result.requests_per_s / cores:,.1f} | {cpu_ms:,.1f} ms | {result.p50_ms:,.0f} ms | "
        f"{result.p99_ms:,.0f} ms | {result.unexpected} |"
    )
    print()
    print(
        f"worker CPU per login {cpu_ms:,.1f} ms: a quiet core serves about "
        f"{1000 / cpu_ms if cpu_ms > 0 else 0:,.0f} logins/s at this cost"
    )
    return 0 if result.unexpected == 0 and result.requests > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
