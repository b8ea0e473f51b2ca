"""Prometheus metrics of one worker, exposed for every worker by any of them.

The supervisor sets ``PROMETHEUS_MULTIPROC_DIR`` (before prometheus_client is imported in a
worker); each series carries ``worker="w<slot>-<pid>"``. Names are listed in docs/design.md.

The two counts of every request (``auth_requests_total`` and an ``enforced`` check) are kept in
process and written to the multiprocess files by ``flush()``: every ``FLUSH_S`` (service.py)
and before each scrape, so a scrape sees its own worker exactly and the others at most
``FLUSH_S`` plus their event-loop lag behind. Rare events (degraded, unavailable, breaker)
are written at once: checkers compare them with what clients saw.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
FLUSH_S = 0.2  # in-process counts reach the files this often (an mmap write per request costs)

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


class WorkerMetrics:
    """Implements the store's StoreMetrics protocol and counts HTTP answers."""

    def __init__(self, worker: str) -> None:
        self.worker = worker
        self._requests: dict[tuple[str, int], Counter] = {}
        self._unflushed: dict[tuple[str, int], int] = {}  # requests counted since the last flush
        self._enforced = 0  # enforced checks since the last flush
        self._degraded = DEGRADED.labels(worker=worker)
        self._checks = {r: CHECKS.labels(worker=worker, result=r) for r in _RESULTS}
        self._pool = POOL_IN_USE.labels(worker=worker)
        self._state = BREAKER_STATE.labels(worker=worker)
        self._opened = BREAKER_OPENED.labels(worker=worker)
        self._probes = BREAKER_PROBES.labels(worker=worker)
        self._local = REVOCATIONS_LOCAL.labels(worker=worker)
        self._accept_batch = ACCEPT_BATCH_MAX.labels(worker=worker)
        self._pool.set(0)
        self._state.set(0)

    def request(self, route: str, status: int) -> None:
        key = (route, status)
        unflushed = self._unflushed
        unflushed[key] = unflushed.get(key, 0) + 1

    def flush(self) -> None:
        """Write the in-process counts to the (multiprocess) counters."""
        unflushed, self._unflushed = self._unflushed, {}
        for (route, status), count in unflushed.items():
            child = self._requests.get((route, status))
            if child is None:
                child = REQUESTS.labels(route=route, status=str(status), worker=self.worker)
                self._requests[(route, status)] = child
            child.inc(count)
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


_RESULTS = ("enforced", "degraded", "unavailable")


def exposition() -> bytes:
    """Every worker's series (multiprocess mode), or this process's alone without it."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest()
