"""The gate as a user runs it (a child pytest, real stack): the seed in the header, the
report folder (scenario folders from xdist workers, index and JUnit from the controller), the
plan replayed from the seed, every verdict reproduced from the folder alone by
``python -m chaos.recheck``, and the broken service caught through --sut-command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chaos.gate import by_name, plan_scenario
from tests.plugin.inner_pytest import ROOT, child_env
from tests.unit.test_gate_plan import context

pytestmark = pytest.mark.slow

SCENARIO_FILES = {
    "history.jsonl", "verdicts.json", "summary.md", "timeline.svg", "scenario.json",
    "inputs.json", "metrics_before.txt", "metrics_after.txt", "revoked_keys.txt",
}  # fmt: skip


def gate(*args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "pytest", "tests/chaos/test_matrix.py", "-m", "chaos",
            "-p", "no:cacheprovider", *args]  # fmt: skip
    return subprocess.run(
        argv, cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=170, check=False
    )


def planned(name: str, seed: int) -> list[tuple[str, float, float]]:
    scenario = by_name(name)
    plan = plan_scenario(scenario, seed, context(scenario.stack.workers))
    return [(i.fault.name, i.start_s, i.duration_s) for i in plan.items]


def test_two_workers_write_one_report_replayable_from_the_seed(tmp_path: Path) -> None:
    report = tmp_path / "run"
    run = gate("-n", "2", "-k", "latency_below_timeout or jitter",
               "--chaos-seed", "4242", "--chaos-report", str(report))  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "seed 4242" in run.stdout
    assert "] latency_below_timeout: PASS" in run.stderr  # progress from an xdist worker
    assert (report / "junit.xml").is_file()
    index = (report / "index.md").read_text()
    assert "Resilience gate, seed 4242: PASS" in index
    for name in ("latency_below_timeout", "jitter"):
        assert f"[{name}]({name}/summary.md)" in index
        assert {p.name for p in (report / name).iterdir()} >= SCENARIO_FILES
        plan = json.loads((report / name / "scenario.json").read_text())
        faults = [(f["fault"], f["start_s"], f["duration_s"]) for f in plan["faults"]]
        assert faults == planned(name, 4242)
    recheck = subprocess.run(
        [sys.executable, "-m", "chaos.recheck", str(report), "--quiet"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert recheck.returncode == 0, recheck.stdout + recheck.stderr
    assert "DIFFERS" not in recheck.stdout
    verdicts = sum(len(json.loads((report / n / "verdicts.json").read_text())["verdicts"])
                   for n in ("latency_below_timeout", "jitter"))  # fmt: skip
    assert f"{verdicts} of {verdicts} recorded verdicts reproduced" in recheck.stdout


def test_broken_service_fails_the_gate_through_sut_command(tmp_path: Path) -> None:
    # the service runs in its own folder: PYTHONPATH finds the variant under tests/
    command = (
        f"env PYTHONPATH={ROOT} {sys.executable} -m tests.broken_service "
        "--port {port} --redis-url {redis_url}"
    )
    run = gate("-k", "proxy_down_open", "--sut-command", command,
               "--chaos-report", str(tmp_path / "run"))  # fmt: skip
    assert run.returncode == 1, run.stdout[-3000:]
    assert "scenario proxy_down_open" in run.stdout
    for invariant in ("I1", "I2", "I4"):
        assert f"{invariant} violated" in run.stdout
    assert f"report: {tmp_path / 'run' / 'proxy_down_open'}" in run.stdout
    index = (tmp_path / "run" / "index.md").read_text()
    assert "| FAIL | I1:" in index
