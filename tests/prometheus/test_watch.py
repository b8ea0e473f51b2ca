"""The gate's Prometheus watch with a service that serves no metrics: no Prometheus is
started and the scenario's prometheus.md says why (unknown, never a silent pass)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from chaos.monitoring.watch import PrometheusWatch
from chaos.services import CommandService, open_stack
from fixtures.prometheus import DASHBOARD, RULES
from tests.prometheus.support import ROOT

pytestmark = pytest.mark.prometheus

WITHOUT_METRICS = (
    f"{sys.executable} -m tests.broken_service --port {{port}} --redis-url {{redis_url}}"
)


def test_a_service_without_metrics_is_reported_unknown(
    chaos_workdir: Path, toxiproxy_url: str
) -> None:
    stack = open_stack(
        chaos_workdir, toxiproxy_url,
        lambda url: CommandService(
            chaos_workdir, WITHOUT_METRICS, url, env={"PYTHONPATH": str(ROOT)}
        ).start(),
    )  # fmt: skip
    watch = PrometheusWatch(chaos_workdir, dashboard_path=DASHBOARD, rule_files=[RULES])
    try:
        folder = chaos_workdir / "report" / "scenario"
        with watch.around(stack, folder):
            pass
        assert watch.server is None
        note = (folder / "prometheus" / "prometheus.md").read_text()
        assert "unknown: the service serves no Prometheus metrics" in note
        assert "/metrics: HTTP 404" in note
    finally:
        watch.close()
        stack.close()
