"""Negative controls of the gate: the deliberately broken service (tests/broken_service),
behind the same real stack (Redis, fault proxy, the service as a process), must turn I1, I2
and I4 false, and each message must name the invariant, the token, the worker and the time;
under the crowd (redis_faults_under_1k_users, lighter: 300 users) its stale "not revoked" cache must
turn I1 false. These tests pass when the gate catches the broken service."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from chaos.gate import (
    GateSettings,
    Scenario,
    ScenarioOutcome,
    ScenarioTarget,
    by_name,
    run_scenario,
)
from chaos.gate.crowd_history import CROWD_PROCESS
from chaos.profile import load_profile
from chaos.services import Stack, open_stack, service_of_profile
from fixtures.evidence import item_of, record_report, record_service
from fixtures.gate import Progress

pytestmark = [pytest.mark.chaos, pytest.mark.negative_control]

ROOT = Path(__file__).resolve().parents[2]
BROKEN_PROFILE = load_profile(ROOT / "tests" / "broken_service" / "profile.toml")
WHERE = re.compile(r"jti [0-9a-f]{32}.*worker w0-\d+.*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


def _broken_run(
    scenario: Scenario, tmp_path_factory: pytest.TempPathFactory, toxiproxy_url: str,
    gate_progress: Progress,
) -> Iterator[tuple[ScenarioOutcome, Stack]]:  # fmt: skip
    """``scenario`` run once against the broken service, on its own stack."""
    workdir = tmp_path_factory.mktemp("broken")
    stack = open_stack(
        workdir, toxiproxy_url,
        lambda url: service_of_profile(BROKEN_PROFILE, workdir, redis_url=url).start(),
    )  # fmt: skip
    try:
        settings = GateSettings(seed=20261126, profile=BROKEN_PROFILE)
        target = ScenarioTarget.of_stack(stack, BROKEN_PROFILE)
        outcome = asyncio.run(
            run_scenario(scenario, target, settings, workdir / "report", progress=gate_progress)
        )
        yield outcome, stack
    finally:
        stack.close()


@pytest.fixture
def broken_outcome(
    tmp_path_factory: pytest.TempPathFactory, toxiproxy_url: str, gate_progress: Progress
) -> Iterator[tuple[ScenarioOutcome, Stack]]:
    """The fail-open Redis-loss scenario run once against the broken service."""
    yield from _broken_run(
        by_name("proxy_down_open"), tmp_path_factory, toxiproxy_url, gate_progress
    )


@pytest.fixture
def broken_crowd_outcome(
    tmp_path_factory: pytest.TempPathFactory, toxiproxy_url: str, gate_progress: Progress
) -> Iterator[tuple[ScenarioOutcome, Stack]]:
    """The crowd scenario run once against the broken service, lighter than the gate's
    (300 users, shorter faults): its stale cache shows in the first logouts, and the gate's
    own run of the scenario is the one that must carry the full load."""
    full = by_name("redis_faults_under_1k_users")
    assert full.crowd is not None
    lighter = replace(
        full,
        load=replace(full.load, crowd=replace(full.crowd, users=300, recovery_s=2.0)),
        fault_s=(1.5, 2.0),
        gap_s=(1.5, 2.0),
    )
    yield from _broken_run(lighter, tmp_path_factory, toxiproxy_url, gate_progress)


EXPECTED = {  # invariant -> what its message must say
    "I1": "stale accept",
    "I2": "during Redis loss",
    "I4": "revocation is missing from Redis",
}


def test_broken_service_is_caught(
    request: pytest.FixtureRequest, broken_outcome: tuple[ScenarioOutcome, Stack]
) -> None:
    """One test (so one run of the scenario, also under xdist) checking every invariant."""
    outcome, stack = broken_outcome
    item = item_of(request)
    for member in stack.members:
        record_service(item, member)
    record_report(item, outcome.path)
    missed: list[str] = []
    for invariant, says in EXPECTED.items():
        verdict = outcome.verdict(invariant)
        if verdict.valid is not False:
            missed.append(f"{invariant} missed the broken service: {verdict.message}")
        elif not (verdict.message.startswith(f"{invariant} violated") and says in verdict.message):
            missed.append(f"{invariant} message does not say {says!r}: {verdict.message}")
        elif not WHERE.search(verdict.message):
            missed.append(f"{invariant} message lacks token, worker and time: {verdict.message}")
        elif not verdict.offending:
            missed.append(f"{invariant} is false without offending ops")
    assert not missed, "\n".join(missed)
    message = outcome.failure_message()
    assert f"report: {outcome.path}" in message
    assert all(f"  {invariant} violated" in message for invariant in EXPECTED), message
    assert (outcome.path / "verdicts.json").is_file()
    assert (outcome.path / "timeline.svg").is_file()


@pytest.mark.crowd
def test_broken_service_is_caught_under_the_crowd(
    request: pytest.FixtureRequest, broken_crowd_outcome: tuple[ScenarioOutcome, Stack]
) -> None:
    """A crowd user logs out and verifies its dead token at once: the broken service's
    cached "not revoked" accepts it, and I1 must say so, naming a crowd user's token."""
    outcome, stack = broken_crowd_outcome
    item = item_of(request)
    for member in stack.members:
        record_service(item, member)
    record_report(item, outcome.path)
    verdict = outcome.verdict("I1")
    assert verdict.valid is False, f"I1 missed the broken service: {verdict.message}"
    assert verdict.message.startswith("I1 violated"), verdict.message
    assert "stale accept" in verdict.message, verdict.message
    assert WHERE.search(verdict.message), verdict.message
    assert any(op.process >= CROWD_PROCESS for op in verdict.offending), verdict.offending
    message = outcome.failure_message()
    assert "  I1 violated" in message, message
    assert f"report: {outcome.path}" in message, message
    assert "## Crowd" in (outcome.path / "summary.md").read_text(encoding="utf-8")
