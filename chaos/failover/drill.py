"""One failover drill against a fresh local stack, through the gate's one runner: the drill is
a ``chaos.gate.Scenario`` (a logout-heavy load, one topology fault at a fixed moment, the
checks I8, I2 and I9) run on its topology and service; its report gets a failover section.

result = run_drill(SCENARIOS["sentinel-primary-kill"], workdir, report_root, seed=7)
result.lost, result.unavailable_steady_ms, result.report_dir
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import redis

from chaos.checkers import Verdict
from chaos.failover.scenarios import Scenario as Drill
from chaos.failover.topology import Topology
from chaos.faults import Fault
from chaos.gate import (
    Clients,
    FaultContext,
    GateBudgets,
    GateSettings,
    Scenario,
    ScenarioTarget,
    StackSpec,
    run_scenario,
)
from chaos.profile import Accounts, reference_profile
from chaos.services import AuthService

__all__ = ["DrillResult", "drill_scenario", "run_drill"]

USERS = (("alice", "alice-pw"), ("bob", "bob-pw"), ("carol", "carol-pw"), ("dave", "dave-pw"))
PROBE_USER = ("probe", "probe-pw")  # the gate's live token: verified on every worker
WORKERS = 2
HASH_COST = "16"  # logins are not under test: the cheapest scrypt keeps the logout rate up
DEGRADED_BOUND_S = 60.0  # the service's default --degraded-bound
PROBE_PAUSE_S = 0.02  # fine-grained evidence of when each worker is enforced again
MIN_RECOVERY_S = 1.0


@dataclass(frozen=True)
class DrillResult:
    scenario: Drill
    verdicts: list[Verdict]
    report_dir: Path
    wall_s: float
    phases_s: dict[str, float]
    seed: int = 0

    @property
    def durability(self) -> Verdict:
        return next(v for v in self.verdicts if v.invariant == "I8")

    def as_expected(self) -> bool:
        """I8 says what the scenario expects (zero loss, or the negative control's loss
        caught) and, for a zero-loss scenario, no other verdict is false."""
        if self.scenario.expect_loss:
            return self.durability.valid is False
        return self.durability.valid is True and not any(v.failed for v in self.verdicts)

    @property
    def lost(self) -> int | None:
        value = self.durability.figures.get("lost")
        return value if isinstance(value, int) else None

    @property
    def acknowledged(self) -> int:
        return int(self.durability.figures.get("acknowledged", 0))

    @property
    def unavailable_first_ms(self) -> float | None:
        value = self.durability.figures.get("unavailable_first_ms")
        return value if isinstance(value, int | float) else None

    @property
    def unavailable_steady_ms(self) -> float | None:
        value = self.durability.figures.get("unavailable_steady_ms")
        return value if isinstance(value, int | float) else None

    @property
    def logout_steady_ms(self) -> float | None:
        """ms from the fault until logouts were steadily acknowledged again (None: never)."""
        value = self.durability.figures.get("logout_steady_ms")
        return value if isinstance(value, int | float) else None

    @property
    def logout_refused(self) -> int:
        return int(self.durability.figures.get("logout_refused", 0))

    def line(self) -> str:
        return (
            f"{self.scenario.name}: I8 {self.durability.label}, lost {self.lost} of "
            f"{self.acknowledged} acknowledged, unavailable first {self.unavailable_first_ms} ms "
            f"/ steady {self.unavailable_steady_ms} ms (every worker), first logout 200 after "
            f"{self.durability.figures.get('logout_unavailable_ms')} ms, logouts refused "
            f"{self.logout_refused} until {self.logout_steady_ms} ms, wall {self.wall_s:.1f} s"
        )


def drill_scenario(drill: Drill) -> Scenario:
    """The drill as a gate scenario: its fault at ``fault_at_s`` after the load starts, held
    ``hold_s`` (after the topology settled), the load going on to ``duration_s`` in all;
    checks I8 and I9, and I2 when the fault takes Redis away (a degraded 200 of a token
    revoked just before the loss is the documented policy, not a lost revocation)."""

    def build(rng: random.Random, ctx: FaultContext) -> Fault:
        return drill.fault(ctx.topology)

    recovery = max(MIN_RECOVERY_S, drill.duration_s - drill.fault_at_s - drill.hold_s)
    return Scenario(
        drill.name,
        (build,),
        StackSpec(WORKERS, "open", drill.service_args),
        load=Clients(
            clients=drill.clients,
            mix=drill.mix,
            recovery_s=recovery,
            probe_pause_s=PROBE_PAUSE_S,
        ),
        durability=True,  # I8, I9, and I2 when the fault takes Redis away
        start_s=(drill.fault_at_s, drill.fault_at_s),
        fault_s=(drill.hold_s, drill.hold_s),
        note=drill.summary,
    )


class _Readback:
    """The topology's revoked jtis once it settled; remembers why a read failed."""

    def __init__(self, topology: Topology) -> None:
        self.topology = topology
        self.error = ""

    def __call__(self) -> set[str] | None:
        try:
            return self.topology.revoked_jtis()
        except redis.RedisError as exc:
            self.error = f"{type(exc).__name__}: {exc}"
            return None


