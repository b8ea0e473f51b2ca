"""Prometheus metrics of one worker, exposed for every worker by any of them.

The supervisor sets ``PROMETHEUS_MULTIPROC_DIR`` (before prometheus_client is imported in a
worker); each series carries ``worker="w<slot>-<pid>"``. Names are listed in docs/design.md.

The two counts of every request (``auth_requests_total`` and an ``enforced`` check) are kept in
process and written to the multiprocess files by ``flush()``: every ``FLUSH_S`` (service.py)
and before each scrape, so a scrape sees its own worker exactly and the others at most
``FLUSH_S`` plus their event-loop lag behind. Rare events (degraded, unavailable, breaker)
are written at once: checkers compare them with what clients saw. Request durations are
kept in process the same way (bucket counts, flushed with the request counts).

``auth_worker_starts_total`` is labelled by slot only (``slot="w0"``): each process adds its
own start, the files of dead workers stay, so the sum is the starts of that slot since the
supervisor began (monitoring/ alerts on a slot restarting in a loop).
"""

from __future__ import annotations

import os
from bisect import bisect_left

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
FLUSH_S = 0.2  # in-process counts reach the files this often (an mmap write per request costs)
# seconds: from a cached verify (well under 1 ms) to the request deadline (5 s)
DURATION_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)

REQUESTS = Counter(
    "auth_requests_total", "HTTP answers by route and status", ["route", "status", "worker"]
)
DEGRADED = Counter(
    "auth_revocation_degraded_total", "fail-open decisions (200 degraded)", ["worker"]
)
CHECKS = Counter("auth_revocation_check_total", "revocation checks by result", ["worker", "result"])
POOL_IN_USE = Gauge(
    "auth_redis_pool_in_use",
    "Redis connections checked out now",
    ["worker"],
    multiprocess_mode="livesum",
)
BREAKER_STATE = Gauge(
    "auth_breaker_state", "0 closed, 1 open, 2 half-open", ["worker"], multiprocess_mode="livesum"
)
BREAKER_OPENED = Counter("auth_breaker_opened_total", "breaker closed->open", ["worker"])
BREAKER_PROBES = Counter("auth_breaker_probes_total", "half-open probes admitted", ["worker"])
REVOCATIONS_LOCAL = Gauge(
    "auth_revocations_local",
    "size of the worker's local revocation copy",
    ["worker"],
    multiprocess_mode="livesum",
)
ACCEPT_BATCH_MAX = Gauge(
    "auth_accept_batch_max",
    "most connections accepted in one readiness of the listening socket",
    ["worker"],
    multiprocess_mode="livemax",
)
DURATION = Histogram(
    "auth_request_duration_seconds",
    "time from the request to its answer, by route (not /health)",
    ["route", "worker"],
    buckets=DURATION_BUCKETS,
)
REDIS_ERRORS = Counter(
    "auth_redis_errors_total", "Redis calls that failed or timed out (counted against Redis)",
    ["worker"],
)  # fmt: skip
POOL_CAPACITY = Gauge(
    "auth_redis_pool_capacity",
    "connections a worker can hold at once (the pool, plus the lookup link if any)",
    ["worker"],
    multiprocess_mode="livesum",
)
LAST_CONTACT = Gauge(
    "auth_redis_last_contact_timestamp_seconds",
    "Unix time of the worker's last good answer from Redis (written on the metrics flush)",
    ["worker"],
    multiprocess_mode="livemax",
)
DEGRADED_BOUND = Gauge(
    "auth_degraded_bound_seconds",
    "fail-open lasts at most this long after the last good contact (0: fail-closed)",
    ["worker"],
    multiprocess_mode="livemax",
)
WORKER_STARTS = Counter("auth_worker_starts_total", "worker processes started, by slot", ["slot"])
SHED = Counter(
    "auth_requests_shed_total",
    "requests refused by the worker's admission before any work (429/503 + Retry-After)",
    ["route", "worker"],
)
ADMISSION_WAITING = Gauge(
    "auth_admission_waiting",
    "requests queued for admission now (written on the metrics flush)",
    ["worker"],
    multiprocess_mode="livesum",
)
ADMISSION_WAIT_MAX = Gauge(
    "auth_admission_wait_max_seconds",
    "longest admission wait of a request started since the previous flush",
    ["worker"],
    multiprocess_mode="livemax",
)


def add_observations(child: Histogram, counts: list[int], total: float) -> None:
    """Add ``counts[i]`` observations to bucket i (non-cumulative, as ``observe`` keeps them)
    and ``total`` to the sum: one file write per bucket instead of one per observation.
    prometheus_client has no public bulk call; tests/unit/test_sut_metrics.py checks that
    the result equals ``observe()`` one by one."""
    for bucket, count in zip(child._buckets, counts, strict=True):
        if count:
            bucket.inc(count)
    child._sum.inc(total)


class _Durations:
    """Request durations of one route since the last flush: bucket counts and their sum."""

    __slots__ = ("counts", "total")

    def __init__(self) -> None:
        self.counts = [0] * (len(DURATION_BUCKETS) + 1)  # the last one is +Inf
        self.total = 0.0


