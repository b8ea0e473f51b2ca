"""A scenario, free of pytest: stack + workload + seeded fault schedule + checkers + report.

outcome = run_scenario(by_name("proxy_down_open"), ScenarioTarget.of_stack(stack),
                       GateSettings(seed=42), report_dir=Path("reports/run"))
assert outcome.passed, outcome.failure_message()
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, cast

import httpx

from chaos.checkers import CheckInputs, Verdict, check_history, gate_passes
from chaos.faults import Controllable, Fault, Schedule, async_fault_window
from chaos.faults.schedule import ScheduledFault
from chaos.gate.budgets import GateBudgets
from chaos.gate.catalogue import FaultContext
from chaos.gate.evidence import breaker_must_open, redis_calls_during_loss
from chaos.gate.matrix import ScenarioSpec
from chaos.gate.phases import (
    probe_during,
    read_revoked,
    wind_down,
    wind_up,
)
from chaos.gate.probes import Prober
from chaos.gate.proxy_target import ProxyTarget
from chaos.gate.worker_crash import without_victim_outage, worker_crash_contained
from chaos.gate.worker_target import WorkerProcess
from chaos.history import History
from chaos.report import write_scenario
from chaos.services import DEFAULT_USERS, RedisServer, Stack
from chaos.workload import MetricsSnapshot, Routes, Workload, WorkloadConfig

__all__ = [
    "GateSettings",
    "ScenarioOutcome",
    "ScenarioPlan",
    "ScenarioTarget",
    "plan_scenario",
    "run_scenario",
    "scenario_seed",
]

Progress = Callable[[str], None]
SEEDER, PROBER, CHECKER = 900, 901, 902  # history processes of the gate's own calls
VICTIM_SCOPED = ("I5", "I6", "I9")  # judged without the calls aimed at a downed worker
ROUND_S, MAX_ROUNDS = 0.5, 120  # extra load while a slow inject or heal is still running


def scenario_seed(seed: int, name: str) -> int:
    """The scenario's own seed: the run's seed and its name (stable across runs and xdist)."""
    return (seed * 1_000_003 + zlib.crc32(name.encode())) % 2**31


@dataclass(frozen=True)
class GateSettings:
    """The run's settings every scenario shares."""

    seed: int
    budgets: GateBudgets = field(default_factory=GateBudgets)
    routes: Routes = field(default_factory=Routes)
    users: Sequence[tuple[str, str]] = DEFAULT_USERS
    clients: int = 4
    # load before the fault, drawn from the seed; >= 1 s so that the revocations seeded
    # before it count as known to every worker (pub/sub) when Redis goes (I2)
    warmup_s: tuple[float, float] = (1.0, 1.2)
    recovery_s: float = 1.5  # load after the heal
    redis_timeout_ms: float = 100.0  # the service's per-attempt Redis timeout
    setup_s: float = 30.0  # deadline for every worker to enforce before a scenario
    hash_cost: int | None = None  # scrypt N of the stack's accounts, when the gate set it
    breaker_reset_s: float = 1.0  # the service's breaker open interval (I10 probe bound)


@dataclass(frozen=True)
class ScenarioTarget:
    """Where a scenario aims: worker URLs, the proxy in front of Redis, Redis itself."""

    worker_urls: Sequence[str]
    proxy: ProxyTarget
    redis: RedisServer
    per_worker: bool  # each URL is one worker process (worker faults need this)

    @classmethod
    def of_stack(cls, stack: Stack, per_worker: bool = True) -> ScenarioTarget:
        proxy = ProxyTarget(stack.toxiproxy_url, stack.proxy_name)
        return cls(list(stack.auth.worker_urls), proxy, stack.redis, per_worker)


@dataclass(frozen=True)
class ScenarioOutcome:
    """What a scenario ended with; ``path`` is its report folder."""

    spec: ScenarioSpec
    seed: int
    fault: str
    verdicts: tuple[Verdict, ...]
    path: Path
    calls: int

    @property
    def passed(self) -> bool:
        return gate_passes(self.verdicts)

    def verdict(self, invariant: str) -> Verdict:
        return next(v for v in self.verdicts if v.invariant == invariant)

    def failure_message(self) -> str:
        lines = [f"scenario {self.spec.name} (seed {self.seed}, fault {self.fault}) broke:"]
        lines += [f"  {v.message}" for v in self.verdicts if v.failed]
        lines.append(f"report: {self.path}")
        return "\n".join(lines)


