"""``--chaos-prometheus`` as a user runs it (a child pytest, real stack, real Prometheus): the
scenario's report folder gains ``prometheus/`` with the scraped figures, the I2-counter check
and every dashboard panel as an SVG chart; a bad ``CHAOS_PROMETHEUS`` is a one-line error."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from chaos.history import History
from tests.plugin.inner_pytest import ROOT, child_env

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]


def gate(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "pytest", "tests/chaos/test_matrix.py", "-m", "chaos",
            "-p", "no:cacheprovider", *args]  # fmt: skip
    return subprocess.run(
        argv, cwd=ROOT, env=child_env(**env), capture_output=True, text=True, timeout=170,
        check=False,
    )  # fmt: skip


def test_a_redis_loss_scenario_reports_what_prometheus_scraped(tmp_path: Path) -> None:
    report = tmp_path / "run"
    run = gate("-k", "proxy_down_open", "--chaos-prometheus", "--chaos-seed", "2121",
               "--chaos-report", str(report))  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "scraping auth 127.0.0.1:" in run.stderr  # the watch's progress line
    folder = report / "proxy_down_open" / "prometheus"
    figures = json.loads((folder / "figures.json").read_text())
    history = History.load(report / "proxy_down_open" / "history.jsonl")
    seen: dict[str | None, int] = {}
    for call in history.calls():
        done = call.completion
        if call.f == "verify" and done and done.revocation_check == "degraded":
            seen[done.worker] = seen.get(done.worker, 0) + (done.status == 200)
    print(f"\n{folder}: degraded {figures['degraded']}")
    assert seen, "a Redis loss in fail-open mode: some degraded answers"
    counted = {w: n for w, n in figures["degraded"]["prometheus"].items() if n}
    assert counted == {w: float(n) for w, n in seen.items() if n}
    assert figures["counter_verdict"]["valid"] is True
    panels = sorted((folder / "panels").glob("*.svg"))
    assert len(panels) == len(figures["panels"]) >= 10
    assert all(p["errors"] == [] for p in figures["panels"]), figures["panels"]
    # the session's fault proxy runs with --metrics under --chaos-prometheus
    traffic = next(p for p in figures["panels"] if p["panel"] == "Fault proxy traffic")
    assert traffic["series"] >= 1, traffic
    markdown = (folder / "prometheus.md").read_text()
    assert "| degraded 200s |" in markdown
    assert "![Breaker openings](panels/" in markdown


def test_a_bad_chaos_prometheus_value_is_one_line_and_a_usage_error() -> None:
    run = gate("--collect-only", "-q", CHAOS_PROMETHEUS="yes")
    assert run.returncode == 4, run.stdout + run.stderr
    assert "CHAOS_PROMETHEUS: expected 1 or 0, got 'yes'" in run.stderr
    assert "Traceback" not in run.stderr
