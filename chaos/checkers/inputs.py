"""``CheckInputs``: everything a checker reads besides the history, and its JSON form.

A scenario folder holds them as ``inputs.json`` (scalars, budgets, the worker set, the
declared checks) beside the files too large to inline (``revoked_keys.txt``,
``metrics_before.txt``, ``metrics_after.txt``), so ``python -m chaos.recheck DIR`` re-runs
the declared checks from the folder alone (contract §2.5).

    inputs = CheckInputs(failure_mode="open", revoked_jtis={"a1"}, checks=("I1", "I4"))
    inputs.save(folder); CheckInputs.load(folder) == inputs
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from chaos.checkers.latency_budgets import LatencyBudget
from chaos.workload.metrics import MetricsSnapshot

__all__ = ["DEFAULT_BUDGETS", "INPUTS_FILE", "CheckInputs", "InputsError"]

INPUTS_FILE = "inputs.json"
REVOKED_FILE = "revoked_keys.txt"
METRICS_FILES = ("metrics_before.txt", "metrics_after.txt")
SCHEMA = 1

# contract §2.2 (I5): p99 per route during a fault; the max defaults to the request deadline
DEFAULT_BUDGETS: Mapping[str, LatencyBudget] = {
    "login": LatencyBudget(p99_ms=2000.0),
    "verify": LatencyBudget(p99_ms=500.0),
    "logout": LatencyBudget(p99_ms=1000.0),
    "refresh": LatencyBudget(p99_ms=2000.0),
}


class InputsError(ValueError):
    """A scenario folder's inputs cannot be read; the message names the file and the field."""