def worker_id_of(http: httpx.Client, url: str) -> str:
    """``X-Worker-Id`` of the process answering ``url`` now."""
    answer = http.get(url + "/health", timeout=2.0)
    worker = str(answer.headers.get("x-worker-id", ""))
    if not worker:
        raise ValueError(f"{url}/health gave no X-Worker-Id: worker faults cannot aim")
    return worker


class Announced:
    """A fault that tells the progress line when it is injected and healed."""

    def __init__(self, fault: Fault, say: Callable[[str], None]) -> None:
        self.fault = fault
        self.name = fault.name
        self.effects = fault.effects
        self.say = say

    def inject(self) -> None:
        self.say("inject")
        self.fault.inject()

    def heal(self) -> None:
        self.fault.heal()
        self.say("healed")


@dataclass(frozen=True)
class ScenarioPlan:
    """Everything a scenario draws from its seed, before it runs: the fault (with its
    parameters), when it starts and how long it lasts, the workload's seed."""

    seed: int
    fault: Fault
    schedule: ScheduledFault
    workload_seed: int
    rng: random.Random  # goes on to drive the gate's probes


def plan_scenario(
    spec: ScenarioSpec, run_seed: int, ctx: FaultContext, settings: GateSettings,
    wrap: Callable[[Fault], Fault] = lambda fault: fault,
) -> ScenarioPlan:  # fmt: skip
    """The same run seed gives the same plan (``--chaos-seed`` replays a run)."""
    seed = scenario_seed(run_seed, spec.name)
    rng = random.Random(seed)
    fault = spec.build(rng, ctx)
    low, high = spec.fault_s
    schedule = Schedule(
        [wrap(fault)], seed=rng.randrange(2**31), count=1, min_duration_s=low,
        max_duration_s=high, min_gap_s=settings.warmup_s[0], max_gap_s=settings.warmup_s[1],
    )  # fmt: skip
    return ScenarioPlan(seed, fault, schedule.plan()[0], rng.randrange(2**31), rng)


async def run_scenario(
    spec: ScenarioSpec,
    target: ScenarioTarget,
    settings: GateSettings,
    report_dir: Path,
    progress: Progress = lambda line: None,
) -> ScenarioOutcome:
    """Run one scenario and write its report folder ``report_dir / spec.name``."""
    if spec.worker_fault and not target.per_worker:
        raise ValueError(f"{spec.name}: a worker fault needs one URL per worker")
    if spec.crowd is not None:
        # imported here: the crowd scenario builds on this module's pieces
        from chaos.gate.crowd_scenario import run_crowd_scenario  # noqa: PLC0415

        return await run_crowd_scenario(spec, target, settings, report_dir, progress=progress)
    with httpx.Client() as lookup:  # made before any fault window (see ProxyTarget)
        return await _run(spec, target, settings, report_dir, progress=progress, lookup=lookup)


