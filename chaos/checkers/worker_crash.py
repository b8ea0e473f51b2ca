"""I7, worker crash contained: after one worker is killed (or stopped), the supervisor puts a
new process in its slot, the other workers' calls are unaffected, and the new process
enforces every revocation acknowledged before the crash. Pure: history in, verdict out.

The victim is read from the worker fault's inject op (``value["victim"]``: the URL aimed at,
the ``X-Worker-Id`` hit, whether a replacement is expected), as the fault recorded it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.checkers.windows import fault_windows, history_end_ns
from chaos.faults.base import WORKER_LOSS
from chaos.history import Call, History

__all__ = [
    "Victim",
    "victim_of",
    "victim_outage",
    "without_victim_outage",
    "worker_crash_contained",
]

INVARIANT = "I7"
SLOT = re.compile(r"^w\d+-\d+$")
UNIT = "earlier revocations verified on the replacement"


@dataclass(frozen=True)
class Victim:
    """The worker a worker fault hit: the URL aimed at, its ``X-Worker-Id`` then, and
    whether its supervisor must replace it (kill) or it comes back as is (SIGSTOP)."""

    target: str
    worker: str
    replaced: bool


def victim_of(history: History) -> Victim | None:
    """The victim the first worker fault recorded at its inject (None: no such fault)."""
    for window in fault_windows(history, {WORKER_LOSS}):
        data = window.inject.value.get("victim")
        if isinstance(data, dict) and data.get("target") and data.get("worker"):
            return Victim(str(data["target"]), str(data["worker"]), bool(data.get("replaced")))
    return None


def _hurt(call: Call) -> bool:
    """The call got no answer from a live worker: timeout, dropped, refused, 5xx but 503."""
    done = call.completion
    if done is None or done.status is None:
        return True
    return done.status >= 500 and done.status != 503


def _by_slot(victim: Victim) -> bool:
    """The victim has a slot of its own (``w<slot>-<pid>`` on a port of its own): calls are
    aimed at it by URL. Otherwise the workers share a port, and a call belongs to the worker
    that answered it (or held its connection)."""
    return SLOT.match(victim.worker) is not None


PID = re.compile(r"(?:^|-)(\d+)$")


def _who(label: str | None, victim: Victim) -> str | None:
    """A worker's name as this victim's calls are compared: as given on a port of its own;
    on a shared port ``pid-<pid>`` whether the service's header says ``w1-4242``, ``4242``
    or the gate found the process holding the connection (``pid-4242``)."""
    if label is None or _by_slot(victim):
        return label
    found = PID.search(label)
    return f"pid-{found.group(1)}" if found else label


def _aimed(call: Call, victim: Victim) -> bool:
    """A call aimed at the victim: its URL (own slot), or else answered by it, or failed
    without any worker to blame (its connection was the victim's, as far as one can tell)."""
    if _by_slot(victim):
        return call.invoke.target == victim.target
    done = call.completion
    return _who(call.worker, victim) == _who(victim.worker, victim) or (
        (done is None or done.status is None) and not (done and done.worker)
    )


def _seen_before(calls: list[Call], start: int) -> set[str]:
    return {c.completion.worker for c in calls if c.completion and c.completion.worker
            and (c.end_ns or 0) < start}  # fmt: skip


def victim_outage(history: History, victim: Victim) -> tuple[int, int] | None:
    """(start, end) ns of the victim's outage: from the worker fault's inject to the first
    answer after the heal from its slot (own slot) or from a new or resumed worker (shared
    port); the end of the history if none came."""
    windows = fault_windows(history, {WORKER_LOSS})
    if not windows:
        return None
    window = windows[0]
    end = history_end_ns(history)
    healed = window.end_ns(end)
    calls = history.calls()
    known = {_who(w, victim) for w in _seen_before(calls, window.start_ns)}
    known.discard(_who(victim.worker, victim))
    answers = [
        c.end_ns for c in calls
        if c.start_ns >= healed and c.end_ns is not None and c.status is not None
        and (c.invoke.target == victim.target if _by_slot(victim)
             else _who(c.worker, victim) not in known)
    ]  # fmt: skip
    return window.start_ns, min(answers, default=end)


def without_victim_outage(history: History, victim: Victim) -> tuple[History, int]:
    """The history minus the calls aimed at the victim that overlap its outage (they are
    expected to wait or fail), and how many were left out."""
    outage = victim_outage(history, victim)
    if outage is None:
        return history, 0
    start, stop = outage
    end = history_end_ns(history)
    dropped: set[int] = set()
    for call in history.calls():
        finished = call.end_ns if call.end_ns is not None else end
        if _aimed(call, victim) and call.start_ns <= stop and finished >= start:
            dropped.add(call.invoke.index)
            if call.completion is not None:
                dropped.add(call.completion.index)
    kept = [op for op in history.ops if op.index not in dropped]
    scoped = History()
    for op in kept:
        scoped.append(op)
    return scoped, len(dropped) // 2


def _replacements(calls: list[Call], victim: Victim, start: int) -> set[str]:
    """Who served the victim's place after the crash: a new process in its slot, or on a
    shared port a worker not seen before the crash (or the victim itself when it comes back
    as is, after a SIGSTOP)."""
    if _by_slot(victim):
        slot = victim.worker.partition("-")[0]
        return {
            c.worker for c in calls
            if c.invoke.target == victim.target and c.start_ns >= start and c.worker
            and c.worker.startswith(f"{slot}-")
            and (c.worker != victim.worker or not victim.replaced)
        }  # fmt: skip
    known = {_who(w, victim) for w in _seen_before(calls, start)}
    after = {
        _who(c.worker, victim) for c in calls
        if c.start_ns >= start and c.worker and c.status is not None
    }  # fmt: skip
    new = {w for w in after - known if w}
    hit = _who(victim.worker, victim)
    if not victim.replaced and hit in after and hit:
        new.add(hit)
    return new


def worker_crash_contained(history: History) -> Verdict:
    """I7 for the victim the history's worker fault recorded (``victim_of``)."""
    victim = victim_of(history)
    outage = None if victim is None else victim_outage(history, victim)
    if victim is None or outage is None:
        return Verdict(
            INVARIANT, UNKNOWN, {},
            message="I7 unknown: no worker fault with a recorded victim in the history",
            evidence=0, unit=UNIT,
        )  # fmt: skip
    victim_target, victim_id = victim.target, victim.worker
    start, stop = outage
    calls = history.calls()
    revoked_before = {
        c.jti for c in calls
        if c.f == "logout" and c.outcome == "ok" and c.jti and (c.end_ns or start) < start
    }  # fmt: skip
    new_ids = _replacements(calls, victim, start)
    others_hurt = [
        c for c in calls
        if not _aimed(c, victim) and c.invoke.target is not None
        and _who(c.worker, victim) not in new_ids and start <= c.start_ns <= stop and _hurt(c)
        and (_by_slot(victim) or (c.status is not None))
    ]  # fmt: skip
    checked = [
        c for c in calls
        if c.f == "verify" and _who(c.worker, victim) in new_ids and c.jti in revoked_before
        and c.start_ns >= start
        and c.completion is not None
    ]  # fmt: skip
    stale = [c for c in checked if c.status == 200]
    figures: dict[str, object] = {
        "victim": victim_id,
        "replacements": sorted(new_ids),
        "outage_s": round((stop - start) / 1e9, 3),
        "other_workers_hurt": len(others_hurt),
        "revoked_before_checked_on_new": len(checked),
        "revoked_before_accepted_by_new": len(stale),
    }
    if others_hurt:
        first = others_hurt[0]
        return Verdict(
            INVARIANT, False, figures, capped(c.op for c in others_hurt),
            f"I7 violated: {len(others_hurt)} call(s) to other workers hurt during the outage of "
            f"{victim_id}; first: {first.f} token jti {first.jti}, worker {first.worker}, "
            f"at {first.op.wall_time} ({first.op.error or first.status})", len(checked), UNIT,
        )  # fmt: skip
    if stale:
        first = stale[0]
        return Verdict(
            INVARIANT, False, figures, capped(c.op for c in stale),
            f"I7 violated: the replacement {first.worker} accepted (200) token jti {first.jti}, "
            f"revoked before the crash of {victim_id}, at {first.op.wall_time}", len(checked),
            UNIT,
        )  # fmt: skip
    if not new_ids:
        return Verdict(
            INVARIANT, False, figures,
            message=f"I7 violated: no process answered in the slot of {victim_id} "
            f"({victim_target}) after the crash", evidence=len(checked), unit=UNIT,
        )  # fmt: skip
    if not checked:
        return Verdict(
            INVARIANT, UNKNOWN, figures,
            message="I7 unknown: no token revoked before the crash was verified on the new worker",
            evidence=0, unit=UNIT,
        )  # fmt: skip
    return Verdict(
        INVARIANT, True, figures, (),
        f"I7 holds: slot of {victim_id} served by {', '.join(sorted(new_ids))}, other workers "
        f"unaffected, {len(checked)} earlier revocations enforced by the new worker",
        len(checked), UNIT,
    )  # fmt: skip
