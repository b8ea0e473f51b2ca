"""Prometheus's view of one scenario, written next to the history's: the figures it scraped
over the scenario's time range (degraded count, breaker openings, pool peak per worker), the
degraded-counter check (I2-counter) against the history, and every dashboard panel drawn as
an SVG chart from the panel's own PromQL as a range query over the scenario.

    report = write_prometheus_report(folder, "http://127.0.0.1:9090", start, end,
                                     dashboard=dashboard, history=history)
    report.figures["degraded"]       # {"prometheus": {...}, "history": {...}, ...}

Files: ``folder/prometheus/figures.json``, ``prometheus.md`` and ``panels/NN-<title>.svg``.
A query that fails or returns nothing is written down (in the chart and in figures.json),
never left out.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chaos.checkers.degraded_counter import degraded_answers, degraded_counter
from chaos.checkers.verdict import Verdict
from chaos.checkers.windows import fault_windows
from chaos.history import History, Op
from chaos.monitoring.api import PrometheusApi, PrometheusError
from chaos.monitoring.dashboard import PanelQuery, expand, grafana_variables, panel_queries
from chaos.monitoring.series import Series, rise_by_label
from chaos.report.charts import Window, format_value, line_chart_svg
from chaos.workload.metrics import MetricsSnapshot, delta

__all__ = [
    "PanelChart",
    "PrometheusReport",
    "alerts_seen",
    "fault_spans",
    "gate_scrapes",
    "legend_text",
    "panel_charts",
    "prometheus_markdown",
    "scenario_figures",
    "write_prometheus_report",
]

FOLDER = "prometheus"


@dataclass(frozen=True)
class PanelChart:
    """One dashboard panel drawn: its file, how much it showed, what went wrong."""

    panel: str
    path: Path
    series: int
    points: int
    errors: tuple[str, ...]


@dataclass(frozen=True)
class PrometheusReport:
    folder: Path
    figures: dict[str, Any]
    charts: tuple[PanelChart, ...]
    counter_verdict: Verdict | None


def _unix(op: Op) -> float | None:
    try:
        return datetime.fromisoformat(op.wall_time).timestamp()
    except ValueError:
        return None


def fault_spans(history: History, end: float) -> list[Window]:
    """The history's fault windows in Unix time (from each op's wall time), for shading."""
    spans: list[Window] = []
    for window in fault_windows(history):
        began = _unix(window.inject)
        healed = _unix(window.heal) if window.heal is not None else end
        if began is not None and healed is not None:
            spans.append((began, healed, window.name))
    return spans


def _window_ms(start: float, end: float, scrape_interval_s: float) -> int:
    """The range that ends at ``end`` and still holds the last scrape before ``start``."""
    return max(1, math.ceil((end - start + scrape_interval_s) * 1000))


def _per_worker(series: Sequence[Series]) -> dict[str, float]:
    return {s.labels.get("worker", "?"): s.last() or 0.0 for s in series if s.points}


def scenario_figures(
    api: PrometheusApi, start: float, end: float, *, scrape_interval_s: float,
    history: History | None = None,
) -> tuple[dict[str, Any], Verdict | None]:  # fmt: skip
    """The figures of [start, end] (Unix seconds; ``end`` at or after the last scrape that
    follows the scenario), and the I2-counter verdict when a history is given."""
    window = f"{_window_ms(start, end, scrape_interval_s)}ms"
    degraded_samples = api.query(f"auth_revocation_degraded_total[{window}]", at=end)
    increase = api.query(f"sum(increase(auth_revocation_degraded_total[{window}]))", at=end)
    opened = api.query(f"auth_breaker_opened_total[{window}]", at=end)
    peak = api.query(f"max_over_time(auth_redis_pool_in_use[{window}])", at=end)
    capacity = api.query(f"max_over_time(auth_redis_pool_capacity[{window}])", at=end)
    p99 = api.query(
        "histogram_quantile(0.99, sum by (le) (increase("
        f'auth_request_duration_seconds_bucket{{route="/auth/verify"}}[{window}])))',
        at=end,
    )
    alerts = api.query_range("ALERTS", start, end, scrape_interval_s)
    figures: dict[str, Any] = {
        "window": {"start": start, "end": end, "range": window},
        "degraded": {
            "prometheus": rise_by_label(degraded_samples, "worker"),
            "promql_increase": increase[0].last() if increase else None,
        },
        "breaker_openings": {"prometheus": rise_by_label(opened, "worker")},
        "pool_peak": {"prometheus": _per_worker(peak), "capacity": _per_worker(capacity)},
        "verify_p99_s": p99[0].last() if p99 else None,
        "alerts": alerts_seen(alerts, start),
    }
    verdict = None
    if history is not None:
        seen, unknown = degraded_answers(history)
        figures["degraded"]["history"] = seen
        figures["degraded"]["unknown_outcome_verifies"] = unknown
        verdict = degraded_counter(
            history, degraded_samples, promql_increase=figures["degraded"]["promql_increase"]
        )
    return figures, verdict


def alerts_seen(series: Sequence[Series], start: float) -> list[dict[str, Any]]:
    """Each alert seen during the scenario: its states, when it was first pending/firing."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for one in series:
        name = one.labels.get("alertname", "?")
        state = one.labels.get("alertstate", "?")
        where = one.labels.get("worker") or one.labels.get("slot") or one.labels.get("job", "")
        entry = out.setdefault((name, where), {"alert": name, "for": where})
        stamps = [t for t, v in one.points if v == 1]
        if stamps:
            entry[f"{state}_from_s"] = round(min(stamps) - start, 1)
            entry[f"{state}_until_s"] = round(max(stamps) - start, 1)
    return sorted(out.values(), key=lambda e: (e["alert"], e["for"]))


