"""The Prometheus HTTP API: the few calls the suite makes, each with a timeout.

    api = PrometheusApi("http://127.0.0.1:9090")
    api.query("up")                                  # [Series], one point each
    api.query_range("rate(x[1m])", start, end, 1.0)  # [Series], one point per step
    api.targets(); api.alerts()

A PromQL error (bad syntax, wrong type) raises ``PrometheusQueryError`` naming the query and
Prometheus's own message; an HTTP failure raises ``PrometheusUnreachable``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from chaos.monitoring.series import Point, Series

__all__ = [
    "Alert",
    "PrometheusApi",
    "PrometheusError",
    "PrometheusQueryError",
    "PrometheusUnreachable",
    "Target",
    "parse_time",
]

TIMEOUT_S = 10.0
_RFC3339 = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$")


class PrometheusError(RuntimeError):
    """Base of what the API client raises."""


class PrometheusUnreachable(PrometheusError):
    """No HTTP answer, or not the API's JSON."""


class PrometheusQueryError(PrometheusError):
    """Prometheus refused the query; the message is Prometheus's own."""

    def __init__(self, expr: str, error_type: str, error: str) -> None:
        super().__init__(f"PromQL {expr!r}: {error_type}: {error}")
        self.expr = expr
        self.error_type = error_type
        self.error = error


@dataclass(frozen=True)
class Target:
    """One scrape target as ``/api/v1/targets`` shows it."""

    job: str
    url: str
    health: str  # up | down | unknown
    last_scrape: float | None  # Unix time; None before the first scrape
    last_error: str


@dataclass(frozen=True)
class Alert:
    """One active alert (pending or firing) of ``/api/v1/alerts``."""

    name: str
    state: str  # pending | firing
    labels: dict[str, str]
    active_at: float | None


def parse_time(text: str) -> float | None:
    """RFC 3339 with up to nanoseconds (Go's format) -> Unix seconds; None for Go's zero time
    (year 1: "never")."""
    found = _RFC3339.match(text)
    if not found:
        raise ValueError(f"not an RFC 3339 time: {text!r}")
    whole, fraction, zone = found.groups()
    if whole.startswith("0001-"):
        return None
    offset = "+00:00" if zone == "Z" else zone
    moment = datetime.fromisoformat(whole + offset).astimezone(UTC)
    return moment.timestamp() + (float(f"0.{fraction}") if fraction else 0.0)


def _value(raw: Any) -> Point:
    time_s, text = raw
    return float(time_s), float(text)  # "NaN", "+Inf" parse as floats too


def _series(result_type: str, result: Any) -> list[Series]:
    if result_type == "vector":
        return [Series(dict(r["metric"]), (_value(r["value"]),)) for r in result]
    if result_type == "matrix":
        return [Series(dict(r["metric"]), tuple(_value(v) for v in r["values"])) for r in result]
    if result_type == "scalar":
        return [Series({}, (_value(result),))]
    raise PrometheusUnreachable(f"unexpected result type {result_type!r}")


class PrometheusApi:
    """Calls to one Prometheus server; ``close()`` when done (or use ``with``)."""

    def __init__(self, url: str, timeout_s: float = TIMEOUT_S) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(timeout=timeout_s)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PrometheusApi:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _get(self, path: str, params: dict[str, str] | None = None, expr: str = "") -> Any:
        try:
            response = self._http.get(self.url + path, params=params)
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise PrometheusUnreachable(f"{self.url}{path}: {type(exc).__name__}: {exc}") from exc
        if not isinstance(body, dict) or body.get("status") != "success":
            error_type = str(body.get("errorType", "?")) if isinstance(body, dict) else "?"
            error = str(body.get("error", body)) if isinstance(body, dict) else str(body)[:200]
            raise PrometheusQueryError(expr or path, error_type, error)
        return body["data"]

    def ready(self) -> bool:
        try:
            return self._http.get(self.url + "/-/ready").status_code == 200
        except httpx.HTTPError:
            return False

    def query(self, expr: str, at: float | None = None) -> list[Series]:
        """An instant query (at ``at``, Unix seconds, else now)."""
        params = {"query": expr}
        if at is not None:
            params["time"] = f"{at:.3f}"
        data = self._get("/api/v1/query", params, expr)
        return _series(data["resultType"], data["result"])

    def query_range(self, expr: str, start: float, end: float, step_s: float) -> list[Series]:
        """A range query: one point per ``step_s`` from ``start`` to ``end``."""
        if not (math.isfinite(start) and math.isfinite(end)) or end < start or step_s <= 0:
            raise ValueError(f"query_range: need start <= end and step > 0: {start}, {end}")
        params = {
            "query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step_s:g}",
        }  # fmt: skip
        data = self._get("/api/v1/query_range", params, expr)
        return _series(data["resultType"], data["result"])

    def targets(self) -> list[Target]:
        data = self._get("/api/v1/targets", {"state": "active"})
        return [
            Target(
                job=str(t["labels"].get("job", t.get("scrapePool", ""))),
                url=str(t.get("scrapeUrl", "")),
                health=str(t.get("health", "unknown")),
                last_scrape=parse_time(str(t.get("lastScrape", "0001-01-01T00:00:00Z"))),
                last_error=str(t.get("lastError", "")),
            )
            for t in data["activeTargets"]
        ]

    def alerts(self) -> list[Alert]:
        data = self._get("/api/v1/alerts")
        return [
            Alert(
                name=str(a["labels"].get("alertname", "")),
                state=str(a.get("state", "")),
                labels=dict(a["labels"]),
                active_at=parse_time(a["activeAt"]) if a.get("activeAt") else None,
            )
            for a in data["alerts"]
        ]

    def rule_names(self) -> list[str]:
        """Every loaded alerting and recording rule's name (``/api/v1/rules``)."""
        data = self._get("/api/v1/rules")
        return [str(r["name"]) for g in data["groups"] for r in g["rules"]]
