"""The service's ``/metrics`` (Prometheus text) read into a snapshot of the series named in
docs/design.md.

    snapshot = await MetricsScrape(client).fetch("http://127.0.0.1:8000/metrics")
    snapshot.per_worker("auth_breaker_state")   # {"w0": 0.0, "w1": 1.0}
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import httpx

WATCHED: frozenset[str] = frozenset(
    {
        "auth_requests_total",
        "auth_revocation_degraded_total",
        "auth_revocation_check_total",
        "auth_redis_pool_in_use",
        "auth_breaker_state",
        "auth_breaker_opened_total",
        "auth_breaker_probes_total",
        "auth_revocations_local",
    }
)
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\S+)?$")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*')


def parse_labels(text: str) -> dict[str, str]:
    """``a="x",b="y\\"z"`` -> {"a": "x", "b": 'y"z'}; raises ValueError on garbage."""
    labels: dict[str, str] = {}
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _LABEL.match(text, pos)
        if not match:
            raise ValueError(f"bad label set {text!r} at {pos}")
        raw = match.group(2)
        labels[match.group(1)] = (
            raw.replace("\\\\", "\x00")
            .replace('\\"', '"')
            .replace("\\n", "\n")
            .replace("\x00", "\\")
        )
        pos = match.end()
    return labels


def labels_key(labels: Mapping[str, str]) -> str:
    """A stable text key of a label set: ``route=verify,worker=w0``."""
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def parse_metrics(text: str, names: frozenset[str] = WATCHED) -> dict[str, dict[str, float]]:
    """Prometheus text -> {metric name: {labels key: value}} for the metrics in ``names``.

    A counter's ``_created`` series and comments are ignored; a malformed sample line of a
    watched metric raises ValueError naming the line.
    """
    out: dict[str, dict[str, float]] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name = line.split("{", 1)[0].strip().split(" ", 1)[0]
        if name not in names:
            continue
        match = _SAMPLE.match(line)
        if not match:
            raise ValueError(f"metrics line {number}: cannot parse {line!r}")
        try:
            value = float(match.group(4))
            labels = parse_labels(match.group(3) or "")
        except ValueError as exc:
            raise ValueError(f"metrics line {number}: {exc}") from exc
        series = out.setdefault(name, {})
        key = labels_key(labels)
        series[key] = series.get(key, 0.0) + value  # same labels from several pids add up
    return out


@dataclass(frozen=True)
class MetricsSnapshot:
    """The watched series at one moment."""

    samples: dict[str, dict[str, float]]
    taken_ns: int = field(default=0)

    @classmethod
    def from_text(cls, text: str, taken_ns: int | None = None) -> MetricsSnapshot:
        return cls(parse_metrics(text), time.monotonic_ns() if taken_ns is None else taken_ns)

    def per_worker(self, name: str, **match: str) -> dict[str, float]:
        """Sum of ``name`` per ``worker`` label, over series whose labels include ``match``."""
        out: dict[str, float] = {}
        for key, value in self.samples.get(name, {}).items():
            labels = dict(part.split("=", 1) for part in key.split(",") if part)
            if any(labels.get(k) != v for k, v in match.items()):
                continue
            worker = labels.get("worker", "?")
            out[worker] = out.get(worker, 0.0) + value
        return out

    def total(self, name: str, **match: str) -> float:
        return sum(self.per_worker(name, **match).values())


def delta(before: MetricsSnapshot, after: MetricsSnapshot, name: str) -> dict[str, float]:
    """Per worker, how much ``name`` rose from ``before`` to ``after``."""
    old = before.per_worker(name)
    new = after.per_worker(name)
    return {w: new.get(w, 0.0) - old.get(w, 0.0) for w in sorted(set(old) | set(new))}


class MetricsScrape:
    """Fetches ``/metrics`` with the caller's client (explicit timeouts live there)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def fetch(self, url: str) -> MetricsSnapshot:
        response = await self.client.get(url)
        response.raise_for_status()
        return MetricsSnapshot.from_text(response.text)
