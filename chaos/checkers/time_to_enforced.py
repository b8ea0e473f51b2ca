"""I6, recovery: after each heal of a Redis fault, every worker answers ``enforced`` again
(first, and steadily: no degraded 200, 503 or timeout afterwards) within a budget, without
a restart.

For a service with no degraded signal, a worker counts as enforcing by behaviour: it
refuses (401/403) a token whose logout was acknowledged before the verify began, and a 200
for such a token says it does not."""

from __future__ import annotations

from dataclasses import dataclass

from chaos.checkers.acknowledged_logouts import acknowledged_at
from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.checkers.windows import FaultWindow, fault_windows
from chaos.faults.base import REDIS_LOSS, REDIS_SLOW
from chaos.history import Call, History

INVARIANT = "I6"
UNIT = "worker recoveries"


@dataclass(frozen=True)
class Recovery:
    """One worker after one heal: seconds to the first and to the steady ``enforced``."""

    worker: str
    first_s: float | None
    steady_s: float | None
    last_non_enforced: Call | None


REFUSED = frozenset({401, 403})


def _enforced(call: Call, revoked_at: dict[str, int] | None) -> bool | None:
    """True/False when the answer tells whether the revocation list was checked, else None.
    ``revoked_at`` (jti -> acknowledged, ns): judge by behaviour (no degraded signal)."""
    done = call.completion
    if done is None or (done.type == "info" and "timeout" in (done.error or "")):
        return False
    if done.status == 503:
        return False
    if revoked_at is not None:
        at = revoked_at.get(call.jti or "")
        if at is None or at >= call.start_ns:
            return None  # a live token's answer says nothing about the revocation list
        if done.status in REFUSED:
            return True
        return False if done.status == 200 else None
    if done.status == 200:
        return done.revocation_check == "enforced"
    return None  # a 401 or a refused connection says nothing about Redis


def recoveries(
    calls: list[Call], heal_ns: int, until_ns: int, revoked_at: dict[str, int] | None = None
) -> dict[str, Recovery]:
    """Per worker, from the verifies invoked between ``heal_ns`` and ``until_ns``."""
    events: dict[str, list[tuple[int, bool, Call]]] = {}
    for call in calls:
        if call.f != "verify" or not heal_ns <= call.start_ns <= until_ns:
            continue
        enforced = _enforced(call, revoked_at)
        if enforced is None or not call.worker:
            continue
        at = call.end_ns if call.end_ns is not None else call.start_ns
        if at > until_ns:  # still in flight when the next fault began: not about this heal
            continue
        events.setdefault(call.worker, []).append((at, enforced, call))
    out: dict[str, Recovery] = {}
    for worker, seen in events.items():
        seen.sort(key=lambda e: e[0])
        first = next((at for at, ok, _ in seen if ok), None)
        last_bad = max((i for i, (_, ok, _) in enumerate(seen) if not ok), default=-1)
        steady = seen[last_bad + 1][0] if last_bad + 1 < len(seen) else None
        out[worker] = Recovery(
            worker,
            None if first is None else (first - heal_ns) / 1e9,
            None if steady is None else (steady - heal_ns) / 1e9,
            seen[last_bad][2] if last_bad >= 0 else None,
        )
    return out


def time_to_enforced(
    history: History,
    *,
    budget_s: float,
    windows: list[FaultWindow] | None = None,
    signal: bool = True,
) -> Verdict:
    """``windows`` defaults to the history's faults affecting Redis (loss or slow);
    ``signal``: the service marks unchecked answers (else: judged by behaviour)."""
    chosen = windows if windows is not None else fault_windows(history, {REDIS_LOSS, REDIS_SLOW})
    healed = [w for w in chosen if w.heal is not None]
    everything = fault_windows(history)
    calls = history.calls()
    revoked_at = acknowledged_at(calls)
    # the workers that answered a verify (X-Worker-Id): a call nobody answered names only
    # the URL it was aimed at, which is no worker that could recover
    workers = sorted({c.completion.worker for c in calls if c.f == "verify" and c.completion
                      and c.completion.worker})  # fmt: skip
    end = max((op.time_ns for op in history.ops), default=0)
    figures: dict[str, dict[str, object]] = {}
    late: list[tuple[FaultWindow, Recovery]] = []
    silent: list[str] = []
    for number, window in enumerate(healed, 1):
        assert window.heal is not None
        heal_ns = window.heal.time_ns
        # watched until the next fault is called (a schedule of several faults)
        until = min((w.began_ns for w in everything if w.began_ns > heal_ns), default=end)
        found = recoveries(calls, heal_ns, until, None if signal else revoked_at)
        key = f"{number}:{window.name}"
        figures[key] = {
            w: {"first_s": _r(r.first_s), "steady_s": _r(r.steady_s)} for w, r in found.items()
        }
        for worker in workers:
            recovery = found.get(worker)
            if recovery is None:
                silent.append(f"{worker} after {key} (no verify)")
            elif recovery.last_non_enforced is None and (recovery.first_s or 0) > budget_s:
                # never seen unenforced, but first seen only past the budget (a worker that
                # fresh connections rarely reach): when it recovered is not known
                silent.append(
                    f"{worker} after {key} (its first verify came {recovery.first_s:.2f}s "
                    "after the heal, already enforced)"
                )
            elif recovery.steady_s is not None and recovery.steady_s > budget_s:
                late.append((window, recovery))
            elif recovery.steady_s is None and (until - heal_ns) / 1e9 >= budget_s:
                late.append((window, recovery))  # watched for the whole budget, never steady
            elif recovery.steady_s is None:
                silent.append(f"{worker} within the {(until - heal_ns) / 1e9:.1f}s watched")
    all_figures: dict[str, object] = {"heals": figures, "budget_s": budget_s}
    judged = len(healed) * len(workers) - len(silent)
    if late:
        window, recovery = late[0]
        bad = recovery.last_non_enforced
        detail = (
            f"; last non-enforced answer: token jti {bad.jti or '-'} at {bad.op.wall_time}"
            if bad
            else ""
        )
        took = "never" if recovery.steady_s is None else f"after {recovery.steady_s:.2f}s"
        return Verdict(
            INVARIANT,
            False,
            all_figures,
            capped(r.last_non_enforced.op for _, r in late if r.last_non_enforced),
            (
                f"I6 violated: worker {recovery.worker} reached steady 'enforced' {took} "
                f"(budget {budget_s}s) after the heal of {window.label()}{detail}"
            ),
            judged,
            UNIT,
        )
    if not healed or silent:
        why = "no Redis fault was healed" if not healed else f"no steady enforced from {silent[0]}"
        return Verdict(
            INVARIANT, UNKNOWN, all_figures, message=f"I6 unknown: {why}", evidence=judged,
            unit=UNIT,
        )  # fmt: skip
    return Verdict(
        INVARIANT,
        True,
        all_figures,
        message=(
            f"I6 holds: every worker ({len(workers)}) steadily enforced within {budget_s}s "
            f"after each of {len(healed)} heal(s)"
        ),
        evidence=judged,
        unit=UNIT,
    )


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
