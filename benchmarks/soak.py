"""A bounded soak: steady load, worker memory and pool use sampled over time, then a verdict.

    python -m benchmarks.soak --minutes 10 [--users 60] [--sample-every 30]

RSS is read every half second; each sample keeps the window's floor (minimum) and peak. The
floor is what a leak raises: a login's scrypt buffer (32 MiB at the default cost) comes and
goes within a window and only moves the peak. Fails (exit 1) when a worker's RSS floor keeps
growing over the second half (least-squares slope beyond --max-rss-slope MiB/min), when a
worker was replaced (its memory history restarts), or when Redis pool connections in use do
not return to 0 after the load.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from dataclasses import dataclass, field

import httpx

from benchmarks.load.report import RunFacts
from benchmarks.load.report import render as render_load
from benchmarks.load.runner import LoadShape, run_load
from benchmarks.machine import load_average, utc_now
from benchmarks.probes import POOL_GAUGE, discover_workers, gauge_by_worker, rss_mib, worker_pid
from benchmarks.target import (
    Target,
    add_target_arguments,
    check_target_arguments,
    target_from_arguments,
)
from benchmarks.trend import second_half_slope
from chaos.workload.tally import Tally

LOCAL_GAUGE = "auth_revocations_local"


@dataclass
class Sample:
    """One reading: seconds since the start, then per worker id."""

    t_s: float
    rss_mib: dict[str, float | None]  # the window's floor; None once the worker is gone
    rss_peak_mib: dict[str, float | None]
    pool_in_use: dict[str, float]
    revocations_local: dict[str, float]
    load: str


@dataclass
class SoakVerdict:
    """Pass or fail, with the figures that decided it."""

    slopes_mib_per_min: dict[str, float]
    replaced: list[str]
    pool_after: dict[str, float]
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


class RssWindow:
    """Floor and peak RSS per worker since the last sample (polled every ``POLL_S``)."""

    POLL_S = 0.5

    def __init__(self, workers: list[str]) -> None:
        self._pids = {w: worker_pid(w) for w in workers}
        self.reset()

    def reset(self) -> None:
        self.floor: dict[str, float | None] = {w: None for w in self._pids}
        self.peak: dict[str, float | None] = {w: None for w in self._pids}
        self.gone: set[str] = set()

    def poll(self) -> None:
        for worker, pid in self._pids.items():
            rss = rss_mib(pid) if pid is not None else None
            if rss is None:
                self.gone.add(worker)
                continue
            low, high = self.floor[worker], self.peak[worker]
            self.floor[worker] = rss if low is None else min(low, rss)
            self.peak[worker] = rss if high is None else max(high, rss)


def take_sample(client: httpx.Client, window: RssWindow, started: float) -> Sample:
    window.poll()
    exposition = client.get("/metrics").text
    floor = {w: (None if w in window.gone else v) for w, v in window.floor.items()}
    peak = dict(window.peak)
    window.reset()
    return Sample(
        t_s=time.monotonic() - started,
        rss_mib=floor,
        rss_peak_mib=peak,
        pool_in_use=gauge_by_worker(exposition, POOL_GAUGE),
        revocations_local=gauge_by_worker(exposition, LOCAL_GAUGE),
        load=load_average().split(" on ")[0].removeprefix("load "),
    )


def wait_pool_idle(client: httpx.Client, timeout_s: float = 15.0) -> dict[str, float]:
    """Pool connections in use per worker once all are 0, or the last reading at the deadline."""
    deadline = time.monotonic() + timeout_s
    while True:
        in_use = gauge_by_worker(client.get("/metrics").text, POOL_GAUGE)
        if all(v == 0 for v in in_use.values()) or time.monotonic() > deadline:
            return in_use
        time.sleep(0.2)


def judge(
    samples: list[Sample], workers: list[str], pool_after: dict[str, float], max_slope: float
) -> SoakVerdict:
    """Pure: the verdict from the samples (see the module docstring)."""
    slopes: dict[str, float] = {}
    replaced: list[str] = []
    for worker in workers:
        points = [(s.t_s / 60, s.rss_mib[worker]) for s in samples]
        alive = [(t, r) for t, r in points if r is not None]
        if len(alive) < len(points):
            replaced.append(worker)
        slopes[worker] = second_half_slope([t for t, _ in alive], [r for _, r in alive])
    verdict = SoakVerdict(slopes, replaced, pool_after)
    for worker, value in slopes.items():
        if value > max_slope:
            verdict.failures.append(
                f"{worker}: RSS floor grows {value:.2f} MiB/min over the second half "
                f"(> {max_slope})"
            )
    verdict.failures += [f"{w}: worker gone during the soak (replaced?)" for w in replaced]
    busy = {w: v for w, v in pool_after.items() if v != 0}
    if busy:
        verdict.failures.append(f"pool connections still in use after the load: {busy}")
    if len(samples) < 4:
        verdict.failures.append(f"only {len(samples)} samples: too few for a trend")
    return verdict


def _floor_peak(floor: float | None, peak: float | None) -> str:
    if floor is None:
        return "gone"
    return f"{floor:.1f} / {peak:.1f} MiB" if peak is not None else f"{floor:.1f} MiB"


def render(samples: list[Sample], workers: list[str], verdict: SoakVerdict) -> str:
    short = {w: w.split("-")[0] for w in workers}
    head = ["t"] + [f"{short[w]} RSS floor / peak" for w in workers]
    head += [f"{short[w]} pool" for w in workers]
    head += [f"{short[w]} revoked local" for w in workers] + ["load 1/5/15"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in samples:
        row = [f"{s.t_s:.0f} s"]
        row += [_floor_peak(s.rss_mib[w], s.rss_peak_mib.get(w)) for w in workers]
        row += [f"{s.pool_in_use.get(w, float('nan')):.0f}" for w in workers]
        row += [f"{s.revocations_local.get(w, float('nan')):.0f}" for w in workers]
        lines.append("| " + " | ".join([*row, s.load]) + " |")
    lines.append("")
    for worker, value in verdict.slopes_mib_per_min.items():
        lines.append(f"{worker}: RSS floor slope over the second half {value:+.3f} MiB/min")
    lines.append(f"pool in use after the load: {verdict.pool_after}")
    lines.append(
        "verdict: " + ("PASS" if verdict.passed else "FAIL: " + "; ".join(verdict.failures))
    )
    return "\n".join(lines)


def soak(
    target: Target, shape: LoadShape, workers: int, every_s: float, max_slope: float
) -> tuple[list[Sample], list[str], SoakVerdict, Tally, str]:
    with httpx.Client(base_url=target.base_url, timeout=10.0) as client:
        ids = discover_workers(client, workers)
        results: list[tuple[Tally, RunFacts]] = []
        errors: list[BaseException] = []

        def drive() -> None:
            try:
                results.append(run_load(target, shape, lambda _line: None))
            except BaseException as exc:  # re-raised in the main thread below
                errors.append(exc)

        loader = threading.Thread(target=drive, name="soak-load", daemon=True)
        started = time.monotonic()
        loader.start()
        window = RssWindow(ids)
        samples = [take_sample(client, window, started)]
        print(f"workers {ids}; sampling every {every_s:g} s", flush=True)
        while loader.is_alive():
            next_sample = time.monotonic() + every_s
            while loader.is_alive() and time.monotonic() < next_sample:
                window.poll()
                loader.join(timeout=RssWindow.POLL_S)
            samples.append(take_sample(client, window, started))
            s = samples[-1]
            rss = " ".join(f"{v:.1f}" if v is not None else "gone" for v in s.rss_mib.values())
            print(f"t={s.t_s:5.0f}s RSS MiB {rss} pool {s.pool_in_use} load {s.load}", flush=True)
        if errors or not results:
            raise RuntimeError(f"the soak's load failed: {errors[0] if errors else 'no result'}")
        tally, facts = results[0]
        pool_after = wait_pool_idle(client)
    verdict = judge(samples, ids, pool_after, max_slope)
    return samples, ids, verdict, tally, render_load(tally, facts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.soak")
    parser.add_argument("--minutes", type=float, default=1.0, help="soak length (default 1)")
    parser.add_argument("--users", type=int, default=60, help="virtual users (default 60)")
    parser.add_argument("--ramp", type=float, default=20.0, help="users per second (20)")
    parser.add_argument("--sample-every", type=float, default=10.0, help="seconds (10)")
    parser.add_argument(
        "--max-rss-slope", type=float, default=1.0, help="MiB/min allowed (default 1.0)"
    )
    add_target_arguments(parser)
    args = parser.parse_args(argv)
    check_target_arguments(parser, args)
    if not 0 < args.minutes <= 120:
        parser.error(f"--minutes must be in (0, 120], got {args.minutes}")
    if args.users < 1 or args.ramp <= 0:
        parser.error("--users must be >= 1 and --ramp > 0")
    if not 0.5 <= args.sample_every <= args.minutes * 60 / 4:
        parser.error("--sample-every must be >= 0.5 s and leave at least 4 samples")
    shape = LoadShape(args.users, args.ramp, args.minutes * 60, processes=1)
    started, load_before = utc_now(), load_average()
    with target_from_arguments(args) as target:
        samples, ids, verdict, _tally, load_table = soak(
            target, shape, args.workers, args.sample_every, args.max_rss_slope
        )
    print()
    print(
        f"soak {args.minutes:g} min, {args.users} users, {target.label()}; "
        f"started {started}; {load_before} before, {load_average()} after"
    )
    print()
    print(render(samples, ids, verdict))
    print()
    print(load_table)
    return 0 if verdict.passed else 1


if __name__ == "__main__":
    sys.exit(main())