async def _run(
    spec: ScenarioSpec, target: ScenarioTarget, settings: GateSettings, report_dir: Path,
    *, progress: Progress, lookup: httpx.Client,
) -> ScenarioOutcome:  # fmt: skip
    urls = list(target.worker_urls)
    workers = {
        slot: WorkerProcess(url, partial(worker_id_of, lookup, url))
        for slot, url in enumerate(urls)
    }
    redis_handle = cast(Controllable, target.redis)  # restart() returns the handle; unused
    ctx = FaultContext(
        target.proxy, redis_handle, workers.__getitem__, len(urls), settings.redis_timeout_ms
    )
    history = History()

    def announced(fault: Fault) -> Fault:
        def say(what: str) -> None:
            progress(f"{spec.name}: {what} {fault.name} after {len(history)} ops")

        return Announced(fault, say)

    plan = plan_scenario(spec, settings.seed, ctx, settings, wrap=announced)
    seed, built, item, rng = plan.seed, plan.fault, plan.schedule, plan.rng
    progress(
        f"{spec.name}: {spec.mode} mode, {len(urls)} workers, fault {built.name} at "
        f"+{item.start_s:.2f}s for {item.duration_s:.2f}s (seed {seed})"
    )
    budgets = settings.budgets
    deadline_s = budgets.request_deadline_ms / 1000
    routes = settings.routes
    async with httpx.AsyncClient(timeout=httpx.Timeout(deadline_s, connect=2.0)) as http:
        seeder = Prober(history, http, routes, SEEDER)
        before, revoked, live = await wind_up(
            seeder, http, urls, routes, users=settings.users, setup_s=settings.setup_s
        )
        config = WorkloadConfig(
            urls, settings.users, clients=settings.clients, max_ops=1_000_000,
            duration_s=item.end_s + settings.recovery_s, request_timeout_s=deadline_s,
            routes=routes, seed=plan.workload_seed,
        )  # fmt: skip

        def rounds(duration_s: float, number: int) -> Workload:
            more = replace(config, duration_s=duration_s, seed=config.seed + number)
            return Workload(more, history, http)  # one client for every round

        stop = asyncio.Event()
        known = [*revoked, *([live] if live else [])]
        prober = asyncio.create_task(
            probe_during(Prober(history, http, routes, PROBER), urls, known, stop, rng=rng)
        )
        try:
            await _load_around(item, history, rounds, settings.recovery_s)
        finally:
            stop.set()
            await prober
        progress(f"{spec.name}: load done after {len(history)} ops; checking every worker")
        checker = Prober(history, http, routes, CHECKER)
        after = await wind_down(
            checker, http, urls, routes, live=live, revoked=revoked, budgets=budgets
        )
    keys = await asyncio.to_thread(read_revoked, target.redis)
    read_at = time.time()
    inputs = check_inputs(
        spec, settings, history, urls, keys=keys, read_at=read_at, before=before, after=after
    )
    verdicts = check_history(history, inputs)
    if spec.worker_fault:
        verdicts = _worker_verdicts(history, inputs, verdicts, built)
    folder = report_dir / spec.name
    write_scenario(folder, spec.name, history, verdicts, seed)
    write_inputs(folder, spec, [item], seed, before=before, after=after, keys=keys)
    loss_calls = dict(redis_calls_during_loss(history))
    add_to_plan(folder, expect_breaker_open=inputs.expect_breaker_open, loss_calls=loss_calls)
    outcome = ScenarioOutcome(spec, seed, built.name, tuple(verdicts), folder, len(history.calls()))
    labels = ", ".join(f"{v.invariant} {v.label}" for v in verdicts)
    progress(
        f"{spec.name}: {'PASS' if outcome.passed else 'FAIL'} ({outcome.calls} calls; {labels})"
    )
    return outcome


def check_inputs(
    spec: ScenarioSpec, settings: GateSettings, history: History, urls: Sequence[str],
    *, keys: set[str] | None, read_at: float, before: str | None, after: str | None,
) -> CheckInputs:  # fmt: skip
    """What the checkers need besides the history: the budgets, Redis's revoked keys read at
    ``read_at``, the metrics scraped before and after the load."""
    budgets = settings.budgets
    return CheckInputs(
        failure_mode=spec.mode,
        degraded_bound_s=spec.degraded_bound_s or budgets.degraded_bound_s,
        budgets=budgets.latency,
        request_deadline_ms=budgets.request_deadline_ms,
        enforced_budget_s=budgets.enforced_s,
        revoked_jtis=keys,
        read_at_epoch_s=read_at,
        metrics_before=MetricsSnapshot.from_text(before) if before else None,
        metrics_after=MetricsSnapshot.from_text(after) if after else None,
        expect_breaker_open=spec.loss and breaker_must_open(history, urls),
        breaker_reset_s=settings.breaker_reset_s,
    )


async def play(item: ScheduledFault, history: History) -> float:
    """Inject at ``start_s``, keep the fault ``duration_s`` after ``inject()`` returned (a
    slow fault proxy API on a busy box must not eat the window), heal; the heal's time."""
    await asyncio.sleep(item.start_s)  # the offset is the plan itself, not a readiness wait
    async with async_fault_window(item.fault, history):
        await asyncio.sleep(item.duration_s)
    return time.monotonic()


