"""Run a crowd: spawn the generator processes, merge their reports, show progress.

    result = run_crowd(["http://127.0.0.1:8000"], [("alice", "pw")], CrowdShape(1000, 50, 60))
    result.tally.requests, result.calls   # calls: the journal (CrowdShape.journal_every > 0)

Blocking: from asyncio code, run it in a thread (``asyncio.to_thread``).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from chaos.profile import ServiceProfile, reference_profile
from chaos.workload.crowd import CrowdCall, CrowdMix
from chaos.workload.crowd_generator import CrowdPlan, FullUntil, generator_main
from chaos.workload.crowd_table import progress_line
from chaos.workload.tally import Tally

__all__ = ["CrowdResult", "CrowdShape", "GeneratorCrashed", "run_crowd"]

SPAWN_S = 2.0  # spawned interpreters need a moment to import before the ramp starts


class GeneratorCrashed(RuntimeError):
    """A generator process died or reported an exception."""


@dataclass(frozen=True)
class CrowdShape:
    """Users, ramp and duration (ramp included, as Locust's run time)."""

    users: int
    ramp_per_s: float
    duration_s: float
    processes: int = 2
    timeout_s: float = 30.0
    drain_s: float = 15.0
    seed: int = 1
    mix: CrowdMix = field(default_factory=CrowdMix)
    journal_every: int = 0  # see CrowdPlan.journal_every
    profile: ServiceProfile = field(default_factory=reference_profile)  # how users call it
    # every request of the mix to this route instead (chaos.workload.ceiling): the ceiling
    ceiling_path: str | None = None

    @property
    def ramp_s(self) -> float:
        return self.users / self.ramp_per_s


@dataclass(frozen=True)
class CrowdResult:
    """The merged tally, the journal's calls, and when the ramp started and the run stopped
    (monotonic seconds)."""

    tally: Tally
    calls: list[CrowdCall]
    start_at: float
    stop_at: float


def run_crowd(
    base_urls: Sequence[str],
    accounts: Sequence[tuple[str, str]],
    shape: CrowdShape,
    show: Callable[[str], None] = print,
    *,
    full_until: FullUntil | None = None,
    started: Callable[[float], None] = lambda start_at: None,
) -> CrowdResult:
    """Run ``shape`` against ``base_urls``; ``show`` gets a progress line about every second,
    ``started`` the monotonic time the ramp starts at (before it does)."""
    context = multiprocessing.get_context("spawn")
    start_at = time.monotonic() + SPAWN_S
    stop_at = start_at + shape.duration_s
    started(start_at)
    pipes, processes = [], []
    for index in range(shape.processes):
        plan = CrowdPlan(
            index=index,
            processes=shape.processes,
            users=shape.users,
            ramp_per_s=shape.ramp_per_s,
            start_at=start_at,
            stop_at=stop_at,
            drain_s=shape.drain_s,
            base_urls=tuple(base_urls),
            accounts=tuple((name, password) for name, password in accounts),
            mix=shape.mix,
            timeout_s=shape.timeout_s,
            seed=shape.seed + index,
            parent_pid=os.getpid(),
            journal_every=shape.journal_every,
            profile=shape.profile,
            ceiling_path=shape.ceiling_path,
        )
        ours, theirs = context.Pipe(duplex=False)
        process = context.Process(
            target=generator_main, args=(plan, theirs, full_until), daemon=True
        )
        process.start()
        theirs.close()
        pipes.append(ours)
        processes.append(process)
    latest: list[Tally] = [Tally() for _ in processes]
    final: list[Tally | None] = [None] * len(processes)
    calls: list[CrowdCall] = []
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
                if kind == "final":
                    snapshot, journal = payload
                    final[index] = latest[index] = Tally.from_snapshot(snapshot)
                    calls.extend(journal)
                else:
                    latest[index] = Tally.from_snapshot(payload)
            now = time.monotonic()
            if now - previous_time >= 1.0:
                merged = _merge(latest)
                rate = (merged.requests - previous_requests) / (now - previous_time)
                show(progress_line(now - start_at, merged, shape.users, rate))
                previous_requests, previous_time = merged.requests, now
            time.sleep(0.05)  # the pipes' poll interval, not a readiness wait
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
                process.join()
    return CrowdResult(_merge([f for f in final if f is not None]), calls, start_at, stop_at)


def _merge(tallies: list[Tally]) -> Tally:
    merged = Tally()
    for tally in tallies:
        merged.merge(tally)
    return merged