def _slug(index: int, title: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:48]
    return f"{index:02d}-{words or 'panel'}.svg"


def legend_text(template: str, labels: Mapping[str, str]) -> str:
    """Grafana's legendFormat filled in (``{{worker}}`` -> the label); no template: every
    label, as Grafana shows it."""
    if not template:
        return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
    return re.sub(r"\{\{\s*(\w+)\s*\}\}", lambda m: labels.get(m.group(1), ""), template)


def panel_charts(
    api: PrometheusApi, dashboard: Mapping[str, Any], directory: Path, start: float, end: float,
    *, step_s: float, scrape_interval_s: float, job: str = ".+", windows: Sequence[Window] = (),
) -> list[PanelChart]:  # fmt: skip
    """Every panel of ``dashboard`` with a Prometheus target, drawn over [start, end]."""
    directory.mkdir(parents=True, exist_ok=True)
    variables = grafana_variables(
        step_s=step_s, scrape_interval_s=scrape_interval_s, range_s=end - start, job=job
    )
    panels: dict[int, list[PanelQuery]] = {}
    for query in panel_queries(dashboard):
        panels.setdefault(query.panel_id, []).append(query)
    charts: list[PanelChart] = []
    for index, queries in enumerate(panels.values(), 1):
        lines: list[tuple[str, Sequence[tuple[float, float]]]] = []
        errors: list[str] = []
        for query in queries:
            expr = expand(query.expr, variables)
            try:
                found = api.query_range(expr, start, end, step_s)
            except PrometheusError as exc:
                errors.append(f"{query.ref_id}: {exc}")
                continue
            if not found:
                errors.append(f"{query.ref_id}: no data for {expr}")
            lines += [(legend_text(query.legend, s.labels), s.points) for s in found]
        title = queries[0].panel
        path = directory / _slug(index, title)
        svg = line_chart_svg(
            title, lines, start=start, end=end, unit=queries[0].unit, windows=windows,
            note="; ".join(errors) if errors and not lines else "",
        )  # fmt: skip
        path.write_text(svg, encoding="utf-8")
        points = sum(len(p) for _, p in lines)
        charts.append(PanelChart(title, path, len(lines), points, tuple(errors)))
    return charts


def _alert_text(alert: Mapping[str, Any]) -> str:
    states = [
        f"{key.removesuffix('_from_s')} +{value}s"
        for key, value in alert.items()
        if key.endswith("_from_s")
    ]
    return f"{alert['alert']} ({alert['for']}: {', '.join(states)})"


def _cell(table: Mapping[str, float] | None, worker: str) -> str:
    return "-" if table is None else f"{table.get(worker, 0):g}"