class WorkerMetrics:
    """Implements the store's StoreMetrics protocol and counts HTTP answers."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self._requests: dict[tuple[str, int], Counter] = {}
        self._unflushed: dict[tuple[str, int], int] = {}  # requests counted since the last flush
        self._durations: dict[str, _Durations] = {}  # by route, since the last flush
        self._duration_children: dict[str, Histogram] = {}
        self._enforced = 0  # enforced checks since the last flush
        self._degraded = DEGRADED.labels(worker=worker)
        self._checks = {r: CHECKS.labels(worker=worker, result=r) for r in _RESULTS}
        self._pool = POOL_IN_USE.labels(worker=worker)
        self._state = BREAKER_STATE.labels(worker=worker)
        self._opened = BREAKER_OPENED.labels(worker=worker)
        self._probes = BREAKER_PROBES.labels(worker=worker)
        self._local = REVOCATIONS_LOCAL.labels(worker=worker)
        self._accept_batch = ACCEPT_BATCH_MAX.labels(worker=worker)
        self._errors = REDIS_ERRORS.labels(worker=worker)
        self._capacity = POOL_CAPACITY.labels(worker=worker)
        self._contact = LAST_CONTACT.labels(worker=worker)
        self._bound = DEGRADED_BOUND.labels(worker=worker)
        self._shed: dict[str, int] = {}  # by route, since the last flush
        self._shed_children: dict[str, Counter] = {}
        self._waiting = ADMISSION_WAITING.labels(worker=worker)
        self._wait_max = ADMISSION_WAIT_MAX.labels(worker=worker)
        self._pool.set(0)
        self._state.set(0)

    def request(self, route: str, status: int, seconds: float | None = None) -> None:
        """One answer; ``seconds``, its duration (None: not timed, e.g. /health)."""
        key = (route, status)
        unflushed = self._unflushed
        unflushed[key] = unflushed.get(key, 0) + 1
        if seconds is not None:
            durations = self._durations.get(route)
            if durations is None:
                durations = self._durations[route] = _Durations()
            durations.counts[bisect_left(DURATION_BUCKETS, seconds)] += 1  # le: x <= bound
            durations.total += seconds

    def shed(self, route: str) -> None:
        """One request the admission refused (counted in process, written by flush())."""
        self._shed[route] = self._shed.get(route, 0) + 1

    def admission(self, waiting: int, longest_wait_s: float) -> None:
        """The admission queue now and its longest wait since the last call (on the flush)."""
        self._waiting.set(waiting)
        self._wait_max.set(longest_wait_s)

    def flush(self) -> None:
        """Write the in-process counts to the (multiprocess) counters."""
        if self._shed:
            shed, self._shed = self._shed, {}
            for route, count in shed.items():
                child = self._shed_children.get(route)
                if child is None:
                    child = self._shed_children[route] = SHED.labels(
                        route=route, worker=self.worker
                    )
                child.inc(count)
        unflushed, self._unflushed = self._unflushed, {}
        for (route, status), count in unflushed.items():
            child = self._requests.get((route, status))
            if child is None:
                child = REQUESTS.labels(route=route, status=str(status), worker=self.worker)
                self._requests[(route, status)] = child
            child.inc(count)
        if self._durations:
            durations_by_route, self._durations = self._durations, {}
            for route, durations in durations_by_route.items():
                histogram = self._duration_children.get(route)
                if histogram is None:
                    histogram = DURATION.labels(route=route, worker=self.worker)
                    self._duration_children[route] = histogram
                add_observations(histogram, durations.counts, durations.total)
        if self._enforced:
            enforced, self._enforced = self._enforced, 0
            self._checks["enforced"].inc(enforced)

    def degraded(self) -> None:
        self._degraded.inc()

    def check(self, result: str) -> None:
        if result == "enforced":  # the hot one: counted in process, written by flush()
            self._enforced += 1
            return
        child = self._checks.get(result)
        if child is None:
            child = self._checks[result] = CHECKS.labels(worker=self.worker, result=result)
        child.inc()

    def pool_in_use(self, n: int) -> None:
        self._pool.set(n)

    def breaker_state(self, state: int) -> None:
        self._state.set(state)

    def breaker_opened(self) -> None:
        self._opened.inc()

    def breaker_probe(self) -> None:
        self._probes.inc()

    def revocations_local(self, n: int) -> None:
        self._local.set(n)

    def accept_batch(self, n: int) -> None:
        """A new largest accept batch (the acceptor calls it only when the record rises)."""
        self._accept_batch.set(n)

    def redis_error(self) -> None:
        self._errors.inc()

    def pool_capacity(self, n: int) -> None:
        self._capacity.set(n)

    def last_contact(self, unix_s: float) -> None:
        self._contact.set(unix_s)

    def degraded_bound(self, seconds: float) -> None:
        self._bound.set(seconds)

    def worker_started(self) -> None:
        """Once per process: ``auth_worker_starts_total{slot}`` (the slot of ``w<slot>-<pid>``)."""
        WORKER_STARTS.labels(slot=self.worker.partition("-")[0]).inc()


_RESULTS = ("enforced", "degraded", "unavailable")


def exposition() -> bytes:
    """Every worker's series (multiprocess mode), or this process's alone without it."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()
