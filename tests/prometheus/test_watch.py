"""The gate's Prometheus watch when it cannot report: a service that serves no metrics (no
Prometheus is started), a Prometheus lost during the scenario; the scenario's prometheus.md
says why (unknown, never a silent pass)."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from chaos.monitoring.watch import PrometheusWatch
from chaos.services import CommandService, FaultProxy, open_stack
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


class ProxyOnly:
    """A stack whose service is the fault proxy's own /metrics: enough to start a watch."""

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.auth = SimpleNamespace(worker_urls=[proxy.url])

    @property
    def toxiproxy_url(self) -> str:
        return self.proxy.url


def test_a_prometheus_lost_during_the_scenario_is_reported_unknown(chaos_workdir: Path) -> None:
    proxy = FaultProxy(chaos_workdir, metrics=True).start()
    lines: list[str] = []
    watch = PrometheusWatch(
        chaos_workdir, dashboard_path=DASHBOARD, rule_files=[RULES], scrape_wait_s=2.0,
        progress=lines.append,
    )  # fmt: skip
    try:
        folder = chaos_workdir / "report" / "scenario"
        with watch.around(ProxyOnly(proxy), folder):
            assert watch.server is not None
            watch.server.kill()  # Prometheus gone before the scenario ends
        note = (folder / "prometheus" / "prometheus.md").read_text()
        assert "unknown: no Prometheus report: ServiceNotReady" in note
        assert any("no Prometheus report" in line for line in lines), lines
    finally:
        watch.close()
        proxy.close()
