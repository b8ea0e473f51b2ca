"""The one runner: every scenario (the matrix's rows, the crowd, the failover drills) is
planned, loaded, faulted, checked and written here.

    outcome = asyncio.run(run_scenario(by_name("proxy_down_open"), ScenarioTarget.of_stack(stack),
                                       GateSettings(seed=42), report_dir=Path("reports/run")))
    assert outcome.passed, outcome.failure_message()

Plan (faults, timings, declared checks, from the seed) -> wind up (every worker enforcing,
``/metrics`` before, revocations seeded, a live token) -> the load around the schedule ->
wind down (recovery watched, revoked tokens re-verified, pools settled, ``/metrics`` after)
-> the revocations read back -> ``CheckInputs`` built once -> exactly the declared checks ->
the scenario folder (``chaos.gate.folder``).
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx

from chaos.checkers import CheckInputs, Verdict, gate_passes, run_checks
from chaos.faults import REDIS_LOSS, WORKER_LOSS
from chaos.gate.budgets import GateBudgets
from chaos.gate.crowd_history import crowd_ops, merged
from chaos.gate.evidence import breaker_must_open
from chaos.gate.fault_context import FaultContext
from chaos.gate.folder import write_folder
from chaos.gate.load import LoadSetup, drive
from chaos.gate.phases import wait_enforced, wind_down, wind_up
from chaos.gate.plan import ScenarioPlan, plan_scenario
from chaos.gate.probes import Prober
from chaos.gate.scenario import Scenario
from chaos.gate.target import ScenarioTarget
from chaos.gate.worker_target import TreeWorker, WorkerProcess
from chaos.history import CHECKER, RESTART_CHECKER, SEEDER, History
from chaos.profile import AuthApi, ServiceProfile, reference_profile
from chaos.workload.crowd_runner import CrowdResult

__all__ = ["GateSettings", "ScenarioOutcome", "cover_workers", "run_scenario", "worker_id_of"]

Progress = Callable[[str], None]
DEGRADED_METRIC = "auth_revocation_degraded_total"
PID = re.compile(r"(?:^|-)(\d+)$")  # a worker label's pid (w1-4242, 4242, pid-4242)
FAULT_FLOOR_FACTOR = 3  # a fault lasts at least 3 x the service's worst Redis call


@dataclass(frozen=True)
class GateSettings:
    """The run's settings every scenario shares: the seed, the service's profile (how it is
    called, its accounts, its Redis timeout, its signals) and the budgets."""

    seed: int
    profile: ServiceProfile = field(default_factory=reference_profile)
    budgets: GateBudgets = field(default_factory=GateBudgets)
    setup_s: float = 30.0  # deadline for every worker to enforce before a scenario
    hash_cost: int | None = None  # scrypt N of the stack's accounts, when the gate set it
    breaker_reset_s: float = 1.0  # the service's breaker open interval (I10 probe bound)

    @property
    def api(self) -> AuthApi:
        return AuthApi(self.profile)

    @property
    def users(self) -> Sequence[tuple[str, str]]:
        return self.profile.accounts.users

    @property
    def redis_timeout_ms(self) -> float:
        """The service's per-attempt Redis timeout: faults are sized to it."""
        return self.profile.redis.timeout_s * 1000


@dataclass(frozen=True)
class ScenarioOutcome:
    """What a scenario ended with; ``path`` is its report folder."""

    scenario: Scenario
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
        lines = [f"scenario {self.scenario.name} (seed {self.seed}, fault {self.fault}) broke:"]
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


def _fault_context(
    target: ScenarioTarget, settings: GateSettings, lookup: httpx.Client
) -> FaultContext:
    """Worker faults aim at a worker URL (port per worker), or else at a process of the
    service's tree."""
    urls = list(target.worker_urls)
    tree = target.tree
    worker: Callable[[int], WorkerProcess | TreeWorker]
    if target.per_worker or tree is None:
        by_url = {
            slot: WorkerProcess(url, partial(worker_id_of, lookup, url))
            for slot, url in enumerate(urls)
        }
        worker, count = by_url.__getitem__, len(urls)
    else:
        worker, count = partial(TreeWorker, urls[0], tree), target.worker_count()
    return FaultContext(
        target.proxy, target.redis, worker, count, settings.redis_timeout_ms, target.topology,
        fault_floor_s=FAULT_FLOOR_FACTOR * settings.profile.redis.worst_call_s,
    )  # fmt: skip


