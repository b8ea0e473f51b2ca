"""Run a load: the crowd of ``chaos.workload`` against a benchmark ``Target``, with the
machine's figures around it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from benchmarks.load.report import RunFacts
from benchmarks.machine import busy_share, cpu_ticks, load_average, utc_now
from benchmarks.target import Target
from chaos.workload.crowd_runner import SPAWN_S, CrowdShape, GeneratorCrashed, run_crowd
from chaos.workload.tally import Tally

__all__ = ["GeneratorCrashed", "LoadShape", "run_load"]

LoadShape = CrowdShape  # users, ramp, duration (ramp included), processes, timeout, seed


def run_load(
    target: Target, shape: LoadShape, show: Callable[[str], None] = print
) -> tuple[Tally, RunFacts]:
    """Run ``shape`` against ``target`` (requests shaped by its profile, when it has one);
    ``show`` gets a progress line about every second."""
    load_before, ticks_before, started = load_average(), cpu_ticks(), utc_now()
    accounts = [(account.username, account.password) for account in target.accounts]
    if target.profile is not None:
        shape = replace(shape, profile=target.profile)
    result = run_crowd(target.crowd_urls, accounts, shape, show)
    facts = RunFacts(
        users=shape.users,
        ramp_per_s=shape.ramp_per_s,
        duration_s=shape.duration_s,
        processes=shape.processes,
        wall_s=shape.duration_s + SPAWN_S,
        hash_cost=target.label(),
        started=started,
        load_before=load_before,
        load_after=load_average(),
        cpu_busy=busy_share(ticks_before, cpu_ticks()),
    )
    return result.tally, facts
