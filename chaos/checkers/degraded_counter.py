"""I2-counter: every fail-open decision a client saw is counted, as Prometheus scraped it.

The contract's promise "X-Revocation-Check: degraded equals the counter", judged from outside:
the ``degraded`` 200s of the history, per worker, against the exact rise of
``auth_revocation_degraded_total`` in the samples Prometheus scraped over the same window.
The rise is taken from the samples themselves (PromQL's ``increase()`` extrapolates to the
ends of its window; it is reported next to it). A verify whose outcome is unknown (a timeout:
the worker may have answered ``degraded`` to nobody) allows one count more, never one less.

    samples = api.query(f"auth_revocation_degraded_total[{window_ms}ms]", at=last_scrape)
    verdict = degraded_counter(history, samples, promql_increase=...)
"""

from __future__ import annotations

from collections.abc import Sequence

from chaos.checkers.verdict import UNKNOWN, Verdict
from chaos.history import History
from chaos.monitoring.series import Series, rise_by_label

__all__ = ["INVARIANT", "counted_per_worker", "degraded_answers", "degraded_counter"]

INVARIANT = "I2-counter"
METRIC = "auth_revocation_degraded_total"


def degraded_answers(history: History) -> tuple[dict[str, int], int]:
    """Degraded verify 200s per answering worker, and verifies whose outcome is unknown."""
    seen: dict[str, int] = {}
    unknown = 0
    for call in history.calls():
        if call.f != "verify":
            continue
        done = call.completion
        if done is None or done.type == "info" or done.status is None:
            unknown += 1
            continue
        if done.status == 200 and done.revocation_check == "degraded":
            worker = done.worker or "?"
            seen[worker] = seen.get(worker, 0) + 1
    return seen, unknown


def counted_per_worker(samples: Sequence[Series]) -> dict[str, float]:
    """The counter's exact rise per ``worker`` label (a replaced worker's series, begun inside
    the window, counts from 0)."""
    return rise_by_label(samples, "worker")


def degraded_counter(
    history: History, samples: Sequence[Series], *, promql_increase: float | None = None
) -> Verdict:
    """``samples``: every series of ``auth_revocation_degraded_total`` with its raw points over
    a window that starts before the history's first call and ends after a scrape later than
    its last; ``promql_increase``: ``sum(increase(...[window]))`` for the report."""
    seen, unknown = degraded_answers(history)
    counted = counted_per_worker(samples)
    workers = sorted(set(seen) | set(counted))
    short = {w: seen.get(w, 0) - counted.get(w, 0.0) for w in workers}
    missing = {w: gap for w, gap in short.items() if gap > 0}
    extra = sum(-gap for gap in short.values() if gap < 0)
    seen_total, counted_total = sum(seen.values()), sum(counted.values())
    figures: dict[str, object] = {
        "degraded_answers": seen_total,
        "counter_rise": counted_total,
        "promql_increase": promql_increase,
        "unknown_outcome_verifies": unknown,
        "series": len(samples),
        "per_worker": {
            w: {"answers": seen.get(w, 0), "counted": counted.get(w, 0.0)} for w in workers
        },
    }
    if not samples:
        return Verdict(
            INVARIANT, UNKNOWN, figures,
            message=f"{INVARIANT} unknown: Prometheus has no sample of {METRIC} in the window",
        )  # fmt: skip
    if missing:
        worker = max(missing, key=lambda w: missing[w])
        return Verdict(
            INVARIANT, False, figures,
            message=(
                f"{INVARIANT} violated: {METRIC} under-counts fail-open decisions: clients saw "
                f"{seen_total} degraded 200s, Prometheus saw it rise by {counted_total:g}; "
                f"worker {worker} answered {seen.get(worker, 0)} degraded, counted "
                f"{counted.get(worker, 0.0):g}"
            ),
        )  # fmt: skip
    if extra > unknown:
        return Verdict(
            INVARIANT, False, figures,
            message=(
                f"{INVARIANT} violated: {METRIC} rose by {counted_total:g} but clients saw "
                f"{seen_total} degraded 200s and only {unknown} verifies of unknown outcome "
                "could account for the rest"
            ),
        )  # fmt: skip
    if seen_total == 0:
        return Verdict(
            INVARIANT, UNKNOWN, figures,
            message=f"{INVARIANT} unknown: no degraded answer in the history, nothing to compare",
        )  # fmt: skip
    return Verdict(
        INVARIANT, True, figures,
        message=(
            f"{INVARIANT} holds: {seen_total} degraded 200s on {len(seen)} worker(s), "
            f"{METRIC} rose by {counted_total:g} in Prometheus"
            + (f" (increase() {promql_increase:g})" if promql_increase is not None else "")
        ),
    )  # fmt: skip
