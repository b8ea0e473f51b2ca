"""Histories written by hand, with explicit times: checker tests and negative controls.

crafted = CraftedHistory()
crafted.call(0, "logout", at=1.0, took=0.01, status=200, worker="w0-1", jti="t1")
crafted.call(1, "verify", at=1.1, took=0.01, status=200, worker="w1-2", jti="t1")
stale_accepts(crafted.history())          # I1 false: a stale accept
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chaos.history import FAULT_PROCESS, History, Op, OpType
from chaos.workload.outcome import outcome_of_status

BASE_NS = 1_000_000_000_000  # any monotonic origin; times are given in seconds after it


def _ns(seconds: float) -> int:
    return BASE_NS + round(seconds * 1e9)


def _wall(seconds: float) -> str:
    whole = int(seconds)
    return f"2026-01-01T00:{whole // 60:02d}:{whole % 60:02d}.{round(seconds % 1 * 1000):03d}+00:00"


class CraftedHistory:
    """Collects calls and faults at given times, then builds a time-ordered History."""

    def __init__(self) -> None:
        self._ops: list[tuple[int, int, Op]] = []

    def _add(self, op: Op) -> None:
        self._ops.append((op.time_ns, len(self._ops), op))

    def call(
        self,
        process: int,
        f: str,
        *,
        at: float,
        took: float | None,
        status: int | None = None,
        type: OpType | None = None,
        worker: str | None = None,
        jti: str | None = None,
        check: str | None = None,
        error: str | None = None,
        value: dict[str, Any] | None = None,
        reply: dict[str, Any] | None = None,
        target: str | None = None,
    ) -> None:
        """A call invoked at ``at`` seconds; ``took=None`` leaves it without a completion.
        ``value`` goes on the invoke (e.g. the token's exp), ``reply`` on the completion;
        ``target`` (the URL aimed at) defaults to ``slot:<worker>``."""
        target = target or (f"slot:{worker}" if worker else None)
        self._add(
            Op(
                -1,
                process,
                "invoke",
                f,
                _ns(at),
                _wall(at),
                target=target,
                jti=jti,
                value=dict(value or {}),
            )
        )
        if took is None:
            return
        kind: OpType = type or (outcome_of_status(status) if status is not None else "info")
        done = at + took
        self._add(
            Op(
                -1,
                process,
                kind,
                f,
                _ns(done),
                _wall(done),
                worker=worker,
                target=target,
                status=status,
                jti=jti,
                revocation_check=check,
                latency_ms=took * 1000,
                error=error,
                value=dict(reply or {}),
            )
        )

    def fault(
        self, name: str, *, inject_at: float, heal_at: float | None, effects: Iterable[str],
        details: dict[str, Any] | None = None,
    ) -> None:  # fmt: skip
        """A fault window (``heal_at=None``: never healed); ``details`` as the fault records
        them (e.g. ``{"victim": {...}}``)."""
        phases = [("inject", inject_at)] + ([("heal", heal_at)] if heal_at is not None else [])
        for phase, at in phases:
            value = {"name": name, "phase": phase, "effects": sorted(effects), **(details or {})}
            self._add(Op(-1, FAULT_PROCESS, "info", "fault", _ns(at), _wall(at), value=value))

    def history(self) -> History:
        return History([op for _, _, op in sorted(self._ops, key=lambda t: (t[0], t[1]))])
