"""The checks a scenario can declare, by invariant name, and running exactly those.

    verdicts = run_checks(("I1", "I2", "I9"), history, inputs)
    checks_for(effects={"redis_loss"}, mode="open")  # what a Redis-loss scenario declares

Each check is a pure function ``(History, CheckInputs) -> Verdict`` run under
``run_checker``: an exception or a pass without evidence is ``unknown``. When the history
holds a worker fault with a recorded victim, I5, I6 and I9 judge the history without the
calls aimed at the victim during its outage (they are expected to wait or fail); I7 judges
the victim itself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import replace

from chaos.checkers.degraded_outside import degraded_outside_faults
from chaos.checkers.documented_statuses import DOCUMENTED_STATUSES, documented_statuses
from chaos.checkers.durability import durability
from chaos.checkers.fail_closed import fail_closed
from chaos.checkers.fail_open import fail_open
from chaos.checkers.inputs import CheckInputs
from chaos.checkers.latency_budgets import latency_budgets
from chaos.checkers.logout_overstates import logout_overstates, logouts_refused_after
from chaos.checkers.pool_breaker import pool_breaker
from chaos.checkers.stale_accepts import stale_accepts
from chaos.checkers.time_to_enforced import time_to_enforced
from chaos.checkers.verdict import Verdict, run_checker
from chaos.checkers.windows import fault_windows, history_end_ns
from chaos.checkers.worker_crash import victim_of, without_victim_outage, worker_crash_contained
from chaos.faults.base import REDIS_LOSS, REDIS_SLOW, WORKER_LOSS
from chaos.history import History
from chaos.workload.metrics import delta

__all__ = ["CHECKS", "UnknownCheck", "checks_for", "run_checks"]

Check = Callable[[History, CheckInputs], Verdict]
VICTIM_SCOPED = frozenset({"I5", "I6", "I9"})


class UnknownCheck(ValueError):
    """A declared check that does not exist; the message lists the known ones."""


def _degraded_delta(inputs: CheckInputs) -> dict[str, float] | None:
    before, after = inputs.metrics_before, inputs.metrics_after
    if before is None or after is None:
        return None
    return delta(before, after, "auth_revocation_degraded_total")


def _redis_outage_s(history: History) -> float:
    """Total seconds of Redis-affecting fault windows (bounds the breaker's open intervals)."""
    end = history_end_ns(history)
    windows = fault_windows(history, {REDIS_LOSS, REDIS_SLOW})
    return sum((w.end_ns(end) - w.start_ns) / 1e9 for w in windows)


def _logouts(history: History, inputs: CheckInputs) -> Verdict:
    """I4 from the revocation keys, or by behaviour when their scheme is unknown."""
    if inputs.revocations == "behaviour":
        return logouts_refused_after(history, read_at_epoch_s=inputs.read_at_epoch_s)
    return logout_overstates(history, inputs.revoked_jtis, read_at_epoch_s=inputs.read_at_epoch_s)


CHECKS: dict[str, Check] = {
    "I1": lambda h, i: stale_accepts(h, recovery_s=i.enforced_budget_s, signal=i.degraded_signal),
    "I2": lambda h, i: fail_open(
        h,
        degraded_bound_s=i.degraded_bound_s,
        degraded_metric_delta=_degraded_delta(i),
        signal=i.degraded_signal,
        expect_metric=i.degraded_metric,
    ),
    "I2-outside": lambda h, i: degraded_outside_faults(
        h, recovery_s=i.enforced_budget_s, signal=i.degraded_signal
    ),
    "I3": lambda h, _: fail_closed(h),
    "I4": _logouts,
    "I5": lambda h, i: latency_budgets(h, i.budgets, request_deadline_ms=i.request_deadline_ms),
    "I6": lambda h, i: time_to_enforced(h, budget_s=i.enforced_budget_s, signal=i.degraded_signal),
    "I7": lambda h, _: worker_crash_contained(h),
    "I8": lambda h, i: durability(h, i.revoked_jtis, read_at_epoch_s=i.read_at_epoch_s),
    "I9": lambda h, i: documented_statuses(h, i.statuses or DOCUMENTED_STATUSES),
    "I10": lambda h, i: pool_breaker(
        i.metrics_before,
        i.metrics_after,
        expect_breaker_open=i.expect_breaker_open,
        outage_s=_redis_outage_s(h),
        breaker_reset_s=i.breaker_reset_s,
    ),
}


def checks_for(
    effects: Collection[str], mode: str, *, crowd: bool = False, durability: bool = False
) -> tuple[str, ...]:  # fmt: skip
    """What a scenario declares when it does not name its checks: from what its faults do.
    Redis loss: the failure policy (I2 or I3 by ``mode``) and the breaker (I10); Redis slow:
    the same without the policy; a worker lost: I7 instead of I2/I3 and I6. A durability
    drill: I8, the policy during a Redis loss, and I9."""
    policy = "I2" if mode == "open" else "I3"
    if durability:
        return ("I8", policy, "I9") if REDIS_LOSS in effects else ("I8", "I9")
    if WORKER_LOSS in effects:
        checks = ["I1", "I4", "I5", "I7", "I9", "I10"]
    elif REDIS_LOSS in effects:
        checks = ["I1", policy, "I4", "I5", "I6", "I9", "I10"]
    else:
        checks = ["I1", "I4", "I5", "I6", "I9", "I10"]
    if crowd:
        checks.append("I2-outside")
    return tuple(checks)


def _scoped(history: History, name: str) -> tuple[History, int]:
    """The history ``name`` judges: without the victim's outage for the scoped checks."""
    victim = victim_of(history) if name in VICTIM_SCOPED else None
    if victim is None:
        return history, 0
    return without_victim_outage(history, victim)


def _judge(check: Check, history: History, inputs: CheckInputs) -> Callable[[], Verdict]:
    return lambda: check(history, inputs)


def run_checks(names: Iterable[str], history: History, inputs: CheckInputs) -> list[Verdict]:
    """Exactly the ``names`` checks, in that order; ``UnknownCheck`` for a name not in
    ``CHECKS`` (a declaration error, before anything is judged)."""
    wanted = list(names)
    unknown = [n for n in wanted if n not in CHECKS]
    if unknown:
        raise UnknownCheck(f"unknown check(s) {unknown}; known: {', '.join(CHECKS)}")
    has_victim = bool(fault_windows(history, {WORKER_LOSS}))
    verdicts: list[Verdict] = []
    for name in wanted:
        judged, set_aside = _scoped(history, name) if has_victim else (history, 0)
        verdict = run_checker(name, _judge(CHECKS[name], judged, inputs))
        if set_aside:
            victim = victim_of(history)
            note = f" ({set_aside} calls aimed at {victim.worker if victim else '?'} during its"
            verdict = replace(
                verdict,
                message=f"{verdict.message}{note} outage set aside)",
                figures={**verdict.figures, "victim_calls_set_aside": set_aside},
            )
        verdicts.append(verdict)
    return verdicts
