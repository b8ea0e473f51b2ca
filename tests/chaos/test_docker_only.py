"""Scenarios only the Docker backend has (``pytest -m chaos --chaos-backend docker``): the
Redis container partitioned from the compose network (docs/docker.md, "The gate on Docker").
Same runner, checkers and report as the matrix; the partition's figures go to the report
folder (``partition.json``) and the progress line."""

from __future__ import annotations

import json

import pytest

from chaos.docker_backend import DOCKER_SCENARIOS
from chaos.gate import ScenarioOutcome, ScenarioSpec
from chaos.history import History
from fixtures.docker_stack import on_docker
from fixtures.gate import GateRunner
from tests.chaos.known_findings import unexplained

pytestmark = pytest.mark.chaos


def partition_figures(history: History) -> dict[str, float | None]:
    """Seconds from the cut (disconnect returned) to the first ``degraded`` verify, and from
    the heal (reconnect returned) until every worker answers ``enforced`` for good."""
    phases = {op.value.get("phase"): op for op in history.faults()}  # recorded on return
    inject, heal = phases["inject"], phases["heal"]
    verifies = [c for c in history.calls() if c.f == "verify" and c.completion is not None]
    degraded = [
        c.completion.time_s
        for c in verifies
        if c.completion is not None
        and c.completion.revocation_check == "degraded"
        and c.completion.time_s >= inject.time_s
    ]
    steady: dict[str, float] = {}
    for call in sorted(verifies, key=lambda c: c.invoke.time_s):
        done = call.completion
        if done is None or call.invoke.time_s < heal.time_s or call.invoke.target is None:
            continue
        if done.revocation_check == "enforced" and done.status == 200:
            steady.setdefault(call.invoke.target, done.time_s)
        elif done.revocation_check == "degraded":
            steady.pop(call.invoke.target, None)  # not steady yet: count from a later one
    cut_s = int(inject.value.get("began", inject.time_ns)) / 1e9  # disconnect called
    return {
        "disconnect_call_s": round(inject.time_s - cut_s, 3),
        "to_degraded_s": round(min(degraded) - inject.time_s, 3) if degraded else None,
        "to_enforced_s": round(max(steady.values()) - heal.time_s, 3) if steady else None,
    }


@pytest.mark.parametrize("spec", DOCKER_SCENARIOS, ids=lambda spec: spec.name)
def test_docker_scenario(
    request: pytest.FixtureRequest, chaos_gate: GateRunner, spec: ScenarioSpec
) -> None:
    if not on_docker(request.config):
        pytest.skip("docker backend only: a partition needs container networks "
                    "(--chaos-backend docker)")  # fmt: skip
    outcome: ScenarioOutcome = chaos_gate.run(spec)
    figures = partition_figures(History.load(outcome.path / "history.jsonl"))
    (outcome.path / "partition.json").write_text(json.dumps(figures) + "\n", encoding="utf-8")
    chaos_gate.progress(f"{spec.name}: {figures}")
    if outcome.passed:
        return
    left, findings = unexplained(outcome)
    if left:
        pytest.fail(outcome.failure_message(), pytrace=False)
    named = ", ".join(f"{f.ident} ({f.invariant})" for f in findings)
    pytest.xfail(f"known finding {named} (docs/gate-findings.md); report: {outcome.path}")
