"""I2, fail-open contract: while Redis is lost, every verify 200 is marked ``degraded`` and
counted in the metric, no token revoked before the loss is accepted, and past the degraded
bound the worker fails closed (no 200).

A service with no degraded signal fails open silently (contract §2.3): each of its 200s
during the loss is counted as an unchecked accept (a figure, and in the message), and any
token revoked before the loss that it accepts then breaks I2."""

from __future__ import annotations

from collections.abc import Mapping

from chaos.checkers.verdict import UNKNOWN, Validity, Verdict, capped, combine
from chaos.checkers.windows import FaultWindow, fault_windows, history_end_ns
from chaos.faults.base import REDIS_LOSS
from chaos.history import Call, History

INVARIANT = "I2"
UNIT = "verifies during Redis loss"


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
    end = history_end_ns(history)
    calls = history.calls()
    revoked_done: dict[str, int] = {}
    for call in calls:
        if call.f == "logout" and call.outcome == "ok" and call.jti and call.end_ns is not None:
            revoked_done[call.jti] = min(call.end_ns, revoked_done.get(call.jti, call.end_ns))

    problems: list[tuple[str, Call, FaultWindow]] = []
    inside = degraded = 0
    for call in calls:
        if call.f != "verify" or call.completion is None:
            continue
        window = next((w for w in loss if w.contains_call(call, end)), None)
        if window is None:
            continue
        inside += 1
        if call.status != 200:
            continue
        check = call.completion.revocation_check
        if check == "degraded" or not signal:
            degraded += 1
        else:
            problems.append((f"200 marked {check!r}, not 'degraded'", call, window))
        revoked = revoked_done.get(call.jti or "")
        if revoked is not None and revoked + int(known_after_s * 1e9) < window.start_ns:
            problems.append(("token revoked before the loss accepted", call, window))
        past_bound_ns = window.start_ns + int((degraded_bound_s + bound_slack_s) * 1e9)
        if call.start_ns > past_bound_ns:
            problems.append((f"200 past the degraded bound of {degraded_bound_s}s", call, window))

    metric_total = sum(degraded_metric_delta.values()) if degraded_metric_delta else None
    figures: dict[str, object] = {
        "loss_windows": len(loss),
        "verifies_during_loss": inside,
        "degraded_accepts" if signal else "unchecked_accepts": degraded,
        "degraded_metric_delta": metric_total,
        "problems": len(problems),
    }
    metric_ok: Validity = UNKNOWN
    if not signal or not expect_metric:
        metric_ok = True  # nothing to count against: the service declares no such metric
    elif degraded_metric_delta is not None and metric_total is not None:
        metric_ok = metric_total >= degraded
    elif degraded_metric_delta is not None:
        metric_ok = degraded == 0
    silent = (
        f"; {degraded} unchecked 200s during the loss: the service gives no degraded signal "
        "(a silent fail-open)"
        if not signal
        else ""
    )
    if problems:
        reason, call, window = problems[0]
        message = (
            f"I2 violated{silent}: {len(problems)} problem(s) during Redis loss; first: {reason}: "
            f"token jti {call.jti or '-'}, worker {call.worker}, at {call.op.wall_time}, "
            f"during {window.label()}"
        )
        offending = capped(c.op for _, c, _ in problems)
        return Verdict(INVARIANT, False, figures, offending, message, inside, UNIT)
    if metric_ok is False:
        return Verdict(
            INVARIANT,
            False,
            figures,
            message=(
                f"I2 violated: {degraded} degraded 200s seen by clients but the metric "
                f"auth_revocation_degraded_total rose by only {metric_total}"
            ),
            evidence=inside,
            unit=UNIT,
        )
    if inside == 0:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            figures,
            message="I2 unknown: no verify completed inside a Redis-loss window",
            evidence=0,
            unit=UNIT,
        )
    valid = combine(True, metric_ok)
    if valid == UNKNOWN:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            figures,
            message=(
                f"I2 unknown: {degraded} degraded 200s all marked, but the degraded metric "
                "was not scraped, so the count cannot be checked"
            ),
            evidence=inside,
            unit=UNIT,
        )
    held = (
        f"{degraded} degraded 200s all marked and counted (metric +{metric_total})"
        if signal and expect_metric
        else f"{degraded} degraded 200s all marked"
        if signal
        else f"{degraded} unchecked 200s (the service gives no degraded signal), no token "
        "revoked before the loss accepted"
    )
    return Verdict(
        INVARIANT,
        True,
        figures,
        message=(f"I2 holds: {inside} verifies during Redis loss, {held}, none past the bound"),
        evidence=inside,
        unit=UNIT,
    )