def run_drill(
    drill: Drill, workdir: Path, report_root: Path, seed: int = 0,
    progress: Callable[[str], None] = lambda line: None,
) -> DrillResult:  # fmt: skip
    """Start everything fresh, drill through the runner, stop everything, add the section."""
    began = last = time.monotonic()
    phases: dict[str, float] = {}

    def mark(phase: str) -> None:
        nonlocal last
        now = time.monotonic()
        phases[phase] = round(now - last, 2)
        last = now

    workdir.mkdir(parents=True, exist_ok=True)
    topology = drill.topology(workdir)
    readback = _Readback(topology)
    auth: AuthService | None = None
    # the reference service's profile, with the drill's accounts (the service is started
    # below, on the topology, with the drill's flags)
    profile = replace(reference_profile(), accounts=Accounts((*USERS, PROBE_USER)))
    budgets = GateBudgets(degraded_bound_s=DEGRADED_BOUND_S)
    settings = GateSettings(seed=seed, profile=profile, budgets=budgets)
    try:
        topology.start()
        mark("topology")
        auth = AuthService(
            workdir, workers=WORKERS, users=(*USERS, PROBE_USER),
            extra_args=("--hash-cost", HASH_COST, *drill.service_args),
            **topology.service_target(),
        ).start()  # fmt: skip
        mark("service")
        target = ScenarioTarget(
            auth.worker_urls, None, None, readback, per_worker=True, topology=topology
        )
        outcome = asyncio.run(
            run_scenario(drill_scenario(drill), target, settings, report_root, progress)
        )
        mark("drill")
    finally:
        if auth is not None:
            auth.close()
        topology.close()
        mark("stop")
    result = DrillResult(
        drill, list(outcome.verdicts), outcome.path, time.monotonic() - began, phases, seed
    )
    _append_failover_section(outcome.path / "summary.md", result, readback.error)
    return result


def _after_fault(ms: float | None) -> str:
    return "not before the end" if ms is None else f"{ms} ms after the fault"


def _append_failover_section(summary: Path, result: DrillResult, read_error: str) -> None:
    figures = result.durability.figures
    lines = [
        "",
        "## Failover",
        "",
        result.scenario.summary + ("" if not result.scenario.expect_loss else " (loss expected)"),
        "",
        "| acknowledged revocations | lost | unavailable: first enforced | steady enforced "
        "| first logout 200 | logouts refused (503 or no answer) | logouts steady 200 |",
        "|---|---|---|---|---|---|---|",
        f"| {result.acknowledged} | {result.lost} | {result.unavailable_first_ms} ms "
        f"| {result.unavailable_steady_ms} ms | {figures.get('logout_unavailable_ms')} ms "
        f"| {result.logout_refused}, the last {figures.get('logout_last_refused_ms')} ms after "
        f"the fault | {_after_fault(result.logout_steady_ms)} |",
        "",
        "| worker | first enforced after the fault | steady enforced |",
        "|---|---|---|",
    ]
    per_worker = figures.get("unavailability") or {}
    for worker, window in sorted(per_worker.items()):
        lines.append(f"| {worker} | {window['first_ms']} ms | {window['steady_ms']} ms |")
    spent = ", ".join(f"{k} {v} s" for k, v in result.phases_s.items())
    lines += ["", f"Wall time {result.wall_s:.1f} s: {spent}."]
    if read_error:
        lines += ["", f"Reading the revoked keys failed: {read_error}"]
    with summary.open("a", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
