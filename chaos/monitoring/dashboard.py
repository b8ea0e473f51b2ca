"""A Grafana dashboard's panels and their PromQL, with Grafana's variables filled in, so the
queries can run against Prometheus without Grafana.

    dashboard = json.loads(Path("monitoring/grafana/dashboards/auth-chaos.json").read_text())
    for query in panel_queries(dashboard):
        expr = expand(query.expr, grafana_variables(step_s=1, scrape_interval_s=1, job="auth"))
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PanelQuery", "expand", "grafana_variables", "panel_queries", "unexpanded"]

_VARIABLE = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")


@dataclass(frozen=True)
class PanelQuery:
    """One target of one panel."""

    panel_id: int
    panel: str  # the panel's title
    ref_id: str
    expr: str
    legend: str  # legendFormat: "{{worker}}" and the like
    unit: str


def _panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from _panels(panel.get("panels") or [])  # a collapsed row keeps its panels


def panel_queries(dashboard: Mapping[str, Any]) -> list[PanelQuery]:
    """Every Prometheus target of every panel (rows' nested panels included), in order."""
    out: list[PanelQuery] = []
    for panel in _panels(list(dashboard.get("panels") or [])):
        unit = str(panel.get("fieldConfig", {}).get("defaults", {}).get("unit", ""))
        for target in panel.get("targets") or []:
            if "expr" not in target:
                continue
            out.append(
                PanelQuery(
                    panel_id=int(panel.get("id", 0)),
                    panel=str(panel.get("title", "")),
                    ref_id=str(target.get("refId", "")),
                    expr=str(target["expr"]),
                    legend=str(target.get("legendFormat", "")),
                    unit=unit,
                )
            )
    return out


def grafana_variables(
    *, step_s: float, scrape_interval_s: float, range_s: float | None = None, job: str = ".+"
) -> dict[str, str]:
    """What Grafana puts for its built-in variables (and the dashboard's ``$job``) in a
    panel ``step_s`` seconds per point: ``$__rate_interval`` is the larger of step + scrape
    interval and four scrape intervals, as Grafana computes it."""
    rate_ms = round(max(step_s + scrape_interval_s, 4 * scrape_interval_s) * 1000)
    values = {
        "__interval": f"{round(step_s * 1000)}ms",
        "__interval_ms": str(round(step_s * 1000)),
        "__rate_interval": f"{rate_ms}ms",
        "job": job,
    }
    if range_s is not None:
        values["__range"] = f"{round(range_s)}s"
        values["__range_s"] = str(round(range_s))
    return values


def expand(expr: str, variables: Mapping[str, str]) -> str:
    """``expr`` with ``$name`` and ``${name}`` replaced; unknown ones are left as they are
    (``unexpanded`` lists them)."""

    def one(found: re.Match[str]) -> str:
        name = found.group(1) or found.group(2)
        return variables.get(name, found.group(0))

    return _VARIABLE.sub(one, expr)


def unexpanded(expr: str) -> list[str]:
    """The variables still in ``expr`` (``$1`` of a ``label_replace`` is not one)."""
    return [
        found.group(1) or found.group(2)
        for found in _VARIABLE.finditer(expr)
        if not (found.group(2) or "").isdigit()
    ]
