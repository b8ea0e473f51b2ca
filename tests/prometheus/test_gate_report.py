"""A gate scenario (proxy_down_open, a Redis loss) with a real Prometheus beside its stack, as
``--chaos-prometheus`` runs it: every dashboard panel's PromQL answers over the scenario, and
the report's Prometheus figures match the history."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from chaos.gate import GateSettings, ScenarioOutcome, ScenarioTarget, by_name, run_scenario
from chaos.monitoring.api import PrometheusApi, PrometheusError
from chaos.monitoring.dashboard import (
    PanelQuery,
    expand,
    grafana_variables,
    panel_queries,
    unexpanded,
)
from chaos.monitoring.watch import PrometheusWatch
from chaos.profile import reference_profile
from chaos.services import AuthService, FaultProxy, open_stack
from fixtures.profile import gate_budgets
from fixtures.prometheus import DASHBOARD, RULES
from fixtures.reference import REFERENCE_ARGS
from tests.prometheus.support import SCRAPE_S

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]

SCENARIO = "proxy_down_open"
SEED = 2121
QUERIES = panel_queries(json.loads(DASHBOARD.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class GateRun:
    outcome: ScenarioOutcome
    folder: Path
    prometheus_url: str
    start: float
    end: float


@pytest.fixture(scope="module")
def gate_run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[GateRun]:
    """The scenario on a stack of its spec, Prometheus beside it (kept until the module ends)."""
    workdir = tmp_path_factory.mktemp("gate-prometheus")
    spec = by_name(SCENARIO)
    with contextlib.ExitStack() as stop:
        proxy = FaultProxy(workdir, metrics=True)
        stop.callback(proxy.close)
        proxy.start()
        stack = open_stack(
            workdir, proxy.url,
            lambda url: AuthService(
                workdir, url, workers=spec.stack.workers, failure_mode=spec.mode,
                extra_args=[*REFERENCE_ARGS, *spec.stack.service_args],
            ).start(),
            persistence=spec.stack.persistence,
        )  # fmt: skip
        stop.callback(stack.close)
        watch = PrometheusWatch(workdir, dashboard_path=DASHBOARD, rule_files=[RULES])
        stop.callback(watch.close)
        target = ScenarioTarget.of_stack(stack, reference_profile())
        settings = GateSettings(seed=SEED, budgets=gate_budgets(request.config))
        report_dir = workdir / "report"
        with watch.around(stack, report_dir / spec.name):
            outcome = asyncio.run(run_scenario(spec, target, settings, report_dir))
        assert watch.server is not None
        figures = json.loads((outcome.path / "prometheus" / "figures.json").read_text())
        window = figures["window"]
        yield GateRun(outcome, outcome.path, watch.server.url, window["start"], window["end"])


def panel_problem(api: PrometheusApi, query: PanelQuery, start: float, end: float) -> str | None:
    """None when the panel's query answers with at least one finite point over [start, end]."""
    variables = grafana_variables(
        step_s=SCRAPE_S, scrape_interval_s=SCRAPE_S, range_s=end - start, job="auth"
    )
    expr = expand(query.expr, variables)
    if unexpanded(expr):
        return f"variables left in {expr}: {unexpanded(expr)}"
    try:
        found = api.query_range(expr, start, end, SCRAPE_S)
    except PrometheusError as exc:
        return str(exc)
    if not any(math.isfinite(v) for series in found for _, v in series.points):
        return f"no data: {expr} gave {len(found)} series without a finite value"
    return None


@pytest.mark.parametrize("query", QUERIES, ids=[f"{q.panel_id}{q.ref_id}" for q in QUERIES])
def test_every_dashboard_query_answers_after_a_gate_scenario(
    gate_run: GateRun, query: PanelQuery
) -> None:
    with PrometheusApi(gate_run.prometheus_url) as api:
        problem = panel_problem(api, query, gate_run.start, gate_run.end)
    assert problem is None, f"panel {query.panel!r} {query.ref_id}: {problem}"


def test_the_panel_check_catches_an_erroring_and_an_empty_query(gate_run: GateRun) -> None:
    """Negative control of panel_problem."""
    broken = PanelQuery(0, "broken", "A", "sum(rate(auth_requests_total[$__rate_interval])", "",
                        "")  # fmt: skip
    empty = PanelQuery(0, "empty", "A", 'auth_requests_total{route="/no/such/route"}', "", "")
    with PrometheusApi(gate_run.prometheus_url) as api:
        assert "parse error" in str(panel_problem(api, broken, gate_run.start, gate_run.end))
        assert "no data" in str(panel_problem(api, empty, gate_run.start, gate_run.end))


def figures(gate_run: GateRun) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((gate_run.folder / "prometheus" / "figures.json").read_text())
    return data


def test_the_report_has_prometheus_figures_next_to_the_history(gate_run: GateRun) -> None:
    found = figures(gate_run)
    degraded = found["degraded"]
    print(f"\n{gate_run.folder}/prometheus: {json.dumps(degraded)}")
    assert gate_run.outcome.passed, gate_run.outcome.failure_message()
    assert sum(degraded["history"].values()) > 0  # a Redis loss: fail-open answers happened
    counted = {w: n for w, n in degraded["prometheus"].items() if n}
    assert counted == {w: float(n) for w, n in degraded["history"].items()}
    assert found["counter_verdict"]["valid"] is True, found["counter_verdict"]["message"]
    assert sum(found["breaker_openings"]["prometheus"].values()) >= 1
    pool = found["pool_peak"]
    assert pool["prometheus"], pool
    assert all(0 <= peak <= pool["capacity"][w] for w, peak in pool["prometheus"].items())
    markdown = (gate_run.folder / "prometheus" / "prometheus.md").read_text()
    assert "I2-counter pass" in markdown


def test_every_panel_is_drawn_as_an_svg_chart(gate_run: GateRun) -> None:
    found = figures(gate_run)
    panels = found["panels"]
    assert len(panels) == len({q.panel_id for q in QUERIES})
    for panel in panels:
        path = gate_run.folder / "prometheus" / panel["file"]
        root = ET.fromstring(path.read_text(encoding="utf-8"))  # noqa: S314 - our own file
        assert root.tag.endswith("svg"), path
        assert panel["errors"] == [], panel
        assert panel["series"] >= 1, panel
        assert panel["points"] >= 2, panel
        assert root.findall(".//{http://www.w3.org/2000/svg}polyline"), path
