"""Reading the rules file, and scaling its durations for a short run on a real Prometheus."""

from __future__ import annotations

import re

import pytest

from chaos.monitoring.rules import (
    alert_names,
    format_duration,
    load_rules,
    parse_duration,
    record_names,
    scaled_rules,
)
from fixtures.prometheus import RULES

SHIPPED = RULES.read_text(encoding="utf-8")
ALERTS = [
    "AuthFailOpenActive", "AuthBreakerOpen", "AuthFailOpenBoundApproaching",
    "AuthRevocationStoreErrors", "AuthRedisPoolSaturated", "AuthVerifyP99OverBudget",
    "AuthWorkerRestartLoop",
]  # fmt: skip
SMALL = """
groups:
  - name: g
    interval: 1m
    rules:
      - record: r
        expr: sum(rate(x_total[5m])) + max_over_time(y[1h30m:1m]) - z offset 10m
      - alert: A
        expr: r > 0
        for: 2m
"""


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("500ms", 0.5), ("3s", 3), ("1m", 60), ("1h30m", 5400), ("2d", 172800), ("1w", 604800)],
)
def test_durations_parse(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "1.5m", "5x", "m5", "5m 3s", "-1m"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="not a Prometheus duration"):
        parse_duration(text)


def test_durations_format_in_whole_milliseconds() -> None:
    assert format_duration(3.0) == "3s"
    assert format_duration(1.5) == "1500ms"
    with pytest.raises(ValueError, match="at least 1 ms"):
        format_duration(0.0001)


def test_the_shipped_rules_name_seven_alerts_and_their_records() -> None:
    assert alert_names(SHIPPED) == ALERTS
    assert all(re.fullmatch(r"auth:[a-z0-9_]+(:[a-z0-9_]+)?", n) for n in record_names(SHIPPED))


def test_every_window_for_offset_and_interval_is_scaled() -> None:
    scaled = load_rules(scaled_rules(SMALL, 1 / 20))
    group = scaled["groups"][0]
    assert group["interval"] == "3s"
    record, alert = group["rules"]
    assert record["expr"] == "sum(rate(x_total[15s])) + max_over_time(y[270s:3s]) - z offset 30s"
    assert alert["for"] == "6s"
    assert alert["expr"] == "r > 0"


def test_a_window_never_goes_below_the_floor() -> None:
    scaled = scaled_rules("groups: [{name: g, rules: [{record: r, expr: 'rate(x[1m])'}]}]",
                          1 / 60, min_range_s=3)  # fmt: skip
    assert "rate(x[3s])" in scaled


def test_the_shipped_rules_keep_their_expressions_and_lose_every_long_duration() -> None:
    scaled = scaled_rules(SHIPPED, 1 / 20, min_range_s=3)
    assert alert_names(scaled) == ALERTS
    strip = re.compile(r"\[[0-9a-z:]+\]")
    before = [strip.sub("[]", " ".join(str(r["expr"]).split())) for g in
              load_rules(SHIPPED)["groups"] for r in g["rules"]]  # fmt: skip
    after = [strip.sub("[]", " ".join(str(r["expr"]).split())) for g in
             load_rules(scaled)["groups"] for r in g["rules"]]  # fmt: skip
    assert after == before
    assert not re.search(r"\[\d+m\]|for: \d+m", scaled)


@pytest.mark.parametrize(
    ("text", "factor", "message"),
    [(SMALL, 0, "factor must be > 0"), ("rules: []", 0.5, "groups"),
     ("groups: [{name: g}]", 0.5, "groups")],
)  # fmt: skip
def test_bad_input_is_refused(text: str, factor: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        scaled_rules(text, factor)
