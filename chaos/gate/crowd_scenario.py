"""A gate scenario under a crowd: the usual stack, workload, probes and checkers, plus a
closed-loop crowd of virtual users (``chaos.workload.crowd``, in generator processes) that
ramps up first and runs through a seeded schedule of several faults and their heals.

The crowd's calls reach the history through its journal, bounded: every login, logout and
revoked-token verify, every answer that is not a plain ``200 enforced`` verify, every call
while a fault is in effect (and ``full_after_heal_s`` after its heal), and 1 in
``journal_every`` of the other verifies. Its full tally (every request) is the report's
crowd table.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import multiprocessing
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import cast

import httpx

from chaos.checkers import check_history, degraded_outside_faults, run_checker
from chaos.faults import Controllable, Fault, ScheduledFault, run_schedule
from chaos.gate.catalogue import FAULTS, FaultContext
from chaos.gate.crowd_history import crowd_ops, merged
from chaos.gate.evidence import redis_calls_during_loss
from chaos.gate.matrix import CrowdLoad, ScenarioSpec
from chaos.gate.phases import (
    probe_during,
    read_revoked,
    wind_down,
    wind_up,
)
from chaos.gate.probes import Prober
from chaos.gate.scenario import (
    CHECKER,
    PROBER,
    SEEDER,
    Announced,
    GateSettings,
    Progress,
    ScenarioOutcome,
    ScenarioTarget,
    add_to_plan,
    check_inputs,
    scenario_seed,
    worker_id_of,
    write_inputs,
)
from chaos.gate.worker_target import WorkerProcess
from chaos.history import History
from chaos.report import crowd_markdown, write_scenario
from chaos.workload import Workload, WorkloadConfig
from chaos.workload.crowd_generator import FullUntil
from chaos.workload.crowd_runner import CrowdResult, CrowdShape, run_crowd

__all__ = ["FullJournal", "plan_schedule", "run_crowd_scenario"]

RAMP_START_S = 30.0  # the generator processes must have been spawned by then
SHOW_EVERY = 5  # one crowd progress line in five goes to the gate's progress


class FullJournal:
    """A fault during which (and ``after_heal_s`` after whose heal) the crowd journals every
    call, so the checkers see the whole crowd inside the fault window."""

    def __init__(self, fault: Fault, full_until: FullUntil, after_heal_s: float) -> None:
        self.fault = fault
        self.name = fault.name
        self.effects = fault.effects
        self.full_until = full_until
        self.after_heal_s = after_heal_s

    def inject(self) -> None:
        self.full_until.value = math.inf
        self.fault.inject()

    def heal(self) -> None:
        try:
            self.fault.heal()
        finally:
            self.full_until.value = time.monotonic() + self.after_heal_s


@dataclass(frozen=True)
class SchedulePlan:
    """What the scenario draws from its seed: the faults in order (parameters, start after
    the ramp, duration) and the seed of the crowd and the workload."""

    seed: int
    items: list[ScheduledFault]
    workload_seed: int
    rng: random.Random  # goes on to drive the gate's probes


def plan_schedule(
    spec: ScenarioSpec, settings: GateSettings, ctx: FaultContext,
    wrap: Callable[[Fault], Fault] = lambda fault: fault,
) -> SchedulePlan:  # fmt: skip
    """``spec.fault`` then each of ``spec.then``, never overlapping; the same run seed gives
    the same plan. Offsets count from the end of the crowd's ramp."""
    seed = scenario_seed(settings.seed, spec.name)
    rng = random.Random(seed)
    items: list[ScheduledFault] = []
    clock = 0.0
    for number, key in enumerate((spec.fault, *spec.then)):
        fault = FAULTS[key](rng, ctx)
        gap = rng.uniform(*(settings.warmup_s if number == 0 else spec.gap_s))
        duration = round(rng.uniform(*spec.fault_s), 3)
        items.append(ScheduledFault(wrap(fault), round(clock + gap, 3), duration))
        clock = items[-1].end_s
    return SchedulePlan(seed, items, rng.randrange(2**31), rng)


