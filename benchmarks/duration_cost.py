"""What timing a request costs the worker: ``WorkerMetrics.request`` counted only (the
baseline, as /health is) against counted and timed (every other route), in the same run.

    .venv/bin/python -m benchmarks.duration_cost [--requests 1000000] [--rounds 5]

Prints ns per request for both, the difference and the ratio (best of ``--rounds``).
"""

from __future__ import annotations

import argparse
import timeit
from time import perf_counter

from system_under_test.metrics import WorkerMetrics


def measure(requests: int, rounds: int) -> tuple[float, float]:
    """(ns per request counted only, ns per request counted and timed)."""
    metrics = WorkerMetrics("wbench-1")

    def counted() -> None:
        metrics.request("/auth/verify", 200)

    def timed() -> None:
        started = perf_counter()
        metrics.request("/auth/verify", 200, perf_counter() - started)

    best = [
        min(timeit.repeat(call, number=requests, repeat=rounds)) / requests * 1e9
        for call in (counted, timed)
    ]
    return best[0], best[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.duration_cost")
    parser.add_argument("--requests", type=int, default=1_000_000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds; the best is kept")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.rounds < 1:
        parser.error("--requests and --rounds must be >= 1")
    counted, timed = measure(args.requests, args.rounds)
    print(f"counted only {counted:.0f} ns/request, counted and timed {timed:.0f} ns/request: "
          f"+{timed - counted:.0f} ns ({timed / counted:.2f}x the baseline)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
