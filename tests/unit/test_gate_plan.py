"""The matrix and its plans: every fault of the contract, both modes where they matter, and
one seed always giving the same fault parameters and schedule (replay with --chaos-seed)."""

from __future__ import annotations

import random

import pytest

from chaos.faults import REDIS_LOSS, REDIS_SLOW, WORKER_LOSS, ToxicFault
from chaos.gate import (
    FAULTS,
    MATRIX,
    FaultContext,
    GateSettings,
    ProxyTarget,
    ScenarioSpec,
    plan_scenario,
    scenario_seed,
)
from chaos.gate.crowd_scenario import plan_schedule
from chaos.gate.worker_target import WorkerProcess, pid_of


class Untouched:
    """A Redis handle that must not be touched while planning."""

    def kill(self) -> None:
        raise AssertionError("planning killed Redis")

    def restart(self) -> None:
        raise AssertionError("planning restarted Redis")

    def pause(self) -> None:
        raise AssertionError("planning paused Redis")

    def resume(self) -> None:
        raise AssertionError("planning resumed Redis")


def context(workers: int) -> FaultContext:
    def worker(slot: int) -> WorkerProcess:
        return WorkerProcess(f"http://127.0.0.1:{9000 + slot}", lambda: f"w{slot}-1")

    proxy = ProxyTarget("http://127.0.0.1:1", "redis-1-abc")  # planning makes no API call
    return FaultContext(proxy, Untouched(), worker, workers, redis_timeout_ms=100.0)


def plan_of(spec: ScenarioSpec, seed: int) -> tuple[str, float, float, int]:
    plan = plan_scenario(spec, seed, context(spec.stack.workers), GateSettings(seed=seed))
    return plan.fault.name, plan.schedule.start_s, plan.schedule.duration_s, plan.workload_seed


@pytest.mark.parametrize("spec", MATRIX, ids=lambda spec: spec.name)
def test_same_seed_same_plan(spec: ScenarioSpec) -> None:
    assert plan_of(spec, 42) == plan_of(spec, 42)


def test_other_seed_other_plans() -> None:
    assert [plan_of(s, 42) for s in MATRIX] != [plan_of(s, 43) for s in MATRIX]


def test_scenario_seed_is_stable_across_processes() -> None:
    assert scenario_seed(42, "proxy_down_open") == 851042529  # crc32, not hash()


@pytest.mark.parametrize("seed", range(20))
def test_latency_sits_below_or_above_the_redis_timeout(seed: int) -> None:
    ctx = context(2)
    below = FAULTS["latency_below_timeout"](random.Random(seed), ctx)
    above = FAULTS["latency_above_timeout"](random.Random(seed), ctx)
    assert isinstance(below, ToxicFault)
    assert isinstance(above, ToxicFault)
    assert below.attributes["latency"] < ctx.redis_timeout_ms < above.attributes["latency"]
    assert below.effects == {REDIS_SLOW}
    assert above.effects == {REDIS_LOSS}


@pytest.mark.parametrize("spec", MATRIX, ids=lambda spec: spec.name)
def test_effects_match_the_row(spec: ScenarioSpec) -> None:
    fault = plan_scenario(spec, 7, context(spec.stack.workers), GateSettings(seed=7)).fault
    if spec.then:  # a schedule of several faults: the row's loss is any of theirs
        items = plan_schedule(spec, GateSettings(seed=7), context(spec.stack.workers)).items
        assert any(REDIS_LOSS in i.fault.effects for i in items) == spec.loss
    elif spec.worker_fault:
        assert fault.effects == {WORKER_LOSS}
    else:
        assert (REDIS_LOSS in fault.effects) == spec.loss


def test_matrix_covers_every_fault_and_both_modes_of_every_loss() -> None:
    assert {s.fault for s in MATRIX} == set(FAULTS)
    names = [s.name for s in MATRIX]
    assert len(names) == len(set(names))
    for spec in MATRIX:
        assert 2 <= spec.stack.workers <= 4
        if spec.loss and not spec.then:  # a schedule's faults have rows of their own
            assert {s.mode for s in MATRIX if s.fault == spec.fault} == {"open", "closed"}


def test_worker_id_gives_the_pid() -> None:
    assert pid_of("w1-4242") == 4242
    with pytest.raises(ValueError, match="has no pid"):
        pid_of("worker-one")
