"""The converse of I2: a ``degraded`` answer only while a fault cuts or slows Redis, or within
the documented allowance after its heal (``recovery_s``, I1's and I6's ``enforced_s``). A
``degraded`` 200 anywhere else (before the first fault, long after a heal) means a worker
failed open with Redis healthy, e.g. an overloaded worker taking its own lateness for a
Redis loss (docs/performance.md); overload must shed (503), not skip the revocation check."""

from __future__ import annotations

from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.checkers.windows import fault_windows, history_end_ns
from chaos.faults.base import REDIS_LOSS, REDIS_SLOW
from chaos.history import Call, History

INVARIANT = "I2-outside"
UNIT = "verify 200s outside Redis faults"


def degraded_outside_faults(history: History, *, recovery_s: float, signal: bool = True) -> Verdict:
    """``signal``: the service marks unchecked answers (otherwise there is nothing to tell
    a degraded answer by: unknown)."""
    if not signal:
        return Verdict(
            INVARIANT, UNKNOWN, {},
            message=f"{INVARIANT} unknown: the service gives no degraded signal, so a "
            "degraded answer cannot be told from a checked one",
            evidence=0, unit=UNIT,
        )  # fmt: skip
    windows = fault_windows(history, {REDIS_LOSS, REDIS_SLOW})
    end = history_end_ns(history)
    allowance = int(recovery_s * 1e9)
    outside: list[Call] = []
    judged = degraded = 0
    for call in history.calls():
        done = call.completion
        if call.f != "verify" or done is None or done.status != 200:
            continue
        inside = any(w.began_ns <= call.start_ns <= w.end_ns(end) + allowance for w in windows)
        if inside:
            degraded += done.revocation_check == "degraded"
            continue
        judged += 1
        if done.revocation_check == "degraded":
            outside.append(call)
    figures = {
        "verifies_outside_faults": judged,
        "degraded_outside_faults": len(outside),
        "degraded_inside_faults": degraded,
        "allowance_s": recovery_s,
    }
    if outside:
        first = outside[0]
        return Verdict(
            INVARIANT,
            False,
            figures,
            capped(c.op for c in outside),
            (
                f"{INVARIANT} violated: {len(outside)} degraded 200(s) outside every Redis fault "
                f"window (+{recovery_s:g}s after its heal); first: token jti {first.jti or '-'}, "
                f"worker {first.worker}, invoked at {first.invoke.wall_time}"
            ),
            judged,
            UNIT,
        )
    if judged == 0:
        return Verdict(
            INVARIANT, UNKNOWN, figures,
            message=f"{INVARIANT} unknown: no verify answered 200 outside the fault windows",
            evidence=0, unit=UNIT,
        )  # fmt: skip
    return Verdict(
        INVARIANT,
        True,
        figures,
        message=(
            f"{INVARIANT} holds: {judged} verify 200s outside the Redis faults, none degraded "
            f"({degraded} degraded inside them or within {recovery_s:g}s of a heal)"
        ),
        evidence=judged,
        unit=UNIT,
    )
