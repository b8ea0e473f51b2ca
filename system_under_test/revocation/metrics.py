"""The metrics the store reports; the service implements them with prometheus_client."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


class StoreMetrics(Protocol):
    def degraded(self) -> None: ...  # one fail-open decision (200 degraded)
    def check(self, result: str) -> None: ...  # enforced | degraded | unavailable
    def pool_in_use(self, n: int) -> None: ...  # connections checked out of the pool now
    def breaker_state(self, state: int) -> None: ...  # 0 closed, 1 open, 2 half-open
    def breaker_opened(self) -> None: ...  # closed -> open transitions
    def breaker_probe(self) -> None: ...  # half-open probes admitted
    def redis_error(self) -> None: ...  # a Redis call failed or timed out (counted against Redis)
    def pool_capacity(self, n: int) -> None: ...  # connections the store can hold at once
    def last_contact(self, unix_s: float) -> None: ...  # Unix time of the last good answer


@runtime_checkable
class LocalCopyMetrics(Protocol):
    """Optional: a StoreMetrics that also has this gets the local copy's size on each change."""

    def revocations_local(self, n: int) -> None: ...


class NoStoreMetrics:
    """Discards everything: for scripts and tests that do not read metrics."""

    def degraded(self) -> None:
        pass

    def check(self, result: str) -> None:
        pass

    def pool_in_use(self, n: int) -> None:
        pass

    def breaker_state(self, state: int) -> None:
        pass

    def breaker_opened(self) -> None:
        pass

    def breaker_probe(self) -> None:
        pass

    def redis_error(self) -> None:
        pass

    def pool_capacity(self, n: int) -> None:
        pass

    def last_contact(self, unix_s: float) -> None:
        pass
