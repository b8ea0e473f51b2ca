"""I8, durability: every revocation acknowledged by a logout 200 is still in Redis after the
fault (a kill -9 and restart, a failover), and how long the service was not ``enforced``.

The unavailability window is measured from the fault (when its inject was called) to the
first and to the steady ``enforced`` verify answer on every worker, as I6 does from a heal;
and for logouts, how long they were refused (``logout_availability``).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from chaos.checkers.acknowledged_logouts import acknowledged_logouts, missing_revocations
from chaos.checkers.logout_availability import logout_unavailability
from chaos.checkers.time_to_enforced import recoveries
from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.checkers.windows import FaultWindow, fault_windows, history_end_ns
from chaos.history import Call, History

INVARIANT = "I8"
UNIT = "acknowledged revocations"


def _named_by_worker(calls: list[Call]) -> list[Call]:
    """Calls without an answer (timeouts) carry their target URL: name them by the worker
    id that URL answered with elsewhere (one port per worker), so they count for it."""
    ids: dict[str, str] = {}
    for call in calls:
        done = call.completion
        if done is not None and done.worker and call.invoke.target:
            ids.setdefault(call.invoke.target, done.worker)
    named: list[Call] = []
    for call in calls:
        done = call.completion
        target = call.invoke.target
        if (done is None or not done.worker) and target in ids:
            if done is None:
                named.append(Call(replace(call.invoke, worker=ids[target]), None))
            else:
                named.append(Call(call.invoke, replace(done, worker=ids[target])))
        else:
            named.append(call)
    return named


def unavailability(history: History, window: FaultWindow) -> dict[str, dict[str, float | None]]:
    """Per worker: ms from the fault to its first and to its steady ``enforced`` answer."""
    calls = _named_by_worker(history.calls())
    later = [w.began_ns for w in fault_windows(history) if w.began_ns > window.began_ns]
    until = min(later, default=history_end_ns(history))
    found = recoveries(calls, window.began_ns, until)
    return {
        worker: {"first_ms": _ms(r.first_s), "steady_ms": _ms(r.steady_s)}
        for worker, r in sorted(found.items())
    }


def durability(
    history: History,
    revoked_jtis: Collection[str] | None,
    *,
    read_at_epoch_s: float | None = None,
) -> Verdict:
    """``revoked_jtis``: jtis of the ``revoked:*`` keys read from Redis after the fault and
    its recovery (None when they could not be read). A logout whose token expired before
    the read (``value["exp"]``) is skipped: its key may rightly be gone."""
    windows = fault_windows(history)
    acknowledged, expired = acknowledged_logouts(history, read_at_epoch_s)
    figures: dict[str, Any] = {
        "acknowledged": len(acknowledged),
        "skipped_expired": expired,
        "revoked_keys_read": None if revoked_jtis is None else len(revoked_jtis),
        "faults": [w.name for w in windows],
    }
    workers = sorted(
        {
            c.completion.worker
            for c in history.calls()
            if c.f == "verify" and c.completion and c.completion.worker
        }
    )
    if windows:
        first = windows[0]
        per_worker = unavailability(history, first)
        figures["unavailability"] = per_worker
        figures["unavailable_first_ms"] = _worst(per_worker, "first_ms", workers)
        figures["unavailable_steady_ms"] = _worst(per_worker, "steady_ms", workers)
        figures["logout_unavailable_ms"] = _first_logout_after(history, first)
        figures.update(logout_unavailability(history, first))
    if revoked_jtis is None:
        message = "I8 unknown: the revoked keys could not be read from Redis after the fault"
        return Verdict(INVARIANT, UNKNOWN, figures, message=message, evidence=0, unit=UNIT)
    lost = missing_revocations(acknowledged, revoked_jtis)
    figures["lost"] = len(lost)
    figures["revoked_accepted_enforced"] = _accepted_as_enforced(history, acknowledged)
    if windows:
        fault_ns = windows[0].began_ns
        figures["lost_acknowledged_before_fault"] = sum(
            1 for c in lost if c.end_ns is not None and c.end_ns < fault_ns
        )
        # a logout invoked after the heal returned wrote to the recovered Redis
        heal_ns = windows[0].end_ns(history_end_ns(history))
        figures["lost_invoked_before_heal"] = sum(1 for c in lost if c.start_ns < heal_ns)
    if lost:
        head = lost[0]
        return Verdict(
            INVARIANT,
            False,
            figures,
            capped(c.op for c in lost),
            (
                f"I8 violated: {len(lost)} of {len(acknowledged)} acknowledged revocations lost "
                f"across {', '.join(figures['faults']) or 'the run'}; first: token jti "
                f"{head.jti or '-'}, acknowledged by worker {head.worker} at {head.op.wall_time}"
            ),
            len(acknowledged),
            UNIT,
        )
    if not windows:
        message = "I8 unknown: no fault in the history, nothing was survived"
        return Verdict(INVARIANT, UNKNOWN, figures, message=message, evidence=0, unit=UNIT)
    if not acknowledged:
        message = "I8 unknown: no logout answered 200"
        return Verdict(INVARIANT, UNKNOWN, figures, message=message, evidence=0, unit=UNIT)
    return Verdict(
        INVARIANT,
        True,
        figures,
        message=(
            f"I8 holds: all {len(acknowledged)} acknowledged revocations survived "
            f"{', '.join(figures['faults'])}; enforced again on every worker after "
            f"{_show(figures.get('unavailable_steady_ms'))}"
        ),
        evidence=len(acknowledged),
        unit=UNIT,
    )


def _first_logout_after(history: History, window: FaultWindow) -> float | None:
    """ms from the fault to the first logout 200 invoked after it (None: none was)."""
    ends = [
        c.end_ns
        for c in history.calls()
        if c.f == "logout" and c.outcome == "ok" and c.start_ns >= window.began_ns and c.end_ns
    ]
    return round((min(ends) - window.began_ns) / 1e6, 1) if ends else None


def _accepted_as_enforced(history: History, acknowledged: list[Call]) -> int:
    """Verifies invoked after a logout 200 of their token that answered 200 ``enforced``:
    the clients' view of a lost revocation (Redis itself said "not revoked")."""
    revoked_at = {c.jti: c.end_ns for c in acknowledged if c.end_ns is not None}
    return sum(
        1
        for c in history.calls()
        if c.f == "verify"
        and c.status == 200
        and c.completion is not None
        and c.completion.revocation_check == "enforced"
        and c.jti in revoked_at
        and c.start_ns > (revoked_at[c.jti] or 0)
    )


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _worst(
    per_worker: dict[str, dict[str, float | None]], key: str, workers: list[str]
) -> float | None:
    """The slowest worker's figure; None when a worker never got there (or gave no verify)."""
    values = [per_worker.get(w, {}).get(key) for w in workers]
    if not values or any(v is None for v in values):
        return None
    return max(v for v in values if v is not None)


def _show(ms: object) -> str:
    return f"{ms} ms" if isinstance(ms, int | float) else "(not steady on every worker)"
