"""Scenarios only the Docker backend has (``pytest -m chaos --chaos-backend docker``): the
Redis container partitioned from the compose network (docs/docker.md, "The gate on Docker").
Same runner, checkers and report as the matrix; the partition's figures go to the report
folder (``partition.json``) and the progress line."""

from __future__ import annotations

import json

import pytest

from chaos.docker_backend import DOCKER_SCENARIOS, partition_figures
from chaos.gate import Scenario, ScenarioOutcome
from chaos.history import History
from fixtures.docker_stack import on_docker
from fixtures.gate import GateRunner

pytestmark = pytest.mark.chaos


@pytest.mark.parametrize("scenario", DOCKER_SCENARIOS, ids=lambda scenario: scenario.name)
def test_docker_scenario(
    request: pytest.FixtureRequest, chaos_gate: GateRunner, scenario: Scenario
) -> None:
    if not on_docker(request.config):
        pytest.skip("docker backend only: a partition needs container networks "
                    "(--chaos-backend docker)")  # fmt: skip
    outcome: ScenarioOutcome = chaos_gate.run(scenario)
    figures = partition_figures(History.load(outcome.path / "history.jsonl"))
    (outcome.path / "partition.json").write_text(json.dumps(figures) + "\n", encoding="utf-8")
    chaos_gate.progress(f"{scenario.name}: {figures}")
    if not outcome.passed:
        pytest.fail(outcome.failure_message(), pytrace=False)
