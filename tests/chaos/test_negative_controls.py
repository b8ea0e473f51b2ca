"""Negative controls of the gate: the deliberately broken service (tests/broken_service),
behind the same real stack (Redis, fault proxy, the service as a process), must turn I1, I2
and I4 false, and each message must name the invariant, the token, the worker and the time.
These tests pass when the gate catches the broken service."""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos.gate import GateSettings, ScenarioOutcome, ScenarioTarget, by_name, run_scenario
from chaos.services import CommandService, Stack, open_stack
from fixtures.evidence import record_report, record_service
from fixtures.gate import Progress

pytestmark = pytest.mark.chaos

ROOT = Path(__file__).resolve().parents[2]
BROKEN = f"{sys.executable} -m tests.broken_service --port {{port}} --redis-url {{redis_url}}"
WHERE = re.compile(r"jti [0-9a-f]{32}.*worker w0-\d+.*\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@pytest.fixture(scope="module")
def broken_outcome(
    tmp_path_factory: pytest.TempPathFactory, toxiproxy_url: str, gate_progress: Progress
) -> Iterator[tuple[ScenarioOutcome, Stack]]:
    """The fail-open Redis-loss scenario run once against the broken service."""
    workdir = tmp_path_factory.mktemp("broken")
    env = {"PYTHONPATH": str(ROOT)}  # the variant lives under tests/, not installed
    stack = open_stack(
        workdir, toxiproxy_url, lambda url: CommandService(workdir, BROKEN, url, env=env).start()
    )
    try:
        settings = GateSettings(seed=20261126)
        target = ScenarioTarget.of_stack(stack, per_worker=False)
        try:
            outcome = asyncio.run(
                run_scenario(
                    by_name("proxy_down_open"), target, settings, workdir / "report",
                    progress=gate_progress,
                )
            )  # fmt: skip
        finally:
            target.proxy.close()
        yield outcome, stack
    finally:
        stack.close()


@pytest.fixture
def outcome(
    request: pytest.FixtureRequest, broken_outcome: tuple[ScenarioOutcome, Stack]
) -> ScenarioOutcome:
    result, stack = broken_outcome
    item = getattr(request, "_pyfuncitem", None)
    for member in stack.members:
        record_service(item, member)
    record_report(item, result.path)
    return result


@pytest.mark.parametrize(
    ("invariant", "says"),
    [
        ("I1", "stale accept"),
        ("I2", "during Redis loss"),
        ("I4", "revocation is missing from Redis"),
    ],
)
def test_broken_service_is_caught(outcome: ScenarioOutcome, invariant: str, says: str) -> None:
    verdict = outcome.verdict(invariant)
    assert verdict.valid is False, f"{invariant} missed the broken service: {verdict.message}"
    assert verdict.message.startswith(f"{invariant} violated"), verdict.message
    assert says in verdict.message, verdict.message
    assert WHERE.search(verdict.message), f"no token, worker and time in: {verdict.message}"
    assert verdict.offending, "a false verdict carries the offending ops"


def test_failure_message_names_the_report(outcome: ScenarioOutcome) -> None:
    message = outcome.failure_message()
    assert not outcome.passed
    assert f"report: {outcome.path}" in message
    assert (outcome.path / "verdicts.json").is_file()
    assert (outcome.path / "timeline.svg").is_file()
    for invariant in ("I1", "I2", "I4"):
        assert f"  {invariant} violated" in message, message
