"""I2-counter: degraded 200s of the history against the counter's exact rise in Prometheus's
samples; equal passes, fewer counted fails (the negative control), more counted fails unless
verifies of unknown outcome account for it, nothing to compare is unknown."""

from __future__ import annotations

from chaos.checkers.crafted import CraftedHistory
from chaos.checkers.degraded_counter import degraded_counter
from chaos.monitoring.series import Series, exact_increase, rise_by_label


def series(worker: str, *values: float, start: float = 100.0, instance: str = "a:1") -> Series:
    points = tuple((start + i, v) for i, v in enumerate(values))
    return Series({"__name__": "auth_revocation_degraded_total", "worker": worker,
                   "instance": instance}, points)  # fmt: skip


def degraded_history(per_worker: dict[str, int], unknown: int = 0) -> CraftedHistory:
    crafted = CraftedHistory()
    at = 1.0
    for worker, count in per_worker.items():
        for _ in range(count):
            crafted.call(0, "verify", at=at, took=0.01, status=200, worker=worker,
                         check="degraded")  # fmt: skip
            at += 0.05
        crafted.call(1, "verify", at=at, took=0.01, status=200, worker=worker, check="enforced")
    for _ in range(unknown):
        crafted.call(2, "verify", at=at, took=None)  # never completed: outcome unknown
    return crafted


def test_equal_counts_per_worker_hold() -> None:
    history = degraded_history({"w0-1": 3, "w1-2": 2}).history()
    samples = [series("w0-1", 0, 1, 3, 3), series("w1-2", 0, 0, 2, 2)]
    verdict = degraded_counter(history, samples, promql_increase=5.4)
    assert verdict.valid is True, verdict.message
    assert verdict.figures["degraded_answers"] == 5
    assert verdict.figures["counter_rise"] == 5
    assert "increase() 5.4" in verdict.message


def test_an_undercounting_worker_is_caught() -> None:
    """Negative control: one worker's counter misses every second decision."""
    history = degraded_history({"w0-1": 4, "w1-2": 2}).history()
    samples = [series("w0-1", 0, 1, 2, 2), series("w1-2", 0, 2, 2)]
    verdict = degraded_counter(history, samples)
    assert verdict.valid is False
    assert "under-counts" in verdict.message
    assert "worker w0-1 answered 4 degraded, counted 2" in verdict.message


def test_a_total_that_matches_but_lands_on_the_wrong_worker_is_caught() -> None:
    history = degraded_history({"w0-1": 2, "w1-2": 2}).history()
    samples = [series("w0-1", 0, 4), series("w1-2", 0, 0)]
    verdict = degraded_counter(history, samples)
    assert verdict.valid is False
    assert "worker w1-2 answered 2 degraded, counted 0" in verdict.message


def test_more_counted_than_seen_is_caught_unless_unknown_outcomes_explain_it() -> None:
    samples = [series("w0-1", 0, 3)]
    over = degraded_counter(degraded_history({"w0-1": 2}).history(), samples)
    assert over.valid is False
    assert "rose by 3 but clients saw 2" in over.message
    explained = degraded_counter(degraded_history({"w0-1": 2}, unknown=1).history(), samples)
    assert explained.valid is True, explained.message
    assert explained.figures["unknown_outcome_verifies"] == 1


def test_a_replaced_worker_series_counts_from_zero() -> None:
    """A worker replaced during the window starts a new series after the first scrape: its
    first sample already counts (its counter began at 0 inside the window)."""
    history = degraded_history({"w0-1": 1, "w0-9": 2}).history()
    samples = [series("w0-1", 0, 1, 1, 1), series("w0-9", 1, 2, start=102.0)]
    verdict = degraded_counter(history, samples)
    assert verdict.valid is True, verdict.message
    assert verdict.figures["per_worker"]["w0-9"] == {"answers": 2, "counted": 2.0}


def test_no_samples_or_nothing_to_compare_is_unknown() -> None:
    history = degraded_history({"w0-1": 1}).history()
    assert degraded_counter(history, []).valid == "unknown"
    quiet = degraded_counter(degraded_history({"w0-1": 0}).history(), [series("w0-1", 0, 0)])
    assert quiet.valid == "unknown"
    assert "nothing to compare" in quiet.message


def test_exact_increase_handles_resets_and_new_series() -> None:
    assert exact_increase([]) == 0
    assert exact_increase([(0, 5.0), (1, 7.0), (2, 1.0), (3, 4.0)]) == 2 + 1 + 3
    assert exact_increase([(0, 5.0), (1, 7.0)], from_zero=True) == 7
    rises = rise_by_label([series("w0-1", 2, 5), series("w1-2", 1, start=101.0)], "worker")
    assert rises == {"w0-1": 3.0, "w1-2": 1.0}
