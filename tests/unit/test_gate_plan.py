"""The matrix and its plans: every fault of the contract, both modes where they matter, one
seed always giving the same fault parameters and schedule (replay with --chaos-seed), and
the checks each scenario declares following from what its faults do."""

from __future__ import annotations

import random
from typing import Any

import pytest

from chaos.checkers import CHECKS
from chaos.faults import REDIS_LOSS, REDIS_SLOW, WORKER_LOSS, ToxicFault
from chaos.gate import MATRIX, FaultContext, Scenario, by_name, plan_scenario, scenario_seed
from chaos.gate import catalogue as fault
from chaos.gate.worker_target import WorkerProcess, pid_of


class Untouched:
    """A proxy and Redis handle that must not be touched while planning."""

    def kill(self) -> None:
        raise AssertionError("planning killed Redis")

    def restart(self) -> None:
        raise AssertionError("planning restarted Redis")

    def pause(self) -> None:
        raise AssertionError("planning paused Redis")

    def resume(self) -> None:
        raise AssertionError("planning resumed Redis")

    def add_toxic(self, type: str, **kwargs: Any) -> None:
        raise AssertionError("planning added a toxic")

    def remove_toxic(self, name: str) -> None:
        raise AssertionError("planning removed a toxic")

    def disable(self) -> None:
        raise AssertionError("planning disabled the proxy")

    def enable(self) -> None:
        raise AssertionError("planning enabled the proxy")


def context(workers: int) -> FaultContext:
    def worker(slot: int) -> WorkerProcess:
        return WorkerProcess(f"http://127.0.0.1:{9000 + slot}", lambda: f"w{slot}-1")

    untouched: Any = Untouched()
    return FaultContext(untouched, untouched, worker, workers, redis_timeout_ms=100.0)


def plan_of(scenario: Scenario, seed: int) -> list[tuple[str, float, float]]:
    plan = plan_scenario(scenario, seed, context(scenario.stack.workers))
    return [(i.fault.name, i.start_s, i.duration_s) for i in plan.items] + [
        (str(plan.checks), plan.load_seed, plan.seed)
    ]


@pytest.mark.parametrize("scenario", MATRIX, ids=lambda scenario: scenario.name)
def test_same_seed_same_plan(scenario: Scenario) -> None:
    assert plan_of(scenario, 42) == plan_of(scenario, 42)


def test_other_seed_other_plans() -> None:
    assert [plan_of(s, 42) for s in MATRIX] != [plan_of(s, 43) for s in MATRIX]


def test_scenario_seed_is_stable_across_processes() -> None:
    assert scenario_seed(42, "proxy_down_open") == 851042529  # crc32, not hash()


@pytest.mark.parametrize("seed", range(20))
def test_latency_sits_below_or_above_the_redis_timeout(seed: int) -> None:
    ctx = context(2)
    below = fault.latency_below_timeout(random.Random(seed), ctx)
    above = fault.latency_above_timeout(random.Random(seed), ctx)
    assert isinstance(below, ToxicFault)
    assert isinstance(above, ToxicFault)
    assert below.attributes["latency"] < ctx.redis_timeout_ms < above.attributes["latency"]
    assert below.effects == {REDIS_SLOW}
    assert above.effects == {REDIS_LOSS}


@pytest.mark.parametrize("scenario", MATRIX, ids=lambda scenario: scenario.name)
def test_the_declared_checks_follow_the_effects_and_exist(scenario: Scenario) -> None:
    plan = plan_scenario(scenario, 7, context(scenario.stack.workers))
    assert set(plan.checks) <= set(CHECKS)
    policy = "I2" if scenario.mode == "open" else "I3"
    if WORKER_LOSS in plan.effects:
        assert "I7" in plan.checks
        assert {"I2", "I3", "I6"}.isdisjoint(plan.checks)
    elif REDIS_LOSS in plan.effects:
        assert policy in plan.checks
        assert "I10" in plan.checks
    else:  # Redis slow: the failure policy has nothing to judge
        assert {"I2", "I3"}.isdisjoint(plan.checks)
    assert ("I2-outside" in plan.checks) == (scenario.crowd is not None)


def test_each_fault_has_one_name() -> None:
    ctx = context(2)
    for build in vars(fault).values():
        if callable(build) and getattr(build, "__module__", "") == fault.__name__:
            if build.__name__.startswith("_"):
                continue
            assert build(random.Random(1), ctx).name == build.__name__


def test_matrix_covers_every_fault_and_both_modes_of_every_loss() -> None:
    builders = {b for s in MATRIX for b in s.faults}
    everything = {getattr(fault, name) for name in fault.__all__ if name != "WORKER_FAULTS"}
    assert builders == everything
    names = [s.name for s in MATRIX]
    assert len(names) == len(set(names))
    ctx = context(2)
    for scenario in MATRIX:
        assert 2 <= scenario.stack.workers <= 4
        (build,) = scenario.faults[:1]
        if len(scenario.faults) == 1 and REDIS_LOSS in build(random.Random(1), ctx).effects:
            modes = {s.mode for s in MATRIX if s.faults == scenario.faults}
            assert modes == {"open", "closed"}, scenario.name


def test_by_name_names_what_it_knows() -> None:
    assert by_name("jitter").faults == (fault.jitter,)
    with pytest.raises(KeyError, match="known: latency_below_timeout"):
        by_name("no_such_scenario")


def test_worker_id_gives_the_pid() -> None:
    assert pid_of("w1-4242") == 4242
    with pytest.raises(ValueError, match="has no pid"):
        pid_of("worker-one")
