"""The pure parts of the Prometheus report: charts, legends, fault spans, alerts seen, the
markdown; and the API client's time parsing and the generated Prometheus configuration."""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chaos.checkers.crafted import CraftedHistory
from chaos.checkers.verdict import Verdict
from chaos.monitoring.api import parse_time
from chaos.monitoring.config import ScrapeJob, host_port, prometheus_config
from chaos.monitoring.series import Series
from chaos.report.charts import MAX_LEGEND, PALETTE, format_value, line_chart_svg, nice_ticks
from chaos.report.prometheus import (
    PanelChart,
    alerts_seen,
    fault_spans,
    legend_text,
    prometheus_markdown,
)

SVG = "{http://www.w3.org/2000/svg}"


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def test_a_nan_breaks_the_line_and_a_lone_point_is_a_dot() -> None:
    points = [(0.0, 1.0), (1.0, 2.0), (2.0, math.nan), (3.0, 1.0), (4.0, 2.0), (5.0, math.nan),
              (6.0, 3.0)]  # fmt: skip
    root = parsed(line_chart_svg("t", [("w0", points)], start=0, end=6))
    assert len(root.findall(f"{SVG}polyline")) == 2
    assert len(root.findall(f"{SVG}circle")) == 1


def test_fault_windows_are_shaded_and_an_empty_chart_says_why() -> None:
    root = parsed(line_chart_svg("t", [], start=0, end=10, windows=[(2, 5, "proxy_down")]))
    shaded = [r for r in root.findall(f"{SVG}rect") if r.findtext(f"{SVG}title") == "proxy_down"]
    assert len(shaded) == 1
    assert "no data" in "".join(root.itertext())
    noted = parsed(line_chart_svg("t", [], start=0, end=1, note="A: parse error"))
    assert "A: parse error" in "".join(noted.itertext())


def test_the_legend_is_capped_and_a_second_round_of_colours_is_dashed() -> None:
    lines = [(f"s{i}", [(0.0, float(i)), (1.0, float(i))]) for i in range(MAX_LEGEND + 3)]
    root = parsed(line_chart_svg("t", lines, start=0, end=1))
    legend = [t.text for t in root.findall(f"{SVG}text")]
    assert f"s{MAX_LEGEND - 1}" in legend
    assert f"s{MAX_LEGEND}" not in legend
    assert "... and 3 more" in legend
    dashed = [p for p in root.findall(f"{SVG}polyline") if p.get("stroke-dasharray")]
    assert len(dashed) == len(lines) - len(PALETTE)


def test_ticks_and_values_read_well() -> None:
    assert nice_ticks(0, 10) == [0, 2, 4, 6, 8, 10]
    assert nice_ticks(0, 0.9)[:3] == [0, 0.2, 0.4]
    assert nice_ticks(5, 5) == [5]
    assert format_value(0.0171, "s") == "17.1ms"
    assert format_value(2.5, "s") == "2.5s"
    assert format_value(1500, "reqps") == "1.5kreq/s"
    assert format_value(0.42, "percentunit") == "42%"
    assert format_value(3, "short") == "3"


def test_legends_fill_grafana_templates() -> None:
    labels = {"worker": "w0-1", "route": "/auth/verify"}
    assert legend_text("p99 {{route}} {{ worker }}", labels) == "p99 /auth/verify w0-1"
    assert legend_text("", labels) == '{route="/auth/verify",worker="w0-1"}'


def test_fault_spans_come_from_the_history_wall_times() -> None:
    crafted = CraftedHistory()
    crafted.fault("proxy_down", inject_at=2.0, heal_at=5.0, effects={"redis_loss"})
    crafted.fault("latency", inject_at=7.0, heal_at=None, effects={"redis_slow"})
    base = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    spans = fault_spans(crafted.history(), end=base + 20)
    assert spans == [(base + 2, base + 5, "proxy_down"), (base + 7, base + 20, "latency")]


def test_alerts_seen_names_when_each_state_began() -> None:
    pending = Series({"alertname": "AuthBreakerOpen", "alertstate": "pending", "worker": "w0-1"},
                     ((103.0, 1.0), (104.0, 1.0)))  # fmt: skip
    firing = Series({"alertname": "AuthBreakerOpen", "alertstate": "firing", "worker": "w0-1"},
                    ((105.0, 1.0), (109.0, 1.0)))  # fmt: skip
    assert alerts_seen([pending, firing], start=100.0) == [{
        "alert": "AuthBreakerOpen", "for": "w0-1", "pending_from_s": 3.0,
        "pending_until_s": 4.0, "firing_from_s": 5.0, "firing_until_s": 9.0,
    }]  # fmt: skip


