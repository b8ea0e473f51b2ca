"""A Prometheus rules file read: its alert names, and a copy with every duration scaled.

A real Prometheus checks the shipped rules in seconds instead of minutes when their windows
and ``for`` durations are divided by the same factor; the expressions stay as written:

    text = Path("monitoring/rules/auth-chaos.rules.yml").read_text()
    alert_names(text)                     # ["AuthFailOpenActive", ...]
    scaled_rules(text, factor=1 / 20)     # [1m] -> [3s], for: 2m -> for: 6s
"""

from __future__ import annotations

import re
from typing import Any

import yaml  # type: ignore[import-untyped]

__all__ = [
    "alert_names",
    "format_duration",
    "load_rules",
    "parse_duration",
    "record_names",
    "scaled_rules",
]

_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000,
             "w": 604_800_000, "y": 31_536_000_000}  # fmt: skip
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
# a range or subquery selector: [5m], [1h30m], [5m:30s], [5m:]
_RANGE = re.compile(r"\[(\d+(?:ms|s|m|h|d|w|y))+(?::((?:\d+(?:ms|s|m|h|d|w|y))*))?\]")
_OFFSET = re.compile(r"\boffset\s+(-?)((?:\d+(?:ms|s|m|h|d|w|y))+)")


def parse_duration(text: str) -> float:
    """A Prometheus duration (``1h30m``, ``500ms``) in seconds; ValueError otherwise."""
    text = text.strip()
    parts = _DURATION.findall(text)
    if not text or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a Prometheus duration: {text!r}")
    return sum(int(n) * _UNITS_MS[u] for n, u in parts) / 1000


def format_duration(seconds: float) -> str:
    """Seconds as a Prometheus duration, in whole milliseconds (``3s``, ``1500ms``)."""
    ms = round(seconds * 1000)
    if ms <= 0:
        raise ValueError(f"a duration must be at least 1 ms, got {seconds} s")
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def load_rules(text: str) -> dict[str, Any]:
    """The rules file as data; ValueError when it is not ``groups: [{name, rules}]``."""
    data: Any = yaml.safe_load(text)
    groups = data.get("groups") if isinstance(data, dict) else None
    if not isinstance(groups, list) or not all(
        isinstance(g, dict) and isinstance(g.get("rules"), list) for g in groups
    ):
        raise ValueError("a rules file is a mapping with groups: [{name, rules: [...]}]")
    return dict(data)


def _rules(text: str) -> list[dict[str, Any]]:
    return [rule for group in load_rules(text)["groups"] for rule in group["rules"]]


def alert_names(text: str) -> list[str]:
    """Every alerting rule's name, in file order."""
    return [str(rule["alert"]) for rule in _rules(text) if "alert" in rule]


def record_names(text: str) -> list[str]:
    """Every recording rule's name, in file order."""
    return [str(rule["record"]) for rule in _rules(text) if "record" in rule]


def _scale_expr(expr: str, factor: float, min_range_s: float) -> str:
    def ranged(found: re.Match[str]) -> str:
        inner = found.group(0)[1:-1]
        window, colon, step = inner.partition(":")
        scaled = format_duration(max(parse_duration(window) * factor, min_range_s))
        if colon:
            step_text = format_duration(parse_duration(step) * factor) if step else ""
            return f"[{scaled}:{step_text}]"
        return f"[{scaled}]"

    def offset(found: re.Match[str]) -> str:
        return f"offset {found.group(1)}{format_duration(parse_duration(found.group(2)) * factor)}"

    return _OFFSET.sub(offset, _RANGE.sub(ranged, expr))


def scaled_rules(text: str, factor: float, min_range_s: float = 0.0) -> str:
    """The rules file with every range window, subquery step, offset, ``for`` and group
    ``interval`` multiplied by ``factor`` (windows never below ``min_range_s``); the output is
    YAML for Prometheus, without the comments."""
    if factor <= 0:
        raise ValueError(f"factor must be > 0, got {factor}")
    data = load_rules(text)
    for group in data["groups"]:
        if "interval" in group:
            group["interval"] = format_duration(parse_duration(str(group["interval"])) * factor)
        for rule in group["rules"]:
            rule["expr"] = _scale_expr(str(rule["expr"]), factor, min_range_s)
            if "for" in rule:
                seconds = parse_duration(str(rule["for"])) * factor
                rule["for"] = format_duration(seconds) if seconds > 0 else "0s"
    return str(yaml.safe_dump(data, sort_keys=False, width=1000))