def _check_inputs(
    scenario: Scenario, plan: ScenarioPlan, settings: GateSettings, history: History,
    urls: Sequence[str], *, keys: set[str] | None, read_at: float,
    before: str | None, after: str | None,
) -> CheckInputs:  # fmt: skip
    budgets, profile = settings.budgets, settings.profile
    return CheckInputs(
        failure_mode=scenario.mode,
        degraded_bound_s=scenario.degraded_bound_s or budgets.degraded_bound_s,
        budgets=budgets.latency,
        request_deadline_ms=budgets.request_deadline_ms,
        enforced_budget_s=budgets.enforced_s,
        revoked_jtis=keys,
        read_at_epoch_s=read_at,
        metrics_before_text=before,
        metrics_after_text=after,
        expect_breaker_open="I10" in plan.checks
        and breaker_must_open(history, urls)
        and REDIS_LOSS in plan.effects,
        breaker_reset_s=settings.breaker_reset_s,
        workers=tuple(urls),
        checks=plan.checks,
        degraded_signal=profile.degraded is not None,
        degraded_metric=before is not None and DEGRADED_METRIC in before,
        statuses={
            "login": profile.login.statuses, "verify": profile.verify.statuses,
            "logout": profile.logout.statuses,
            **({"refresh": profile.refresh.statuses} if profile.refresh else {}),
        },
        revocations="keys" if profile.redis.revocation_key else "behaviour",
    )  # fmt: skip


def _header(scenario: Scenario, plan: ScenarioPlan, workers: int) -> str:
    crowd = scenario.crowd
    load = (
        f"{crowd.users:,} users ramped at {crowd.ramp_per_s:g}/s; after the ramp: " if crowd else ""
    )
    return (
        f"{scenario.name}: {scenario.mode} mode, {workers} workers, {load}{plan.describe()} "
        f"(seed {plan.seed}; checks {', '.join(plan.checks)})"
    )


async def run_scenario(
    scenario: Scenario,
    target: ScenarioTarget,
    settings: GateSettings,
    report_dir: Path,
    progress: Progress = lambda line: None,
) -> ScenarioOutcome:
    """Run ``scenario`` against ``target``; write its folder ``report_dir / scenario.name``."""
    with httpx.Client() as lookup:  # made before any fault window (see ToxiproxyClient)
        ctx = _fault_context(target, settings, lookup)
        plan = plan_scenario(scenario, settings.seed, ctx)
        if any(WORKER_LOSS in i.fault.effects for i in plan.items) and not target.can_aim_workers:
            raise ValueError(
                f"{scenario.name}: a worker fault needs one URL per worker or the service's "
                "process tree (a local service)"
            )
        history, crowd, before, after = await _play(scenario, plan, target, settings, progress)
    keys = await asyncio.to_thread(target.read_revocations)
    read_at = time.time()
    urls = list(target.worker_urls)
    if crowd is not None:
        history = merged(history, crowd_ops(crowd.calls, urls))
    inputs = _check_inputs(
        scenario, plan, settings, history, urls, keys=keys, read_at=read_at, before=before,
        after=after,
    )  # fmt: skip
    verdicts = run_checks(plan.checks, history, inputs)
    folder = write_folder(
        report_dir / scenario.name, scenario, plan, history, verdicts=verdicts, inputs=inputs,
        crowd=crowd, hash_cost=settings.hash_cost,
    )  # fmt: skip
    outcome = ScenarioOutcome(
        scenario, plan.seed, plan.fault_names, tuple(verdicts), folder, len(history.calls())
    )
    labels = ", ".join(f"{v.invariant} {v.label}" for v in verdicts)
    crowd_note = f", {crowd.tally.requests:,} crowd requests" if crowd else ""
    progress(
        f"{scenario.name}: {'PASS' if outcome.passed else 'FAIL'} ({outcome.calls} calls in "
        f"the history{crowd_note}; {labels})"
    )
    return outcome