async def _load_around(
    item: ScheduledFault, history: History, load: Callable[[float, int], Workload],
    recovery_s: float,
) -> None:  # fmt: skip
    """The workload through the planned fault and ``recovery_s`` after it; more rounds of
    ``ROUND_S`` while a slow inject or heal still runs, and until ``recovery_s`` after the
    real heal. ``load(duration, round)`` makes one round's workload."""
    fault = asyncio.create_task(play(item, history))
    try:
        await load(item.end_s + recovery_s, 0).run()
        for extra in range(1, MAX_ROUNDS + 1):
            if fault.done():
                break
            await load(ROUND_S, extra).run()
        healed_at = await fault
    finally:
        if not fault.done():
            fault.cancel()  # the fault window still heals and records (async_fault_window)
            with contextlib.suppress(asyncio.CancelledError):
                await fault
    left = recovery_s - (time.monotonic() - healed_at)
    if left > ROUND_S / 5:
        await load(left, MAX_ROUNDS + 1).run()


def _worker_verdicts(
    history: History, inputs: CheckInputs, verdicts: list[Verdict], fault: Fault
) -> list[Verdict]:
    """I5, I6, I9 judged without the calls aimed at the downed worker, plus I7."""
    victim = getattr(fault, "target", None)
    if not isinstance(victim, WorkerProcess) or victim.victim_id is None:
        return verdicts
    scoped, set_aside = without_victim_outage(history, victim.url)
    again = {v.invariant: v for v in check_history(scoped, inputs)}
    note = f" ({set_aside} calls aimed at {victim.victim_id} during its outage set aside)"
    out = [
        replace(
            again[v.invariant],
            message=again[v.invariant].message + note,
            figures={**again[v.invariant].figures, "victim_calls_set_aside": set_aside},
        )
        if v.invariant in VICTIM_SCOPED
        else v
        for v in verdicts
    ]
    out.append(
        worker_crash_contained(
            history,
            victim_target=victim.url,
            victim_id=victim.victim_id,
            expect_replacement="kill" in fault.name,
        )
    )
    return out


def write_inputs(
    folder: Path, spec: ScenarioSpec, items: Sequence[ScheduledFault], seed: int,
    *, before: str | None, after: str | None, keys: set[str] | None,
) -> None:  # fmt: skip
    """What ``python -m chaos.recheck`` needs besides the history, and the plan (the first
    fault's name, start and duration; every fault under ``schedule`` when there are more)."""
    item = items[0]
    plan: dict[str, Any] = {
        "scenario": spec.name, "seed": seed, "fault": item.fault.name,
        "effects": sorted(item.fault.effects), "start_s": item.start_s,
        "duration_s": item.duration_s, "failure_mode": spec.mode,
        "workers": spec.stack.workers, "stack": spec.stack.key, "checks": list(spec.checks),
    }  # fmt: skip
    if len(items) > 1:
        plan["schedule"] = [
            {"fault": i.fault.name, "effects": sorted(i.fault.effects), "start_s": i.start_s,
             "duration_s": i.duration_s}
            for i in items
        ]  # fmt: skip
    (folder / "scenario.json").write_text(json.dumps(plan, indent=2) + "\n", encoding="utf-8")
    if before is not None:
        (folder / "metrics_before.txt").write_text(before, encoding="utf-8")
    if after is not None:
        (folder / "metrics_after.txt").write_text(after, encoding="utf-8")
    if keys is not None:
        text = "".join(f"revoked:{k}\n" for k in sorted(keys))
        (folder / "revoked_keys.txt").write_text(text, encoding="utf-8")


def add_to_plan(folder: Path, **facts: Any) -> None:
    """Facts learnt while running (what I10 was told to expect, and why) in scenario.json."""
    path = folder / "scenario.json"
    plan = json.loads(path.read_text(encoding="utf-8"))
    plan.update(facts)
    path.write_text(json.dumps(plan, indent=2) + "\n", encoding="utf-8")
