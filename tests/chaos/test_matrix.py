"""The scenario matrix (chaos.gate.MATRIX): every fault of contract section 2, in both
failure modes where the mode matters, each with a workload during the fault and after the
heal, then the checkers the fault touches. A false verdict fails the scenario with the
invariant, the token, the worker, the time and the report folder."""

from __future__ import annotations

import pytest

from chaos.gate import MATRIX, ScenarioSpec
from fixtures.docker_stack import on_docker
from fixtures.gate import GateRunner

pytestmark = pytest.mark.chaos


@pytest.mark.parametrize(
    "spec",
    [pytest.param(s, marks=pytest.mark.crowd) if s.crowd else s for s in MATRIX],
    ids=lambda spec: spec.name,
)
def test_scenario(
    request: pytest.FixtureRequest, chaos_gate: GateRunner, spec: ScenarioSpec
) -> None:
    if spec.crowd is not None and on_docker(request.config):
        reason = "local backend only: the crowd scenario measures the service under load"
        pytest.skip(f"{reason}; its fault kinds are covered by the matrix on Docker")
    outcome = chaos_gate.run(spec)
    if not outcome.passed:
        pytest.fail(outcome.failure_message(), pytrace=False)
