"""The Grafana dashboard without Grafana: its JSON against a schema of what Grafana needs
(with negative controls), its layout, its variables, and every metric it (and the rules)
reads is one the service or the fault proxy exports. Its queries are run against a real
Prometheus in tests/prometheus/test_gate_report.py."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from itertools import combinations
from typing import Any

import jsonschema_rs
import pytest
from prometheus_client.metrics import MetricWrapperBase

import system_under_test.metrics as service_metrics
from chaos.monitoring.dashboard import expand, grafana_variables, panel_queries, unexpanded
from fixtures.prometheus import DASHBOARD, MONITORING, RULES

SCHEMA = json.loads((MONITORING / "grafana" / "dashboard.schema.json").read_text())
BOARD: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
BUILT_IN = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s"}
PROXY_METRICS = {"toxiproxy_proxy_received_bytes_total", "toxiproxy_proxy_sent_bytes_total"}
PROMETHEUS_OWN = {"up", "ALERTS", "time"}
_NAME = re.compile(r"\b((?:auth|toxiproxy)_[a-z_]+)\b")


def schema_errors(board: dict[str, Any]) -> list[str]:
    return [str(error) for error in jsonschema_rs.validator_for(SCHEMA).iter_errors(board)]


def exported_names() -> set[str]:
    """Every series name the service's /metrics can carry."""
    suffixes = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}
    names: set[str] = set()
    for value in vars(service_metrics).values():
        if isinstance(value, MetricWrapperBase):
            names |= {value._name + s for s in suffixes[str(value._type)]}
    return names


def test_the_dashboard_matches_the_schema() -> None:
    assert schema_errors(BOARD) == []


def _graphs(board: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in board["panels"] if p["type"] != "row"]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda b: _graphs(b)[0].pop("targets"), "targets"),
        (lambda b: _graphs(b)[0]["gridPos"].update(w=30), "30"),
        (lambda b: _graphs(b)[0]["targets"][0].pop("expr"), "expr"),
        (lambda b: _graphs(b)[0]["datasource"].update(type="loki"), "prometheus"),
        (lambda b: b.pop("uid"), "uid"),
    ],
    ids=["no-targets", "too-wide", "no-expr", "not-prometheus", "no-uid"],
)
def test_the_schema_catches_a_broken_dashboard(
    breakage: Callable[[dict[str, Any]], object], expected: str
) -> None:
    """Negative controls of the schema check."""
    board = copy.deepcopy(BOARD)
    breakage(board)
    errors = schema_errors(board)
    assert errors, "the broken dashboard passed the schema"
    assert any(expected in error for error in errors), errors


def test_panels_have_unique_ids_fit_the_grid_and_do_not_overlap() -> None:
    panels = BOARD["panels"]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    boxes = []
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] + pos["w"] <= 24, panel["title"]
        boxes.append((panel["title"], pos["x"], pos["y"], pos["x"] + pos["w"], pos["y"] + pos["h"]))
    for (a, ax0, ay0, ax1, ay1), (b, bx0, by0, bx1, by1) in combinations(boxes, 2):
        assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, f"{a!r} overlaps {b!r}"
    for panel in _graphs(BOARD):
        refs = [t["refId"] for t in panel["targets"]]
        assert len(refs) == len(set(refs)), panel["title"]
        assert panel["description"], f"{panel['title']}: say what the on-call engineer sees"


def test_every_variable_a_query_uses_is_defined() -> None:
    defined = {v["name"] for v in BOARD["templating"]["list"]} | BUILT_IN
    for query in panel_queries(BOARD):
        used = set(unexpanded(query.expr))
        assert used <= defined, f"{query.panel}: {used - defined}"


def test_every_metric_read_is_exported() -> None:
    exported = exported_names() | PROXY_METRICS
    texts = [q.expr for q in panel_queries(BOARD)] + [RULES.read_text(encoding="utf-8")]
    read = {name for text in texts for name in _NAME.findall(text)}
    assert read, "no metric name found: the pattern is wrong"
    assert read <= exported, f"read but never exported: {sorted(read - exported)}"
    assert "auth_request_duration_seconds_bucket" in exported


def test_the_metric_name_check_catches_a_name_nobody_exports() -> None:
    """Negative control of test_every_metric_read_is_exported's set arithmetic."""
    read = set(_NAME.findall("rate(auth_revocation_degraded_totl[1m])"))
    assert read - (exported_names() | PROXY_METRICS) == {"auth_revocation_degraded_totl"}


def test_grafana_variables_are_filled_in_as_grafana_would() -> None:
    variables = grafana_variables(step_s=15, scrape_interval_s=15, range_s=3600, job="auth")
    assert variables["__rate_interval"] == "60000ms"  # 4 scrape intervals
    assert grafana_variables(step_s=60, scrape_interval_s=15)["__rate_interval"] == "75000ms"
    expr = 'label_replace(rate(x{job=~"$job"}[$__rate_interval]), "s", "$1", "w", "(.*)")'
    assert expand(expr, variables) == (
        'label_replace(rate(x{job=~"auth"}[60000ms]), "s", "$1", "w", "(.*)")'
    )
    assert expand("${job} $__range $nope", variables) == "auth 3600s $nope"
    assert unexpanded("$1 ${job} $nope") == ["job", "nope"]


def test_every_panel_query_is_found_in_rows_too() -> None:
    board = copy.deepcopy(BOARD)
    row = next(p for p in board["panels"] if p["type"] == "row")
    nested = _graphs(board)[0]
    board["panels"].remove(nested)
    row["panels"] = [nested]
    assert len(panel_queries(board)) == len(panel_queries(BOARD))
