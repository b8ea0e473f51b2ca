"""The scenario matrix (chaos.gate.MATRIX): every fault of contract §2.4, in both failure
modes where the mode matters, each with a workload during the fault and after the heal, then
the checks it declares. A false verdict fails the scenario with the invariant, the token,
the worker, the time and the report folder."""

from __future__ import annotations

import pytest

from chaos.gate import LONG, MATRIX, Scenario
from fixtures.docker_stack import on_docker
from fixtures.gate import GateRunner

pytestmark = pytest.mark.chaos


@pytest.mark.parametrize(
    "scenario",
    [pytest.param(s, marks=pytest.mark.crowd) if s.crowd else s for s in MATRIX]
    + [pytest.param(s, marks=pytest.mark.long) for s in LONG],
    ids=lambda scenario: scenario.name,
)
def test_scenario(
    request: pytest.FixtureRequest, chaos_gate: GateRunner, scenario: Scenario
) -> None:
    if scenario.crowd is not None and on_docker(request.config):
        reason = "local backend only: the crowd scenario measures the service under load"
        pytest.skip(f"{reason}; its fault kinds are covered by the matrix on Docker")
    outcome = chaos_gate.run(scenario)
    if not outcome.passed:
        pytest.fail(outcome.failure_message(), pytrace=False)
