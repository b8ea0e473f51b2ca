"""The load of a scenario around its fault schedule: the recorded clients, the gate's probes
of known tokens, and the crowd when there is one; the schedule played by its one player.

    crowd = await drive(plan, scenario.load, LoadSetup(...), history, http)

The schedule starts when the load is all there (at once, or at the end of the crowd's ramp);
the clients go on until ``recovery_s`` after the last heal returned, in more rounds while a
slow inject or heal still runs. The crowd's calls reach the history through its journal
(``chaos.gate.crowd_history``): every call while a fault is in effect and
``full_after_heal_s`` after its heal, every login and logout cycle, 1 in ``journal_every``
of the other verifies.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import cast

import httpx

from chaos.faults import ScheduledFault, ScheduleHooks, play_schedule
from chaos.gate.phases import probe_during
from chaos.gate.plan import ScenarioPlan
from chaos.gate.probes import Prober
from chaos.gate.scenario import Clients, CrowdLoad
from chaos.history import PROBER, History
from chaos.profile import AuthApi, ServiceProfile
from chaos.workload import ConnectionOwners, Workload, WorkloadConfig
from chaos.workload.crowd_generator import FullUntil
from chaos.workload.crowd_runner import CrowdResult, CrowdShape, run_crowd

__all__ = ["LoadSetup", "crowd_shape", "drive"]

ROUND_S, MAX_ROUNDS = 0.5, 120  # extra load while a slow inject or heal is still running
RAMP_START_S = 30.0  # the crowd's generator processes must have been spawned by then
SHOW_EVERY = 5  # one crowd progress line in five goes to the gate's progress

Progress = Callable[[str], None]


@dataclass(frozen=True)
class LoadSetup:
    """What every load needs: the workers, the accounts, the routes, the request deadline,
    the tokens known before the faults (probed during them: a live one and revoked ones),
    and where progress goes."""

    urls: Sequence[str]
    users: Sequence[tuple[str, str]]
    api: AuthApi
    deadline_s: float
    live: str | None
    revoked: Sequence[str]
    progress: Progress
    name: str
    owners: ConnectionOwners | None = None
    acknowledged: list[str] = field(default_factory=list)  # tokens whose logout got a 2xx


def crowd_shape(
    crowd: CrowdLoad, plan: ScenarioPlan, deadline_s: float, profile: ServiceProfile
) -> CrowdShape:
    """Ramp, then the schedule, then ``recovery_s``; a call gets the gate's request deadline
    and is shaped by the service's profile."""
    duration = crowd.users / crowd.ramp_per_s + plan.items[-1].end_s + crowd.recovery_s
    return CrowdShape(
        crowd.users, crowd.ramp_per_s, round(duration, 3), processes=crowd.processes,
        timeout_s=deadline_s, drain_s=deadline_s + 1.0, seed=plan.load_seed,
        journal_every=crowd.journal_every, profile=profile,
    )  # fmt: skip


def _hooks(
    setup: LoadSetup, history: History, full_until: FullUntil | None, after_heal_s: float
) -> ScheduleHooks:
    """Progress at each inject and heal; with a crowd, its full journal while a fault lasts."""

    def injecting(item: ScheduledFault) -> None:
        if full_until is not None:
            full_until.value = math.inf
        setup.progress(f"{setup.name}: inject {item.fault.name} after {len(history)} ops")

    def healed(item: ScheduledFault) -> None:
        if full_until is not None:
            full_until.value = time.monotonic() + after_heal_s
        setup.progress(f"{setup.name}: healed {item.fault.name} after {len(history)} ops")

    return ScheduleHooks(on_inject=injecting, on_heal=healed)