@dataclass(frozen=True)
class CheckInputs:
    """What the checkers need besides the history; None means "not measured" (-> unknown).

    ``checks``: the named checks the scenario declared (what the runner and ``recheck``
    run, in this order). ``workers``: the worker URLs the load was aimed at.
    ``metrics_*_text``: the raw ``/metrics`` exposition (None: not scraped).
    What the service's profile says it gives: ``degraded_signal`` (a header marking an
    unchecked answer), ``degraded_metric`` (``auth_revocation_degraded_total``),
    ``statuses`` (each route's documented statuses; None: the contract's table), and
    ``revocations`` (``keys``: its revocation keys are read from Redis; ``behaviour``: their
    scheme is unknown, so a logout is judged by the token being refused afterwards).
    """

    failure_mode: Literal["open", "closed"] = "open"
    degraded_bound_s: float = 60.0
    budgets: Mapping[str, LatencyBudget] = field(default_factory=lambda: dict(DEFAULT_BUDGETS))
    request_deadline_ms: float = 5000.0
    enforced_budget_s: float = 10.0
    revoked_jtis: Collection[str] | None = None
    read_at_epoch_s: float | None = None
    metrics_before_text: str | None = None
    metrics_after_text: str | None = None
    expect_breaker_open: bool = False
    breaker_reset_s: float = 1.0
    workers: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()
    degraded_signal: bool = True
    degraded_metric: bool = True
    statuses: Mapping[str, frozenset[int]] | None = None
    revocations: Literal["keys", "behaviour"] = "keys"

    @property
    def metrics_before(self) -> MetricsSnapshot | None:
        text = self.metrics_before_text
        return None if text is None else MetricsSnapshot.from_text(text)

    @property
    def metrics_after(self) -> MetricsSnapshot | None:
        text = self.metrics_after_text
        return None if text is None else MetricsSnapshot.from_text(text)

    def to_json(self) -> dict[str, Any]:
        """The scalars; the large parts are named by the file that holds them."""
        return {
            "schema": SCHEMA,
            "checks": list(self.checks),
            "failure_mode": self.failure_mode,
            "degraded_bound_s": self.degraded_bound_s,
            "budgets": {
                route: {"p99_ms": b.p99_ms, "max_ms": b.max_ms}
                for route, b in sorted(self.budgets.items())
            },
            "request_deadline_ms": self.request_deadline_ms,
            "enforced_budget_s": self.enforced_budget_s,
            "read_at_epoch_s": self.read_at_epoch_s,
            "expect_breaker_open": self.expect_breaker_open,
            "breaker_reset_s": self.breaker_reset_s,
            "workers": list(self.workers),
            "degraded_signal": self.degraded_signal,
            "degraded_metric": self.degraded_metric,
            "statuses": None
            if self.statuses is None
            else {route: sorted(codes) for route, codes in sorted(self.statuses.items())},
            "revocations": self.revocations,
            "revoked_keys": REVOKED_FILE if self.revoked_jtis is not None else None,
            "metrics_before": METRICS_FILES[0] if self.metrics_before_text is not None else None,
            "metrics_after": METRICS_FILES[1] if self.metrics_after_text is not None else None,
        }

    def save(self, folder: Path) -> None:
        """``inputs.json`` and the files it names, in ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        data = self.to_json()
        (folder / INPUTS_FILE).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        if self.revoked_jtis is not None:
            text = "".join(f"{jti}\n" for jti in sorted(self.revoked_jtis))
            (folder / REVOKED_FILE).write_text(text, encoding="utf-8")
        for name, metrics in zip(
            METRICS_FILES, (self.metrics_before_text, self.metrics_after_text), strict=True
        ):
            if metrics is not None:
                (folder / name).write_text(metrics, encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> CheckInputs:
        """Read ``folder/inputs.json`` and the files it names; ``InputsError`` names what
        is missing or malformed."""
        path = folder / INPUTS_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputsError(f"{path}: {exc.strerror or exc}") from None
        except ValueError as exc:
            raise InputsError(f"{path}: not JSON ({exc})") from None
        if not isinstance(data, dict) or data.get("schema") != SCHEMA:
            raise InputsError(f"{path}: expected an object with schema {SCHEMA}")
        try:
            return cls._from_json(data, folder)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputsError(f"{path}: {type(exc).__name__}: {exc}") from None

    @classmethod
    def _from_json(cls, data: dict[str, Any], folder: Path) -> CheckInputs:
        mode = data["failure_mode"]
        if mode not in ("open", "closed"):
            raise ValueError(f"failure_mode must be open or closed, got {mode!r}")
        budgets = {
            str(route): LatencyBudget(float(b["p99_ms"]), _optional(b.get("max_ms")))
            for route, b in dict(data["budgets"]).items()
        }
        revoked_text = _named_file(folder, data.get("revoked_keys"))
        statuses = data["statuses"]
        revocations = data["revocations"]
        if revocations not in ("keys", "behaviour"):
            raise ValueError(f"revocations must be keys or behaviour, got {revocations!r}")
        return cls(
            failure_mode=cast(Literal["open", "closed"], mode),
            degraded_bound_s=float(data["degraded_bound_s"]),
            budgets=budgets,
            request_deadline_ms=float(data["request_deadline_ms"]),
            enforced_budget_s=float(data["enforced_budget_s"]),
            revoked_jtis=None if revoked_text is None else set(revoked_text.split()),
            read_at_epoch_s=_optional(data.get("read_at_epoch_s")),
            metrics_before_text=_named_file(folder, data.get("metrics_before")),
            metrics_after_text=_named_file(folder, data.get("metrics_after")),
            expect_breaker_open=bool(data["expect_breaker_open"]),
            breaker_reset_s=float(data["breaker_reset_s"]),
            workers=tuple(str(w) for w in data["workers"]),
            checks=tuple(str(c) for c in data["checks"]),
            degraded_signal=bool(data["degraded_signal"]),
            degraded_metric=bool(data["degraded_metric"]),
            statuses=None
            if statuses is None
            else {
                str(route): frozenset(int(c) for c in codes) for route, codes in statuses.items()
            },
            revocations=cast(Literal["keys", "behaviour"], revocations),
        )


def _optional(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number or null, got {value!r}")
    return float(value)


def _named_file(folder: Path, name: object) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str) or "/" in name or name.startswith("."):
        raise ValueError(f"expected a file name in the folder, got {name!r}")
    path = folder / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{path}: {exc.strerror or exc}") from None
