"""``GateBudgets``: what the gate holds the service to, with the contract's defaults.

budgets = GateBudgets.from_table(pyproject["tool"]["auth-chaos"]["budgets"])
budgets.latency["verify"].p99_ms, budgets.enforced_s, budgets.degraded_bound_s
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from chaos.checkers import DEFAULT_BUDGETS, LatencyBudget

__all__ = ["BudgetError", "GateBudgets"]

ROUTES = ("login", "verify", "logout", "refresh")


class BudgetError(ValueError):
    """A budget setting that cannot be used; the message names the key and the value."""


@dataclass(frozen=True)
class GateBudgets:
    """Latency per route during a fault, the request deadline, the time to recover (I6), the
    degraded bound (I2) and how long the gate waits for pools and breakers to settle (I10)."""

    latency: Mapping[str, LatencyBudget] = field(default_factory=lambda: dict(DEFAULT_BUDGETS))
    request_deadline_ms: float = 5000.0  # beyond it a call is a hang (info)
    enforced_s: float = 10.0  # heal -> steady "enforced" on every worker
    degraded_bound_s: float = 60.0  # the service's fail-open bound (its --degraded-bound)
    settle_s: float = 10.0  # after the load: pool back to 0, breakers closed

    @classmethod
    def from_table(cls, table: Mapping[str, Any], where: str = "budgets") -> GateBudgets:
        """Keys: ``<route>_p99_ms``, ``<route>_max_ms``, ``request_deadline_ms``,
        ``enforced_s``, ``degraded_bound_s``, ``settle_s``; unknown keys are an error."""
        defaults = cls()
        latency = dict(defaults.latency)
        scalars: dict[str, float] = {}
        for key, raw in table.items():
            value = _positive(where, key, raw)
            route, _, limit = key.partition("_")
            if route in ROUTES and limit in ("p99_ms", "max_ms"):
                old = latency.get(route, LatencyBudget(p99_ms=defaults.request_deadline_ms))
                latency[route] = (
                    LatencyBudget(value, old.max_ms)
                    if limit == "p99_ms"
                    else LatencyBudget(old.p99_ms, value)
                )
            elif key in ("request_deadline_ms", "enforced_s", "degraded_bound_s", "settle_s"):
                scalars[key] = value
            else:
                raise BudgetError(
                    f"{where}: unknown key {key!r} (expected <route>_p99_ms, <route>_max_ms, "
                    "request_deadline_ms, enforced_s, degraded_bound_s or settle_s)"
                )
        return cls(latency=latency, **scalars)

    def rows(self) -> list[tuple[str, str]]:
        """(setting, value) for the docs and the run header."""
        out = [
            (f"{route} p99 / max", f"{b.p99_ms:g} ms / {_ms(b.max_ms)}")
            for route, b in sorted(self.latency.items())
        ]
        out += [
            ("request deadline", f"{self.request_deadline_ms:g} ms"),
            ("time to steady enforced", f"{self.enforced_s:g} s"),
            ("degraded bound", f"{self.degraded_bound_s:g} s"),
            ("settle", f"{self.settle_s:g} s"),
        ]
        return out


def _ms(value: float | None) -> str:
    return "deadline" if value is None else f"{value:g} ms"


def _positive(where: str, key: str, raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or raw <= 0:
        raise BudgetError(f"{where}.{key}: expected a positive number, got {raw!r}")
    return float(raw)
