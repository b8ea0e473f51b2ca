"""I5, bounded latency under faults: p99 and max of each route during each fault window
against its budget; the max never beyond the request deadline. Every call in flight during
a window is judged with it, whenever it answered (a call stuck through the whole fault and
answered after the heal is the frozen service this catches). A call whose outcome is
unknown because it timed out (or never completed) counts as beyond every budget. A window
of a Redis fault in which the service answered far less than before the first fault (below
``COLLAPSE`` of the rate before) is a collapse: a finding, never a pass."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.checkers.windows import FaultWindow, fault_windows, history_end_ns
from chaos.faults.base import REDIS_LOSS, REDIS_SLOW
from chaos.history import Call, History

INVARIANT = "I5"
UNIT = "calls in fault windows"
COLLAPSE = 0.1  # answers per second during a Redis fault below this share of before
MIN_BASELINE = 20  # answers before the first fault needed to judge a collapse
MIN_WINDOW_S = 1.0


@dataclass(frozen=True)
class LatencyBudget:
    """Budget of one route during a fault: p99 and (optionally) max, in milliseconds."""

    p99_ms: float
    max_ms: float | None = None


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def call_latency_ms(call: Call) -> float:
    """The call's latency; infinite when it timed out or never completed."""
    done = call.completion
    if done is None or done.latency_ms is None:
        return math.inf
    if done.type == "info" and "timeout" in (done.error or ""):
        return math.inf
    return done.latency_ms


def _shown(ms: float) -> float | str:
    return "timeout" if math.isinf(ms) else round(ms, 1)


def _text(ms: float) -> str:
    return "timeout" if math.isinf(ms) else f"{ms:.1f} ms"


def _answered(call: Call) -> bool:
    return call.completion is not None and call.completion.status is not None


def rate_before(
    calls: Sequence[Call], windows: Sequence[FaultWindow], history: History
) -> float | None:
    """Answers per second from the start of the history to the first fault (None: too few
    to judge a collapse by)."""
    if not windows or not history.ops:
        return None
    start = min(op.time_ns for op in history.ops)
    first = min(w.began_ns for w in windows)
    answered = sum(1 for c in calls if _answered(c) and c.end_ns is not None and c.end_ns < first)
    span = (first - start) / 1e9
    return answered / span if answered >= MIN_BASELINE and span > 0 else None


def collapse(
    calls: Sequence[Call], window: FaultWindow, end: int, baseline: float | None
) -> tuple[dict[str, object], str, Call | None] | None:
    """(figures, the reason if the service answered below ``COLLAPSE`` of its rate before,
    the longest call in flight then) for a Redis fault window; None when not judged."""
    if baseline is None or not window.effects & {REDIS_LOSS, REDIS_SLOW}:
        return None
    start, stop = window.start_ns, window.end_ns(end)
    span = (stop - start) / 1e9
    if span < MIN_WINDOW_S:
        return None
    answered = [c for c in calls if _answered(c) and c.end_ns and start <= c.end_ns < stop]
    rate = len(answered) / span
    figure: dict[str, object] = {
        "answers_per_s_before": round(baseline, 1), "answers_per_s_during": round(rate, 1),
        "ratio": round(rate / baseline, 3),
    }  # fmt: skip
    if rate >= COLLAPSE * baseline:
        return figure, "", None
    in_flight = [c for c in calls if window.overlaps_call(c, end)]
    slowest = max(in_flight, key=call_latency_ms) if in_flight else None
    reason = (
        f"throughput collapsed during {window.label()}: {len(answered)} answers in "
        f"{span:.1f}s ({rate:.1f}/s) against {baseline:.1f}/s before the first fault"
    )
    return figure, reason, slowest


def latency_budgets(
    history: History,
    budgets: Mapping[str, LatencyBudget],
    *,
    request_deadline_ms: float,
    windows: list[FaultWindow] | None = None,
) -> Verdict:
    """``windows`` defaults to every fault window of the history; routes without a budget
    are still held to the request deadline."""
    chosen = windows if windows is not None else fault_windows(history)
    end = history_end_ns(history)
    calls = [c for c in history.calls() if c.f not in ("fault", "probe")]
    figures: dict[str, dict[str, object]] = {}
    breaches: list[tuple[str, Call]] = []
    collapsed: list[tuple[str, Call | None]] = []
    measured = 0
    baseline = rate_before(calls, chosen, history)
    for number, window in enumerate(chosen, 1):
        key = f"{number}:{window.name}"
        in_window: dict[str, list[Call]] = {}
        for call in calls:
            if window.overlaps_call(call, end):
                in_window.setdefault(call.f, []).append(call)
        figures[key] = {}
        judged = collapse(calls, window, end, baseline)
        if judged is not None:
            figures[key]["throughput"] = judged[0]
            if judged[1]:
                collapsed.append((judged[1], judged[2]))
        for route, route_calls in sorted(in_window.items()):
            latencies = [call_latency_ms(c) for c in route_calls]
            p99, worst = percentile(latencies, 99), max(latencies)
            measured += len(latencies)
            budget = budgets.get(route)
            figures[key][route] = {
                "n": len(latencies),
                "p99_ms": _shown(p99),
                "max_ms": _shown(worst),
                "budget_p99_ms": budget.p99_ms if budget else None,
            }
            limit = request_deadline_ms
            if budget and budget.max_ms is not None:
                limit = min(limit, budget.max_ms)
            over = [c for c, ms in zip(route_calls, latencies, strict=True) if ms > limit]
            breaches.extend(
                (f"{route} max {_text(worst)} > {limit:g} ms in {window.label()}", c) for c in over
            )
            if budget and p99 > budget.p99_ms:
                slow = max(route_calls, key=call_latency_ms)
                reason = (
                    f"{route} p99 {_text(p99)} > budget {budget.p99_ms:g} ms in {window.label()}"
                )
                if not over:
                    breaches.append((reason, slow))
                else:
                    breaches.insert(0, (reason, slow))
    all_figures: dict[str, object] = {
        "windows": figures,
        "breaches": len(breaches) + len(collapsed),
    }
    if collapsed or breaches:
        first: Call | None
        reason, first = collapsed[0] if collapsed else breaches[0]
        where = (
            f"; slowest: token jti {first.jti or '-'}, worker {first.worker}, invoked at "
            f"{first.invoke.wall_time}"
            if first is not None
            else ""
        )
        return Verdict(
            INVARIANT, False, all_figures, capped(c.op for _, c in breaches),
            f"I5 violated: {reason}{where}", measured, UNIT,
        )  # fmt: skip
    if measured == 0:
        return Verdict(
            INVARIANT, UNKNOWN, {"windows": figures},
            message="I5 unknown: no call was in flight during a fault window",
            evidence=0, unit=UNIT,
        )  # fmt: skip
    return Verdict(
        INVARIANT, True, all_figures,
        message=f"I5 holds: {measured} calls in {len(chosen)} fault window(s) within budget",
        evidence=measured, unit=UNIT,
    )  # fmt: skip
