"""I1, revocation is immediate across workers: no verify invoked after a logout's 200 of the
same token (on any worker) may answer 200.

One exact exception, the documented cost of fail-open: a ``degraded`` 200 in flight while a
fault that cuts or slows Redis is in effect, or within ``recovery_s`` after its heal (a
worker's breaker waits out its interval before it reads Redis again). Such a worker cannot
have seen a revocation written through another worker; those answers are counted in the
figures and judged by I2 (no token the worker knew revoked before the loss is accepted).
A ``degraded`` 200 anywhere else (no fault, or long after the heal) is a stale accept.
"""

from __future__ import annotations

from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.checkers.windows import FaultWindow, fault_windows, history_end_ns
from chaos.faults.base import REDIS_LOSS, REDIS_SLOW
from chaos.history import Call, History

INVARIANT = "I1"
UNIT = "verifies after an acknowledged logout"


def _first_acknowledged_logouts(calls: list[Call]) -> dict[str, Call]:
    revoked_at: dict[str, Call] = {}  # jti -> the first acknowledged logout
    for call in calls:
        if call.f == "logout" and call.outcome == "ok" and call.jti:
            done = call.end_ns
            first = revoked_at.get(call.jti)
            if done is not None and (first is None or done < (first.end_ns or done)):
                revoked_at[call.jti] = call
    return revoked_at


def _excused(
    call: Call, windows: list[FaultWindow], end_ns: int, recovery_ns: int, signal: bool
) -> bool:
    """A degraded answer (an unmarked one from a service with no degraded signal) in flight
    at some moment while Redis was cut or slowed, or while workers recovered: a call invoked
    just before the inject may be served after it (a worker working off a backlog)."""
    done = call.completion
    if done is None:
        return False
    if done.revocation_check != "degraded" and (signal or done.revocation_check is not None):
        return False
    answered = call.end_ns if call.end_ns is not None else end_ns
    return any(
        call.start_ns <= w.end_ns(end_ns) + recovery_ns and answered >= w.began_ns for w in windows
    )


def stale_accepts(history: History, *, recovery_s: float = 10.0, signal: bool = True) -> Verdict:
    """``signal``: the service marks unchecked answers; without it, an unmarked 200 during a
    Redis fault is treated like a degraded one (I2 judges it: a silent fail-open)."""
    calls = history.calls()
    revoked_at = _first_acknowledged_logouts(calls)
    windows = fault_windows(history, {REDIS_LOSS, REDIS_SLOW})
    end_ns = history_end_ns(history)
    recovery_ns = int(recovery_s * 1e9)
    checked = excused = elsewhere = 0
    stale: list[tuple[Call, Call]] = []
    for call in calls:
        if call.f != "verify" or not call.jti or call.jti not in revoked_at:
            continue
        logout = revoked_at[call.jti]
        if logout.end_ns is None or call.start_ns <= logout.end_ns or call.completion is None:
            continue
        checked += 1
        if call.worker and logout.worker and call.worker != logout.worker:
            elsewhere += 1
        if call.status != 200:
            continue
        if _excused(call, windows, end_ns, recovery_ns, signal):
            excused += 1
        else:
            stale.append((logout, call))
    by_worker: dict[str, int] = {}
    for _, verify in stale:
        key = verify.worker or "?"
        by_worker[key] = by_worker.get(key, 0) + 1
    figures = {
        "logouts_acknowledged": len(revoked_at),
        "verifies_after_logout": checked,
        "on_another_worker": elsewhere,
        "stale_accepts": len(stale),
        "stale_accepts_by_worker": by_worker,
        "degraded_accepts_during_faults": excused,
    }
    if stale:
        logout, verify = stale[0]
        check = verify.completion.revocation_check if verify.completion else None
        message = (
            f"I1 violated: {len(stale)} stale accept(s) of {checked} verifies after logout; "
            f"first: token jti {verify.jti or '-'} revoked by logout 200 on worker {logout.worker} "
            f"at {logout.op.wall_time}, then accepted (200, {check or 'no check header'}) by "
            f"verify on worker {verify.worker} invoked at {verify.invoke.wall_time}"
        )
        # the accepting verify first: the index's "where" names the worker that broke I1
        offending = capped(op for pair in stale for op in (pair[1].op, pair[0].op))
        return Verdict(INVARIANT, False, figures, offending, message, checked, UNIT)
    if checked == 0:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            figures,
            message="I1 unknown: no verify with a known outcome followed an acknowledged logout",
            evidence=0,
            unit=UNIT,
        )
    extra = f" ({excused} degraded accepts during Redis faults, judged by I2)" if excused else ""
    return Verdict(
        INVARIANT,
        True,
        figures,
        message=(
            f"I1 holds: 0 stale accepts in {checked} verifies after {len(revoked_at)} logouts, "
            f"{elsewhere} of them on another worker than the logout's{extra}"
        ),
        evidence=checked,
        unit=UNIT,
    )
