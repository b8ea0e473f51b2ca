"""I2, fail-open contract: while Redis is lost, every verify 200 is marked ``degraded`` and
counted in the metric, no token revoked before the loss is accepted, and past the degraded
bound the worker fails closed (no 200).

A service with no degraded signal fails open silently (contract §2.3): each of its 200s
during the loss is counted as an unchecked accept (a figure, and in the message), and any
token revoked before the loss that it accepts then breaks I2."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chaos.checkers.acknowledged_logouts import acknowledged_at
from chaos.checkers.verdict import UNKNOWN, Validity, Verdict, capped, combine
from chaos.checkers.windows import FaultWindow, fault_windows, history_end_ns
from chaos.faults.base import REDIS_LOSS
from chaos.history import Call, History, Op

INVARIANT = "I2"
UNIT = "verifies during Redis loss"


@dataclass
class _LossAnswers:
    """The verifies answered during Redis loss: how many, how many 200s were unchecked, and
    what broke I2 (reason, call, window)."""

    inside: int = 0
    degraded: int = 0
    problems: list[tuple[str, Call, FaultWindow]] = field(default_factory=list)


def _loss_answers(
    history: History,
    loss: list[FaultWindow],
    *,
    degraded_bound_s: float,
    bound_slack_s: float,
    known_after_s: float,
    signal: bool,
) -> _LossAnswers:
    end = history_end_ns(history)
    calls = history.calls()
    revoked_done = acknowledged_at(calls)
    found = _LossAnswers()
    for call in calls:
        if call.f != "verify" or call.completion is None:
            continue
        window = next((w for w in loss if w.contains_call(call, end)), None)
        if window is None:
            _in_flight(
                call, loss, end=end, revoked_done=revoked_done, known_after_s=known_after_s,
                signal=signal, found=found,
            )  # fmt: skip
            continue
        found.inside += 1
        if call.status != 200:
            continue
        check = call.completion.revocation_check
        if check == "degraded" or not signal:
            found.degraded += 1
        else:
            found.problems.append((f"200 marked {check!r}, not 'degraded'", call, window))
        revoked = revoked_done.get(call.jti or "")
        if revoked is not None and revoked + int(known_after_s * 1e9) < window.start_ns:
            found.problems.append(("token revoked before the loss accepted", call, window))
        past_bound_ns = window.start_ns + int((degraded_bound_s + bound_slack_s) * 1e9)
        if call.start_ns > past_bound_ns:
            found.problems.append(
                (f"200 past the degraded bound of {degraded_bound_s}s", call, window)
            )
    return found


def _in_flight(
    call: Call,
    loss: list[FaultWindow],
    *,
    end: int,
    revoked_done: dict[str, int],
    known_after_s: float,
    signal: bool,
    found: _LossAnswers,
) -> None:
    """A verify in flight across an edge of the loss (invoked before the inject, or answered
    after the heal): its unchecked 200 of a token revoked before the loss is I2's too (I1
    leaves such answers to I2)."""
    if call.status != 200 or call.completion is None:
        return
    if signal and call.completion.revocation_check != "degraded":
        return  # a checked answer: I1 judges it
    window = next((w for w in loss if w.overlaps_call(call, end)), None)
    revoked = revoked_done.get(call.jti or "")
    if window and revoked is not None and revoked + int(known_after_s * 1e9) < window.start_ns:
        found.problems.append(("token revoked before the loss accepted (in flight)", call, window))


def _metric_validity(
    degraded: int, metric_total: float | None, *, measured: bool, judged: bool
) -> Validity:
    """The degraded counter rose at least as much as clients saw ``degraded`` 200s.
    ``judged``: the service signals and counts them; ``measured``: the metric was scraped."""
    if not judged:
        return True  # nothing to count against: the service declares no such metric
    if measured and metric_total is not None:
        return metric_total >= degraded
    if measured:
        return degraded == 0
    return UNKNOWN


def fail_open(
    history: History,
    *,
    degraded_bound_s: float,
    degraded_metric_delta: Mapping[str, float] | None,
    windows: list[FaultWindow] | None = None,
    bound_slack_s: float = 1.0,
    known_after_s: float = 1.0,
    signal: bool = True,
    expect_metric: bool = True,
) -> Verdict:
    """``degraded_metric_delta``: ``auth_revocation_degraded_total`` per worker, after minus
    before the run (None when it could not be scraped: that part is then unknown).
    ``bound_slack_s`` allows for the last good contact being a little after the inject;
    a revocation counts as known to every worker ``known_after_s`` after its logout's 200
    (pub/sub delivery), so one acknowledged just before the loss is not held against it.
    ``signal``: the service marks unchecked answers; ``expect_metric``: it counts them in
    ``auth_revocation_degraded_total`` (otherwise that part is not judged)."""
    loss = windows if windows is not None else fault_windows(history, {REDIS_LOSS})
    found = _loss_answers(
        history,
        loss,
        degraded_bound_s=degraded_bound_s,
        bound_slack_s=bound_slack_s,
        known_after_s=known_after_s,
        signal=signal,
    )
    inside, degraded, problems = found.inside, found.degraded, found.problems
    metric_total = sum(degraded_metric_delta.values()) if degraded_metric_delta else None
    figures: dict[str, object] = {
        "loss_windows": len(loss),
        "verifies_during_loss": inside,
        "degraded_accepts" if signal else "unchecked_accepts": degraded,
        "degraded_metric_delta": metric_total,
        "problems": len(problems),
    }
    metric_ok = _metric_validity(
        degraded,
        metric_total,
        measured=degraded_metric_delta is not None,
        judged=signal and expect_metric,
    )

    def said(valid: Validity, message: str, offending: tuple[Op, ...] = ()) -> Verdict:
        return Verdict(INVARIANT, valid, figures, offending, message, inside, UNIT)

    silent = (
        f"; {degraded} unchecked 200s during the loss: the service gives no degraded signal "
        "(a silent fail-open)"
        if not signal
        else ""
    )
    if problems:
        reason, call, window = problems[0]
        return said(
            False,
            f"I2 violated{silent}: {len(problems)} problem(s) during Redis loss; first: {reason}: "
            f"token jti {call.jti or '-'}, worker {call.worker}, at {call.op.wall_time}, "
            f"during {window.label()}",
            capped(c.op for _, c, _ in problems),
        )
    if metric_ok is False:
        return said(
            False,
            f"I2 violated: {degraded} degraded 200s seen by clients but the metric "
            f"auth_revocation_degraded_total rose by only {metric_total}",
        )
    if inside == 0:
        return said(UNKNOWN, "I2 unknown: no verify completed inside a Redis-loss window")
    if combine(True, metric_ok) == UNKNOWN:
        return said(
            UNKNOWN,
            f"I2 unknown: {degraded} degraded 200s all marked, but the degraded metric was not "
            "scraped, so the count cannot be checked",
        )
    held = (
        f"{degraded} degraded 200s all marked and counted (metric +{metric_total})"
        if signal and expect_metric
        else f"{degraded} degraded 200s all marked"
        if signal
        else f"{degraded} unchecked 200s (the service gives no degraded signal), no token "
        "revoked before the loss accepted"
    )
    return said(True, f"I2 holds: {inside} verifies during Redis loss, {held}, none past the bound")