async def _play(
    scenario: Scenario, plan: ScenarioPlan, target: ScenarioTarget, settings: GateSettings,
    progress: Progress,
) -> tuple[History, CrowdResult | None, str | None, str | None]:  # fmt: skip
    """Wind up, the load around the schedule, wind down: the history, the crowd's result and
    the ``/metrics`` texts before and after."""
    urls = list(target.worker_urls)
    workers_at_start = target.worker_count()
    progress(_header(scenario, plan, workers_at_start))
    history = History()
    budgets, api, owners = settings.budgets, settings.api, target.owners()
    deadline_s = budgets.request_deadline_ms / 1000
    async with httpx.AsyncClient(timeout=httpx.Timeout(deadline_s, connect=2.0)) as http:
        seeder = Prober(history, http, api, SEEDER, owners)
        before, revoked, live = await wind_up(
            seeder, http, urls, api, users=settings.users, setup_s=settings.setup_s
        )
        setup = LoadSetup(
            urls, settings.users, api, deadline_s, live, revoked, progress, scenario.name,
            owners,
        )  # fmt: skip
        crowd = await drive(plan, scenario.load, setup, history, http, rng=plan.rng)
        progress(f"{scenario.name}: load done after {len(history)} ops; checking every worker")
        checker = Prober(history, http, api, CHECKER, owners)
        after = await wind_down(
            checker, http, urls, api, live=live, revoked=revoked, budgets=budgets
        )
    if not target.per_worker and target.tree is not None and revoked:
        await cover_workers(target, api, deadline_s, history, revoked, expected=workers_at_start)
    if settings.profile.redis.revocation_key is None and target.restart is not None:
        acknowledged = [*revoked, *setup.acknowledged, *_crowd_logouts(crowd)]
        await _refused_after_restart(target, settings, history, acknowledged, progress)
    return history, crowd, before, after


# fresh connections at most, and seconds, to reach every worker of a shared port: the kernel
# hands a new connection to whichever worker wakes first, so a worker may wait 50 tries, and a
# replacement listed in the tree while still starting (a second or two, longer on a loaded
# box) lets the others answer hundreds before it accepts its first
COVER_TRIES = 4000
COVER_S = 20.0
COVER_POLL_S = 0.1


async def cover_workers(
    target: ScenarioTarget, api: AuthApi, deadline_s: float, history: History,
    revoked: Sequence[str], *, expected: int,
) -> None:  # fmt: skip
    """Workers sharing one port: a keep-alive client may never reach one of them (a worker
    that replaced a killed one, say). Verify the revoked tokens over fresh connections until
    as many workers as served at the start (``expected``) have answered one, among those the
    process tree shows now: a supervisor slow to replace a killed worker (a loaded box)
    still gets its replacement covered. At most ``COVER_TRIES`` tries and ``COVER_S``
    seconds, recorded as re-checks after the load (I1, I6, I7 evidence)."""
    assert target.tree is not None
    url, tree = target.worker_urls[0], target.tree
    owners = target.owners()
    limits = httpx.Limits(max_keepalive_connections=0)
    seen: set[int] = set()
    until = time.monotonic() + COVER_S

    async def listed() -> set[int]:
        return set(await asyncio.to_thread(lambda: tree().workers()))

    async with httpx.AsyncClient(timeout=deadline_s, limits=limits) as fresh:
        prober = Prober(history, fresh, api, CHECKER, owners)
        wanted = await listed()
        for attempt in range(COVER_TRIES):
            if time.monotonic() > until:
                break
            if wanted <= seen:  # all seen: done, unless a replacement is still to come
                wanted = await listed()
                if wanted <= seen:
                    if len(wanted) >= expected:
                        break
                    await asyncio.sleep(COVER_POLL_S)  # the supervisor has not replaced it yet
                    continue
            op = await prober.verify(url, revoked[attempt % len(revoked)])
            found = PID.search(op.worker or "")
            if found:
                seen.add(int(found.group(1)))


def _crowd_logouts(crowd: CrowdResult | None) -> list[str]:
    if crowd is None:
        return []
    return [
        c.token for c in crowd.calls
        if c.route == "logout" and c.token and c.status is not None and 200 <= c.status < 300
    ]  # fmt: skip


async def _refused_after_restart(
    target: ScenarioTarget, settings: GateSettings, history: History,
    acknowledged: Sequence[str], progress: Progress,
) -> None:  # fmt: skip
    """I4 by behaviour (the service's revocation keys cannot be read): every acknowledged
    logout's token verified after the load, then again after a restart of the service. Each
    verify on a new connection, so a service with one port spreads them over its workers."""
    api, urls = settings.api, list(target.worker_urls)
    deadline_s = settings.budgets.request_deadline_ms / 1000
    limits = httpx.Limits(max_keepalive_connections=0)
    tokens = list(dict.fromkeys(acknowledged))
    progress(f"re-checking {len(tokens)} acknowledged logouts, then restarting the service")
    async with httpx.AsyncClient(timeout=deadline_s, limits=limits) as fresh:
        for process in (CHECKER, RESTART_CHECKER):
            if process == RESTART_CHECKER:
                assert target.restart is not None
                await asyncio.to_thread(target.restart)
                await wait_enforced(fresh, urls, api, settings.users[0], settings.setup_s)
            prober = Prober(history, fresh, api, process, target.owners())
            for number, token in enumerate(tokens):
                await prober.verify(urls[number % len(urls)], token)