def test_the_markdown_puts_prometheus_next_to_the_history_and_the_gate(tmp_path: Path) -> None:
    figures = {
        "window": {"start": 0.0, "end": 1_796_000_000.0, "range": "9000ms"},
        "degraded": {"prometheus": {"w0-1": 4.0, "w1-2": 0.0}, "history": {"w0-1": 4},
                     "gate": {"w0-1": 4.0}, "promql_increase": 4.4444},
        "breaker_openings": {"prometheus": {"w0-1": 1.0}, "gate": {"w0-1": 1.0}},
        "pool_peak": {"prometheus": {"w0-1": 2.0}, "capacity": {"w0-1": 33.0}},
        "verify_p99_s": 0.0123,
        "alerts": [{"alert": "AuthFailOpenActive", "for": "w0-1", "firing_from_s": 2.0}],
    }  # fmt: skip
    chart = PanelChart("Breaker openings", tmp_path / "panels" / "05-breaker-openings.svg", 2,
                       20, ())  # fmt: skip
    verdict = Verdict("I2-counter", True, message="I2-counter holds: 4 degraded 200s")
    text = prometheus_markdown("proxy_down_open", figures, [chart], verdict, tmp_path)
    assert "| degraded 200s | w0-1 | 4 | 4 | 4 |" in text
    assert "| degraded 200s | w1-2 | 0 | 0 | 0 |" in text
    assert "| breaker openings | w0-1 | 1 | - | 1 |" in text
    assert "| degraded, `increase()` | all | 4.444 | - | - |" in text
    assert "| pool peak in use | w0-1 | 2 of 33 | - | - |" in text
    assert "| verify p99 | all | 12.3ms | - | - |" in text
    assert "**I2-counter pass**: I2-counter holds" in text
    assert "AuthFailOpenActive (w0-1: firing +2.0s)" in text
    assert "![Breaker openings](panels/05-breaker-openings.svg)" in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-06T20:16:29.123456789Z", datetime(2026, 12, 6, 20, 16, 29, tzinfo=UTC)
         .timestamp() + 0.123456789),
        ("2026-12-06T21:16:29+01:00", datetime(2026, 12, 6, 20, 16, 29, tzinfo=UTC).timestamp()),
        ("0001-01-01T00:00:00Z", None),
    ],
)  # fmt: skip
def test_prometheus_times_parse(text: str, expected: float | None) -> None:
    found = parse_time(text)
    assert found == pytest.approx(expected) if expected is not None else found is None


def test_a_bad_time_is_refused() -> None:
    with pytest.raises(ValueError, match="RFC 3339"):
        parse_time("yesterday")


def test_the_config_is_json_with_explicit_intervals_and_absolute_rule_files() -> None:
    jobs = [ScrapeJob("auth", ("http://127.0.0.1:8000",)), ScrapeJob("proxy", ("127.0.0.1:1",))]
    config = json.loads(prometheus_config(jobs, scrape_interval_s=0.5, rule_files=[Path("r.yml")]))
    assert config["global"] == {"scrape_interval": "500ms", "scrape_timeout": "500ms",
                                "evaluation_interval": "1000ms"}  # fmt: skip
    assert config["scrape_configs"][0]["static_configs"] == [{"targets": ["127.0.0.1:8000"]}]
    assert Path(config["rule_files"][0]).is_absolute()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: ScrapeJob("bad name", ("127.0.0.1:1",)), "letters, digits"),
        (lambda: ScrapeJob("a", ()), "no target"),
        (lambda: ScrapeJob("a", ("127.0.0.1:1",), metrics_path="metrics"), "start with /"),
        (lambda: host_port("http://127.0.0.1/metrics"), "host and a port"),
        (lambda: prometheus_config([ScrapeJob("a", ("h:1",))], scrape_interval_s=0), "> 0"),
    ],
)
def test_bad_scrape_settings_are_refused(make: object, message: str) -> None:
    assert callable(make)
    with pytest.raises(ValueError, match=message):
        make()