def crowd_shape(crowd: CrowdLoad, plan: SchedulePlan, deadline_s: float) -> CrowdShape:
    """Ramp, then the schedule, then ``recovery_s``; a call gets the gate's request deadline."""
    duration = crowd.users / crowd.ramp_per_s + plan.items[-1].end_s + crowd.recovery_s
    return CrowdShape(
        crowd.users, crowd.ramp_per_s, round(duration, 3), processes=crowd.processes,
        timeout_s=deadline_s, drain_s=deadline_s + 1.0, seed=plan.workload_seed,
        journal_every=crowd.journal_every,
    )  # fmt: skip


def _every_nth(progress: Progress, prefix: str) -> Callable[[str], None]:
    count = 0

    def show(line: str) -> None:
        nonlocal count
        count += 1
        if count % SHOW_EVERY == 1:
            progress(f"{prefix}: crowd {line}")

    return show


async def run_crowd_scenario(
    spec: ScenarioSpec,
    target: ScenarioTarget,
    settings: GateSettings,
    report_dir: Path,
    progress: Progress = lambda line: None,
) -> ScenarioOutcome:
    """Run ``spec`` (which has a ``crowd``) and write its report folder."""
    with httpx.Client() as lookup:  # made before any fault window (see ProxyTarget)
        return await _run(spec, target, settings, report_dir, progress=progress, lookup=lookup)


async def _run(
    spec: ScenarioSpec, target: ScenarioTarget, settings: GateSettings, report_dir: Path,
    *, progress: Progress, lookup: httpx.Client,
) -> ScenarioOutcome:  # fmt: skip
    crowd = spec.crowd
    if crowd is None:
        raise ValueError(f"{spec.name}: not a crowd scenario")
    urls = list(target.worker_urls)
    workers = {
        slot: WorkerProcess(url, partial(worker_id_of, lookup, url))
        for slot, url in enumerate(urls)
    }
    redis_handle = cast(Controllable, target.redis)
    ctx = FaultContext(
        target.proxy, redis_handle, workers.__getitem__, len(urls), settings.redis_timeout_ms
    )
    history = History()
    full_until = cast(FullUntil, multiprocessing.get_context("spawn").RawValue("d", 0.0))

    def wrap(fault: Fault) -> Fault:
        def say(what: str) -> None:
            progress(f"{spec.name}: {what} {fault.name}")

        return FullJournal(Announced(fault, say), full_until, crowd.full_after_heal_s)

    plan = plan_schedule(spec, settings, ctx, wrap)
    budgets = settings.budgets
    deadline_s = budgets.request_deadline_ms / 1000
    shape = crowd_shape(crowd, plan, deadline_s)
    faults = ", ".join(f"{i.fault.name} at +{i.start_s:.2f}s for {i.duration_s:.2f}s"
                       for i in plan.items)  # fmt: skip
    progress(
        f"{spec.name}: {spec.mode} mode, {len(urls)} workers, {crowd.users:,} users ramped "
        f"at {crowd.ramp_per_s:g}/s for {shape.duration_s:.0f}s; after the ramp: {faults} "
        f"(seed {plan.seed})"
    )
    routes = settings.routes
    async with httpx.AsyncClient(timeout=httpx.Timeout(deadline_s, connect=2.0)) as http:
        seeder = Prober(history, http, routes, SEEDER)
        before, revoked, live = await wind_up(
            seeder, http, urls, routes, users=settings.users, setup_s=settings.setup_s
        )
        loop = asyncio.get_running_loop()
        ramp_start: asyncio.Future[float] = loop.create_future()

        def started(at: float) -> None:  # called from the crowd's thread
            loop.call_soon_threadsafe(ramp_start.set_result, at)

        run = partial(
            run_crowd, urls, settings.users, shape, _every_nth(progress, spec.name),
            full_until=full_until,
            started=started,
        )  # fmt: skip
        crowd_task = asyncio.create_task(asyncio.to_thread(run))
        try:
            start_at = await asyncio.wait_for(asyncio.shield(ramp_start), RAMP_START_S)
            # the plan's offsets count from the end of the ramp: the crowd is all there
            await asyncio.sleep(max(0.0, start_at + shape.ramp_s - time.monotonic()))
            progress(f"{spec.name}: ramp done; fault schedule starts")
            await _faults_under_load(
                plan, history, http, settings, urls=urls, known=[*revoked, live]
            )
            result = await crowd_task
        finally:
            if not crowd_task.done():  # the thread ends at the crowd's own bound
                with contextlib.suppress(Exception):
                    await crowd_task
        progress(
            f"{spec.name}: crowd done, {result.tally.requests:,} requests, "
            f"{len(result.calls):,} journalled; checking every worker"
        )
        checker = Prober(history, http, routes, CHECKER)
        after = await wind_down(
            checker, http, urls, routes, live=live, revoked=revoked, budgets=budgets
        )
    keys = await asyncio.to_thread(read_revoked, target.redis)
    read_at = time.time()
    full = merged(history, crowd_ops(result.calls, urls))
    inputs = check_inputs(
        spec, settings, full, urls, keys=keys, read_at=read_at, before=before, after=after
    )
    verdicts = check_history(full, inputs)
    verdicts.append(
        run_checker(
            "I2-outside", lambda: degraded_outside_faults(full, recovery_s=budgets.enforced_s)
        )
    )
    folder = report_dir / spec.name
    write_scenario(folder, spec.name, full, verdicts, plan.seed)
    _add_crowd_table(folder, result, shape, settings)
    write_inputs(folder, spec, plan.items, plan.seed, before=before, after=after, keys=keys)
    add_to_plan(
        folder, expect_breaker_open=inputs.expect_breaker_open,
        loss_calls=dict(redis_calls_during_loss(full)),
        crowd={"users": crowd.users, "ramp_per_s": crowd.ramp_per_s,
               "duration_s": shape.duration_s, "requests": result.tally.requests,
               "journalled": len(result.calls), "journal_every": crowd.journal_every},
    )  # fmt: skip
    outcome = ScenarioOutcome(
        spec, plan.seed, "+".join(i.fault.name for i in plan.items), tuple(verdicts), folder,
        len(full.calls()),
    )  # fmt: skip
    labels = ", ".join(f"{v.invariant} {v.label}" for v in verdicts)
    progress(
        f"{spec.name}: {'PASS' if outcome.passed else 'FAIL'} ({outcome.calls} calls in the "
        f"history, {result.tally.requests:,} crowd requests; {labels})"
    )
    return outcome