async def _clients(
    plan: ScenarioPlan, load: Clients, setup: LoadSetup, history: History, *,
    http: httpx.AsyncClient, schedule: asyncio.Task[float],
) -> None:  # fmt: skip
    """The recorded clients through the planned schedule and ``recovery_s`` after it; more
    rounds of ``ROUND_S`` while the schedule still runs, and until ``recovery_s`` after the
    real heal."""
    config = WorkloadConfig(
        setup.urls, setup.users, setup.api, clients=load.clients, max_ops=1_000_000,
        duration_s=plan.items[-1].end_s + load.recovery_s, request_timeout_s=setup.deadline_s,
        mix=load.mix, seed=plan.load_seed, owners=setup.owners,
        acknowledged=setup.acknowledged,
    )  # fmt: skip

    async def round_of(duration_s: float, number: int) -> None:
        more = replace(config, duration_s=duration_s, seed=config.seed + number)
        await Workload(more, history, http).run()  # one client for every round

    await round_of(config.duration_s, 0)
    for extra in range(1, MAX_ROUNDS + 1):
        if schedule.done():
            break
        await round_of(ROUND_S, extra)
    healed_at = await schedule
    left = load.recovery_s - (time.monotonic() - healed_at)
    if left > ROUND_S / 5:
        await round_of(left, MAX_ROUNDS + 1)


def _every_nth(progress: Progress, prefix: str) -> Callable[[str], None]:
    count = 0

    def show(line: str) -> None:
        nonlocal count
        count += 1
        if count % SHOW_EVERY == 1:
            progress(f"{prefix}: crowd {line}")

    return show


async def _crowd_ramped(
    crowd: CrowdLoad, plan: ScenarioPlan, setup: LoadSetup, full_until: FullUntil
) -> asyncio.Task[CrowdResult]:
    """Start the crowd in a thread; return once its ramp is over (the schedule's origin)."""
    shape = crowd_shape(crowd, plan, setup.deadline_s, setup.api.profile)
    loop = asyncio.get_running_loop()
    ramp_start: asyncio.Future[float] = loop.create_future()

    def started(at: float) -> None:  # called from the crowd's thread
        loop.call_soon_threadsafe(ramp_start.set_result, at)

    run = partial(
        run_crowd, setup.urls, setup.users, shape, _every_nth(setup.progress, setup.name),
        full_until=full_until, started=started,
    )  # fmt: skip
    task = asyncio.create_task(asyncio.to_thread(run))
    start_at = await asyncio.wait_for(asyncio.shield(ramp_start), RAMP_START_S)
    # the plan's offsets count from the end of the ramp: the crowd is all there
    await asyncio.sleep(max(0.0, start_at + shape.ramp_s - time.monotonic()))
    setup.progress(f"{setup.name}: ramp done; fault schedule starts")
    return task


async def drive(
    plan: ScenarioPlan, load: Clients, setup: LoadSetup, history: History,
    http: httpx.AsyncClient, *, rng: random.Random,
) -> CrowdResult | None:  # fmt: skip
    """Run ``load`` around ``plan``'s schedule; the crowd's result when there is a crowd.
    Every fault is healed and recorded, also when the load fails or is cancelled."""
    crowd_task: asyncio.Task[CrowdResult] | None = None
    full_until: FullUntil | None = None
    if load.crowd is not None:
        raw = multiprocessing.get_context("spawn").RawValue("d", 0.0)
        full_until = cast(FullUntil, raw)
        crowd_task = await _crowd_ramped(load.crowd, plan, setup, full_until)
    after_heal_s = load.crowd.full_after_heal_s if load.crowd else 0.0
    hooks = _hooks(setup, history, full_until, after_heal_s)
    stop = asyncio.Event()
    prober = Prober(history, http, setup.api, PROBER, setup.owners)
    probing = asyncio.create_task(
        probe_during(
            prober, setup.urls, setup.live, setup.revoked, stop, rng=rng,
            pause_s=load.probe_pause_s,
        )
    )  # fmt: skip
    schedule = asyncio.create_task(play_schedule(plan.items, history, hooks=hooks))
    try:
        await _clients(plan, load, setup, history, http=http, schedule=schedule)
        return await crowd_task if crowd_task is not None else None
    finally:
        stop.set()
        if not schedule.done():
            schedule.cancel()  # every fault window still heals and records
        with contextlib.suppress(asyncio.CancelledError):
            await schedule
        await probing
        if crowd_task is not None and not crowd_task.done():
            with contextlib.suppress(Exception):  # the thread ends at the crowd's own bound
                await crowd_task