def prometheus_markdown(
    name: str, figures: Mapping[str, Any], charts: Sequence[PanelChart], verdict: Verdict | None,
    root: Path,
) -> str:  # fmt: skip
    """The scenario's ``prometheus.md``: the figures (Prometheus, the history, the gate's own
    /metrics scrapes before and after), the I2-counter verdict, the alerts seen, the charts."""
    degraded, openings = figures["degraded"], figures["breaker_openings"]
    end = datetime.fromtimestamp(figures["window"]["end"], UTC).isoformat(timespec="seconds")
    lines = [
        f"# {name}: as Prometheus saw it",
        "",
        f"Window: {figures['window']['range']} ending at {end}. Counter rises are exact (from "
        "the scraped samples); `increase()` is PromQL's own (it extrapolates to the window's "
        "ends).",
        "",
        "| figure | worker | Prometheus | history | gate's /metrics (after - before) |",
        "|---|---|---|---|---|",
    ]
    for label, table in (("degraded 200s", degraded), ("breaker openings", openings)):
        workers = sorted(set(table["prometheus"]) | set(table.get("history") or {}))
        for worker in workers:
            lines.append(
                f"| {label} | {worker} | {table['prometheus'].get(worker, 0):g} | "
                f"{_cell(table.get('history'), worker)} | {_cell(table.get('gate'), worker)} |"
            )
    increase = degraded["promql_increase"]
    shown = "-" if increase is None else f"{increase:.4g}"
    lines.append(f"| degraded, `increase()` | all | {shown} | - | - |")
    pool = figures["pool_peak"]
    for worker, peak in sorted(pool["prometheus"].items()):
        capacity = pool["capacity"].get(worker)
        of = f" of {capacity:g}" if capacity else ""
        lines.append(f"| pool peak in use | {worker} | {peak:g}{of} | - | - |")
    p99 = figures["verify_p99_s"]
    shown = "-" if p99 is None or not math.isfinite(p99) else format_value(p99, "s")
    lines += [f"| verify p99 | all | {shown} | - | - |", ""]
    if verdict is not None:
        lines += [f"**{verdict.invariant} {verdict.label}**: {verdict.message}", ""]
    alerts = ", ".join(_alert_text(a) for a in figures["alerts"]) or "none"
    lines += [f"Alerts during the scenario (seconds since it began): {alerts}", ""]
    lines += ["## Dashboard panels", ""]
    for chart in charts:
        note = f" ({'; '.join(chart.errors)})" if chart.errors else ""
        where = chart.path.relative_to(root)
        lines += [f"- [{chart.panel}]({where}): {chart.series} series{note}",
                  f"  ![{chart.panel}]({where})"]  # fmt: skip
    return "\n".join(lines) + "\n"


def gate_scrapes(folder: Path) -> dict[str, dict[str, float]]:
    """What the gate's own /metrics scrapes before and after the load saw rise, per worker
    (``metrics_before.txt``/``metrics_after.txt`` of the scenario folder, when present)."""
    before, after = folder / "metrics_before.txt", folder / "metrics_after.txt"
    if not (before.is_file() and after.is_file()):
        return {}
    old = MetricsSnapshot.from_text(before.read_text(encoding="utf-8"))
    new = MetricsSnapshot.from_text(after.read_text(encoding="utf-8"))
    return {
        "degraded": delta(old, new, "auth_revocation_degraded_total"),
        "breaker_openings": delta(old, new, "auth_breaker_opened_total"),
    }


def write_prometheus_report(
    folder: Path, url: str, start: float, end: float, *, dashboard: Mapping[str, Any],
    history: History | None = None, scrape_interval_s: float = 1.0, step_s: float = 1.0,
    job: str = ".+", name: str | None = None,
) -> PrometheusReport:  # fmt: skip
    """Query Prometheus at ``url`` over [start, end] and write ``folder/prometheus/``."""
    out = folder / FOLDER
    out.mkdir(parents=True, exist_ok=True)
    with PrometheusApi(url) as api:
        figures, verdict = scenario_figures(
            api, start, end, scrape_interval_s=scrape_interval_s, history=history
        )
        windows = fault_spans(history, end) if history is not None else []
        charts = panel_charts(
            api, dashboard, out / "panels", start, end, step_s=step_s,
            scrape_interval_s=scrape_interval_s, job=job, windows=windows,
        )  # fmt: skip
    figures["panels"] = [
        {"panel": c.panel, "file": str(c.path.relative_to(out)), "series": c.series,
         "points": c.points, "errors": list(c.errors)}
        for c in charts
    ]  # fmt: skip
    for figure, rises in gate_scrapes(folder).items():
        figures[figure]["gate"] = rises
    if verdict is not None:
        figures["counter_verdict"] = verdict.to_json()
    (out / "figures.json").write_text(
        json.dumps(figures, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8"
    )
    (out / "prometheus.md").write_text(
        prometheus_markdown(name or folder.name, figures, charts, verdict, out), encoding="utf-8"
    )
    return PrometheusReport(out, figures, tuple(charts), verdict)