async def _faults_under_load(
    plan: SchedulePlan, history: History, http: httpx.AsyncClient, settings: GateSettings,
    *, urls: list[str], known: list[str | None],
) -> None:  # fmt: skip
    """The schedule, with the gate's clients and probes beside the crowd, and the clients
    until ``recovery_s`` after the last real heal (a slow inject or heal runs late)."""
    config = WorkloadConfig(
        urls, settings.users, clients=settings.clients, max_ops=1_000_000,
        duration_s=plan.items[-1].end_s + settings.recovery_s,
        request_timeout_s=settings.budgets.request_deadline_ms / 1000, routes=settings.routes,
        seed=plan.workload_seed,
    )  # fmt: skip
    stop = asyncio.Event()
    tokens = [t for t in known if t]
    prober = Prober(history, http, settings.routes, PROBER)
    probing = asyncio.create_task(probe_during(prober, urls, tokens, stop, rng=plan.rng))
    schedule = asyncio.create_task(run_schedule(plan.items, history))
    try:
        await Workload(config, history, http).run()
        await schedule
        left = settings.recovery_s - (time.monotonic_ns() - history.faults()[-1].time_ns) / 1e9
        if left > 0.1:
            more = replace(config, duration_s=left, seed=config.seed + 1)
            await Workload(more, history, http).run()
    finally:
        stop.set()
        if not schedule.done():
            schedule.cancel()  # every fault window still heals and records
        with contextlib.suppress(asyncio.CancelledError):
            await schedule
        await probing


def _add_crowd_table(
    folder: Path, result: CrowdResult, shape: CrowdShape, settings: GateSettings
) -> None:
    """The crowd's table (every request) in crowd.md and at the end of summary.md."""
    text = crowd_markdown(
        result.tally, users=shape.users, ramp_per_s=shape.ramp_per_s,
        duration_s=shape.duration_s, journalled=len(result.calls),
        journal_every=shape.journal_every, hash_cost=settings.hash_cost,
    )  # fmt: skip
    (folder / "crowd.md").write_text(text, encoding="utf-8")
    summary = folder / "summary.md"
    summary.write_text(summary.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")
