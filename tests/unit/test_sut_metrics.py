"""The service's request durations: kept in process, written in bulk on the flush, and the
same in the exposition as prometheus_client's own ``observe()`` one by one."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Histogram, generate_latest

from system_under_test.metrics import (
    DURATION_BUCKETS,
    WORKER_STARTS,
    WorkerMetrics,
    add_observations,
)

SAMPLES = [0.0004, 0.001, 0.0011, 0.0025, 0.03, 0.25, 0.2500001, 4.9, 5.0, 7.5, 120.0]


def histogram() -> tuple[Histogram, CollectorRegistry]:
    registry = CollectorRegistry()
    made = Histogram("d_seconds", "d", ["route"], buckets=DURATION_BUCKETS, registry=registry)
    return made, registry


def exposed(registry: CollectorRegistry) -> list[str]:
    """The exposition without the ``_created`` timestamps (they differ by construction)."""
    return [
        line for line in generate_latest(registry).decode().splitlines() if "_created" not in line
    ]


def test_bulk_counts_equal_observe_one_by_one() -> None:
    one_by_one, registry_a = histogram()
    for seconds in SAMPLES:
        one_by_one.labels(route="r").observe(seconds)
    bulk, registry_b = histogram()
    metrics = WorkerMetrics("wtest-1")
    for seconds in SAMPLES:
        metrics.request("r", 200, seconds)
    durations = metrics._durations["r"]
    add_observations(bulk.labels(route="r"), durations.counts, durations.total)
    assert exposed(registry_b) == exposed(registry_a)


def test_a_bucket_bound_itself_falls_in_that_bucket() -> None:
    """le semantics: 0.25 s goes into le="0.25", not the next one (as observe() does)."""
    metrics = WorkerMetrics("wtest-2")
    metrics.request("r", 200, 0.25)
    counts = metrics._durations["r"].counts
    assert counts[DURATION_BUCKETS.index(0.25)] == 1
    assert sum(counts) == 1


def test_flush_writes_durations_and_untimed_requests_are_counted_only() -> None:
    metrics = WorkerMetrics("wtest-3")
    metrics.request("/auth/verify", 200, 0.003)
    metrics.request("/auth/verify", 200, 0.3)
    metrics.request("/health", 200)  # not timed
    metrics.flush()
    text = generate_latest().decode()
    assert 'auth_request_duration_seconds_count{route="/auth/verify",worker="wtest-3"} 2.0' in text
    assert 'route="/health",worker="wtest-3"' not in text.split("auth_request_duration")[-1]
    assert 'auth_requests_total{route="/health",status="200",worker="wtest-3"} 1.0' in text
    assert metrics._durations == {}  # the flush took them


def test_worker_starts_are_counted_by_slot() -> None:
    before = WORKER_STARTS.labels(slot="w7")._value.get()
    WorkerMetrics("w7-100").worker_started()
    WorkerMetrics("w7-101").worker_started()
    assert WORKER_STARTS.labels(slot="w7")._value.get() == before + 2
