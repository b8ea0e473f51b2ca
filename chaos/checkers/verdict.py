"""Verdicts: what a checker says about one invariant. ``valid`` is True, False or "unknown".

A checker is a pure function of a history (and explicit inputs) returning a ``Verdict``
that carries its evidence: how many calls, tokens, workers or windows it judged.
``run_checker`` turns any exception into ``unknown``, and a pass that judged nothing (or did
not say how much it judged) into ``unknown`` with the reason: never a pass without evidence
(contract §2.2).
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from chaos.history import Op

Validity = bool | Literal["unknown"]
UNKNOWN: Literal["unknown"] = "unknown"
OFFENDING_CAP = 20  # enough to see the pattern; the figures carry the full counts


@dataclass(frozen=True)
class Verdict:
    """The outcome of one invariant on one history."""

    invariant: str
    valid: Validity
    figures: dict[str, Any] = field(default_factory=dict)
    offending: tuple[Op, ...] = ()
    message: str = ""
    evidence: int | None = None  # how many ``unit`` the checker judged
    unit: str = "calls"  # calls, tokens, workers, windows, revocations...

    @property
    def failed(self) -> bool:
        return self.valid is False

    @property
    def label(self) -> str:
        if self.valid is True:
            return "pass"
        return "FAIL" if self.valid is False else "unknown"

    def to_json(self) -> dict[str, Any]:
        return {
            "invariant": self.invariant,
            "valid": self.valid,
            "figures": self.figures,
            "offending": [op.to_json() for op in self.offending],
            "message": self.message,
            "evidence": self.evidence,
            "unit": self.unit,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        valid = data["valid"]
        if valid not in (True, False, UNKNOWN):
            raise ValueError(f"verdict valid must be true, false or 'unknown', got {valid!r}")
        return cls(
            invariant=str(data["invariant"]),
            valid=valid,
            figures=dict(data.get("figures") or {}),
            offending=tuple(Op.from_json(op) for op in data.get("offending") or []),
            message=str(data.get("message", "")),
            evidence=_count(data.get("evidence")),
            unit=str(data.get("unit", "calls")),
        )

    @property
    def unknown_reason(self) -> str:
        """Why an ``unknown`` verdict could not decide (its message without the prefix)."""
        prefix = f"{self.invariant} unknown: "
        return self.message.removeprefix(prefix) if self.valid == UNKNOWN else ""


def _count(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"verdict evidence must be a count >= 0 or null, got {value!r}")
    return value


def capped(ops: Iterable[Op]) -> tuple[Op, ...]:
    """The first ``OFFENDING_CAP`` ops."""
    out: list[Op] = []
    for op in ops:
        if len(out) == OFFENDING_CAP:
            break
        out.append(op)
    return tuple(out)


def combine(*parts: Validity) -> Validity:
    """False if any part is False, else unknown if any is unknown, else True."""
    if any(p is False for p in parts):
        return False
    if any(p == UNKNOWN for p in parts):
        return UNKNOWN
    return True


def gate_passes(verdicts: Sequence[Verdict]) -> bool:
    """The gate fails on any False verdict."""
    return not any(v.failed for v in verdicts)


def without_evidence(verdict: Verdict) -> Verdict:
    """A pass that judged nothing, or did not say how much it judged, is ``unknown``."""
    if verdict.valid is not True:
        return verdict
    if verdict.evidence is None:
        reason = "the checker passed without saying what it judged"
    elif verdict.evidence == 0:
        reason = f"no {verdict.unit} to judge"
    else:
        return verdict
    return Verdict(
        verdict.invariant, UNKNOWN, verdict.figures, verdict.offending,
        f"{verdict.invariant} unknown: {reason}", verdict.evidence, verdict.unit,
    )  # fmt: skip


def run_checker(invariant: str, check: Callable[[], Verdict]) -> Verdict:
    """Run ``check``; an exception becomes an ``unknown`` verdict that names it, and a pass
    without evidence becomes ``unknown`` (``without_evidence``)."""
    try:
        return without_evidence(check())
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1:]
        at = f" at {where[0].filename}:{where[0].lineno}" if where else ""
        return Verdict(
            invariant,
            UNKNOWN,
            {"exception": f"{type(exc).__name__}: {exc}"},
            message=f"{invariant} unknown: the checker raised {type(exc).__name__}: {exc}{at}",
        )
