"""Run a load: spawn the generator processes, merge their reports, show progress."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from benchmarks.load.generator import GeneratorPlan, generator_main
from benchmarks.load.report import RunFacts, progress_line
from benchmarks.load.tally import Tally
from benchmarks.load.user import Mix
from benchmarks.machine import busy_share, cpu_ticks, load_average, utc_now
from benchmarks.target import Target


class GeneratorCrashed(RuntimeError):
    """A generator process died or reported an exception."""


@dataclass(frozen=True)
class LoadShape:
    """Users, ramp and duration (ramp included, as Locust's run time)."""

    users: int
    ramp_per_s: float
    duration_s: float
    processes: int = 2
    timeout_s: float = 30.0
    drain_s: float = 15.0
    seed: int = 1
    mix: Mix = field(default_factory=Mix)


def run_load(
    target: Target, shape: LoadShape, show: Callable[[str], None] = print
) -> tuple[Tally, RunFacts]:
    """Run ``shape`` against ``target``; ``show`` gets a progress line about every second."""
    context = multiprocessing.get_context("spawn")
    load_before, ticks_before, started = load_average(), cpu_ticks(), utc_now()
    start_at = time.monotonic() + 2.0  # spawned interpreters need a moment to import
    stop_at = start_at + shape.duration_s
    pipes, processes = [], []
    for index in range(shape.processes):
        plan = GeneratorPlan(
            index=index,
            processes=shape.processes,
            users=shape.users,
            ramp_per_s=shape.ramp_per_s,
            start_at=start_at,
            stop_at=stop_at,
            drain_s=shape.drain_s,
            base_url=target.base_url,
            accounts=target.accounts,
            mix=shape.mix,
            timeout_s=shape.timeout_s,
            seed=shape.seed + index,
            parent_pid=os.getpid(),
        )
        ours, theirs = context.Pipe(duplex=False)
        process = context.Process(target=generator_main, args=(plan, theirs), daemon=True)
        process.start()
        theirs.close()
        pipes.append(ours)
        processes.append(process)
    latest: list[Tally] = [Tally() for _ in processes]
    final: list[Tally | None] = [None] * len(processes)
    previous_requests, previous_time = 0, time.monotonic()
    hard_deadline = stop_at + shape.drain_s + 30.0
    try:
        while any(f is None for f in final):
            if time.monotonic() > hard_deadline:
                raise GeneratorCrashed("generators did not finish within the run's bound")
            for index, pipe in enumerate(pipes):
                if final[index] is not None:
                    continue
                if not pipe.poll(0):
                    if not processes[index].is_alive() and not pipe.poll(0):
                        raise GeneratorCrashed(
                            f"generator {index} exited {processes[index].exitcode} silently"
                        )
                    continue
                kind, payload = pipe.recv()
                if kind == "crashed":
                    raise GeneratorCrashed(f"generator {index}: {payload}")
                tally = Tally.from_snapshot(payload)
                latest[index] = tally
                if kind == "final":
                    final[index] = tally
            now = time.monotonic()
            if now - previous_time >= 1.0:
                merged = _merge(latest)
                rate = (merged.requests - previous_requests) / (now - previous_time)
                show(progress_line(now - start_at, merged, shape.users, rate))
                previous_requests, previous_time = merged.requests, now
            time.sleep(0.05)
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
    merged = _merge([f for f in final if f is not None])
    facts = RunFacts(
        users=shape.users,
        ramp_per_s=shape.ramp_per_s,
        duration_s=shape.duration_s,
        processes=shape.processes,
        wall_s=shape.duration_s + 2.0,
        hash_cost=target.label(),
        started=started,
        load_before=load_before,
        load_after=load_average(),
        cpu_busy=busy_share(ticks_before, cpu_ticks()),
    )
    return merged, facts


def _merge(tallies: list[Tally]) -> Tally:
    merged = Tally()
    for tally in tallies:
        merged.merge(tally)
    return merged
