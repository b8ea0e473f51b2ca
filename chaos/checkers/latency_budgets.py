"""I5, bounded latency under faults: p99 and max of each route during each fault window
against its budget; the max never beyond the request deadline. A call whose outcome is
unknown because it timed out (or never completed) counts as beyond every budget."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from chaos.checkers.verdict import UNKNOWN, Verdict, capped
from chaos.checkers.windows import FaultWindow, fault_windows, history_end_ns
from chaos.history import Call, History

INVARIANT = "I5"
UNIT = "calls in fault windows"


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
    figures: dict[str, dict[str, dict[str, object]]] = {}
    breaches: list[tuple[str, Call]] = []
    measured = 0
    for number, window in enumerate(chosen, 1):
        key = f"{number}:{window.name}"
        stop = window.end_ns(end)
        in_window: dict[str, list[Call]] = {}
        for call in calls:
            if window.start_ns <= call.start_ns <= stop:
                in_window.setdefault(call.f, []).append(call)
        figures[key] = {}
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
                (f"{route} max {_text(worst)} > {limit} ms in {window.label()}", c) for c in over
            )
            if budget and p99 > budget.p99_ms:
                slow = max(route_calls, key=call_latency_ms)
                reason = f"{route} p99 {_text(p99)} > budget {budget.p99_ms} ms in {window.label()}"
                if not over:
                    breaches.append((reason, slow))
                else:
                    breaches.insert(0, (reason, slow))
    if breaches:
        reason, call = breaches[0]
        return Verdict(
            INVARIANT,
            False,
            {"windows": figures, "breaches": len(breaches)},
            capped(c.op for _, c in breaches),
            (
                f"I5 violated: {reason}; slowest: token jti {call.jti or '-'}, "
                f"worker {call.worker}, invoked at {call.invoke.wall_time}"
            ),
            measured,
            UNIT,
        )
    if measured == 0:
        return Verdict(
            INVARIANT,
            UNKNOWN,
            {"windows": figures},
            message="I5 unknown: no call was invoked inside a fault window",
            evidence=0,
            unit=UNIT,
        )
    return Verdict(
        INVARIANT,
        True,
        {"windows": figures, "breaches": 0},
        message=f"I5 holds: {measured} calls in {len(chosen)} fault window(s) within budget",
        evidence=measured,
        unit=UNIT,
    )
