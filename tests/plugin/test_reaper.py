"""After ``kill -9`` of a pytest run mid-scenario, the next run's reaper leaves 0 processes."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from chaos.services import leftovers, reap_orphans
from tests.plugin.inner_pytest import ROOT, child_env, pytest_argv, run_sample

pytestmark = pytest.mark.integration


def _wait_for_file(path: Path, child: subprocess.Popen[str], deadline_s: float) -> dict[str, Any]:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if path.exists() and path.read_text():
            return dict(json.loads(path.read_text()))
        if child.poll() is not None:
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=0.1)
    child.kill()
    out, _ = child.communicate(timeout=30)
    raise AssertionError(f"the sample run never reached its scenario:\n{out}")


def _start_blocking_run(
    tmp_path: Path, scope: str, sample: str = "sample_blocking.py"
) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    """A sample run of ``scope`` blocked in its scenario, and what its marker file says."""
    marker = tmp_path / "marker.json"
    child = subprocess.Popen(
        pytest_argv(sample, "-p", "no:xdist"),
        cwd=ROOT, env=child_env(SAMPLE_MARKER=str(marker), AUTH_CHAOS_SCOPE=scope),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    return child, _wait_for_file(marker, child, deadline_s=90)


def test_killed_run_leaves_processes_and_the_next_run_reaps_them(tmp_path: Path) -> None:
    scope = f"reaper-test-{os.getpid()}-{tmp_path.name}"  # no other run reaps our orphan first
    child, info = _start_blocking_run(tmp_path, scope)
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)

    left = leftovers(info["run"])
    # negative control: SIGKILL runs no handler, so the scenario's Redis must still be alive
    assert [m.pid for m in left] == [int(info["redis_pid"])], f"{left} {info}"
    assert all(m.orphaned for m in left)
    # a run of another scope (this one) leaves it alone
    assert int(info["redis_pid"]) not in [m.pid for m in reap_orphans()]
    assert len(leftovers(info["run"])) == 1, leftovers(info["run"])

    after = run_sample("sample_failing.py", "-k", "passes", "-v", env={"AUTH_CHAOS_SCOPE": scope})
    assert after.returncode == 0, after.stdout + after.stderr
    remaining = leftovers(info["run"])
    print(f"leftover processes before reaping: {len(left)}, after: {len(remaining)}")
    assert remaining == [], after.stdout
    reaped = int(after.stdout.split("orphans reaped ")[1].split()[0])
    assert reaped == 1, after.stdout  # only its own scope's orphans


@pytest.mark.prometheus
def test_a_killed_runs_prometheus_is_reaped_by_the_next_run(tmp_path: Path) -> None:
    scope = f"reaper-prom-{os.getpid()}-{tmp_path.name}"
    child, info = _start_blocking_run(tmp_path, scope, "sample_blocking_prometheus.py")
    os.kill(child.pid, signal.SIGKILL)
    child.communicate(timeout=30)
    left = sorted(m.pid for m in leftovers(info["run"]))
    assert left == sorted(info["pids"]), f"{left} {info}"  # SIGKILL ran no clean-up
    after = run_sample("sample_failing.py", "-k", "passes", env={"AUTH_CHAOS_SCOPE": scope})
    assert after.returncode == 0, after.stdout + after.stderr
    assert leftovers(info["run"]) == [], after.stdout


def test_a_finished_run_leaves_nothing_and_a_failure_shows_the_logs() -> None:
    result = run_sample("sample_failing.py", "-v")
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "1 failed, 1 passed" in out
    assert "auth-chaos services" in out
    assert "Ready to accept connections" in out  # the Redis log tail
    assert "scenario report:" in out
    assert "auth-chaos: leftover processes of run-" in out
    assert out.split("auth-chaos: leftover processes of run-")[1].split(": ")[1].startswith("0")
    run_line = next(line for line in out.splitlines() if line.startswith("auth-chaos: run "))
    run_id = run_line.split()[2].rstrip(",")
    assert leftovers(run_id) == []


def test_sigterm_of_a_run_kills_what_it_started_without_the_reaper(tmp_path: Path) -> None:
    child, info = _start_blocking_run(tmp_path, f"reaper-test-{os.getpid()}-{tmp_path.name}")
    assert len(leftovers(info["run"])) == 1
    child.send_signal(signal.SIGTERM)
    child.communicate(timeout=60)
    assert child.returncode == -signal.SIGTERM
    assert leftovers(info["run"]) == []
