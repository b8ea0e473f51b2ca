"""I3, fail-closed contract: while Redis is lost, no verify answers 200."""

from __future__ import annotations

from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.checkers.windows import FaultWindow, fault_windows, history_end_ns
from chaos.faults.base import REDIS_LOSS
from chaos.history import Call, History

INVARIANT = "I3"
UNIT = "verifies during Redis loss"


def fail_closed(history: History, windows: list[FaultWindow] | None = None) -> Verdict:
    """``windows`` defaults to the history's faults whose effects include ``redis_loss``."""
    loss = windows if windows is not None else fault_windows(history, {REDIS_LOSS})
    end = history_end_ns(history)
    inside: list[tuple[FaultWindow, Call]] = []
    for call in history.calls():
        if call.f != "verify" or call.completion is None:
            continue
        for window in loss:
            if window.contains_call(call, end):
                inside.append((window, call))
                break
    accepted = [(w, c) for w, c in inside if c.status == 200]
    statuses: dict[str, int] = {}
    for _, call in inside:
        key = str(call.status) if call.status is not None else (call.completion.error or "?")  # type: ignore[union-attr]
        statuses[key] = statuses.get(key, 0) + 1
    figures = {
        "loss_windows": len(loss),
        "verifies_during_loss": len(inside),
        "accepted_during_loss": len(accepted),
        "statuses_during_loss": statuses,
    }
    if accepted:
        window, call = accepted[0]
        message = (
            f"I3 violated: {len(accepted)} of {len(inside)} verifies during Redis loss answered "
            f"200; first: token jti {call.jti or '-'} on worker {call.worker} at "
            f"{call.op.wall_time} during {window.label()}"
        )
        offending = capped(c.op for _, c in accepted)
        return Verdict(INVARIANT, False, figures, offending, message, len(inside), UNIT)
    if not inside:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            figures,
            message="I3 unknown: no verify completed inside a Redis-loss window",
            evidence=0,
            unit=UNIT,
        )
    return Verdict(
        INVARIANT,
        True,
        figures,
        message=f"I3 holds: 0 of {len(inside)} verifies during Redis loss answered 200",
        evidence=len(inside),
        unit=UNIT,
    )
