"""I1, revocation is immediate across workers: no verify invoked after a logout's 200 of the
same token (on any worker) may answer 200."""

from __future__ import annotations

from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.history import Call, History

INVARIANT = "I1"


def stale_accepts(history: History) -> Verdict:
    calls = history.calls()
    revoked_at: dict[str, Call] = {}  # jti -> the first acknowledged logout
    for call in calls:
        if call.f == "logout" and call.outcome == "ok" and call.status == 200 and call.jti:
            done = call.end_ns
            first = revoked_at.get(call.jti)
            if done is not None and (first is None or done < (first.end_ns or done)):
                revoked_at[call.jti] = call
    checked = 0
    stale: list[tuple[Call, Call]] = []
    for call in calls:
        if call.f != "verify" or not call.jti or call.jti not in revoked_at:
            continue
        logout = revoked_at[call.jti]
        if logout.end_ns is None or call.start_ns <= logout.end_ns or call.completion is None:
            continue
        checked += 1
        if call.status == 200:
            stale.append((logout, call))
    by_worker: dict[str, int] = {}
    for _, verify in stale:
        key = verify.worker or "?"
        by_worker[key] = by_worker.get(key, 0) + 1
    figures = {
        "logouts_acknowledged": len(revoked_at),
        "verifies_after_logout": checked,
        "stale_accepts": len(stale),
        "stale_accepts_by_worker": by_worker,
    }
    if stale:
        logout, verify = stale[0]
        message = (
            f"I1 violated: {len(stale)} stale accept(s) of {checked} verifies after logout; "
            f"first: token jti {verify.jti or '-'} revoked by logout 200 on worker {logout.worker} "
            f"at {logout.op.wall_time}, then accepted (200) by verify on worker "
            f"{verify.worker} invoked at {verify.invoke.wall_time}"
        )
        # the accepting verify first: the index's "where" names the worker that broke I1
        offending = capped(op for pair in stale for op in (pair[1].op, pair[0].op))
        return Verdict(INVARIANT, False, figures, offending, message)
    if checked == 0:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            figures,
            message="I1 unknown: no verify with a known outcome followed an acknowledged logout",
        )
    return Verdict(
        INVARIANT,
        True,
        figures,
        message=f"I1 holds: 0 stale accepts in {checked} verifies after {len(revoked_at)} logouts",
    )
