"""Settings of the revocation store, and the time budget they imply.

StoreSettings(redis_url="redis://127.0.0.1:6379/0", failure_mode="open")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from system_under_test.revocation.replicas import REPLICA_WAIT_MODES, ReplicaWait

# the retry backoff between attempts (seconds): short, Redis is local or one hop away
RETRY_BACKOFF_S = 0.01
# slack over the attempts for the event loop and pool checkout, on the outer fence
FENCE_SLACK_S = 0.05
# Redis answers a WAIT whose timeout ran out on its next cron tick (hz 10: every 100 ms), so
# the reply may come this much later than the timeout asked for
WAIT_TICK_S = 0.1


@dataclass(frozen=True)
class StoreSettings:
    """Every tunable of the store; defaults are the documented ones (docs/revocation-store.md)."""

    redis_url: str | None = None
    sentinels: list[tuple[str, int]] = field(default_factory=list)
    sentinel_service: str | None = None
    failure_mode: Literal["open", "closed"] = "open"
    degraded_bound_s: float = 60.0  # fail-open only this long after the last good contact
    redis_timeout_s: float = 0.2  # socket connect and read/write timeout, per attempt
    retries: int = 1  # attempts after the first one
    breaker_failures: int = 3  # consecutive failures that open the breaker
    breaker_reset_s: float = 1.0  # open interval before one half-open probe
    min_replicas: int | None = None  # a fixed WAIT count; None: replica_wait decides
    replica_wait: ReplicaWait = (
        "all"  # all: every replica the topology knows; auto: see replicas.py
    )
    wait_timeout_ms: int = 100  # WAIT's own timeout
    leeway_s: int = 0  # the JWT validation leeway the TTL must cover
    pool_size: int = 32  # connections per worker

    def __post_init__(self) -> None:
        if (self.redis_url is None) == (not self.sentinels):
            raise ValueError("StoreSettings: give exactly one of redis_url or sentinels")
        if self.sentinels and not self.sentinel_service:
            raise ValueError("StoreSettings: sentinels need sentinel_service")
        if self.failure_mode not in ("open", "closed"):
            raise ValueError(f"StoreSettings: failure_mode {self.failure_mode!r}: open|closed")
        if self.replica_wait not in REPLICA_WAIT_MODES:
            raise ValueError(
                f"StoreSettings: replica_wait {self.replica_wait!r}: {'|'.join(REPLICA_WAIT_MODES)}"
            )
        for name in ("redis_timeout_s", "breaker_reset_s", "degraded_bound_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"StoreSettings: {name} must be > 0")
        if self.retries < 0 or self.breaker_failures < 1 or self.pool_size < 1:
            raise ValueError("StoreSettings: retries >= 0, breaker_failures >= 1, pool_size >= 1")
        if self.wait_timeout_ms >= self.redis_timeout_s * 1000:
            # a logout waits for its replicas at most about one Redis timeout (write_read_timeout_s)
            raise ValueError(
                f"StoreSettings: wait_timeout_ms {self.wait_timeout_ms} must be below "
                f"redis_timeout_s {self.redis_timeout_s} s"
            )
        if self.leeway_s < 0 or self.wait_timeout_ms < 0:
            raise ValueError("StoreSettings: leeway_s and wait_timeout_ms must be >= 0")


def attempts_budget_s(settings: StoreSettings) -> float:
    """Worst case of one command inside the client: every attempt times out, plus backoffs."""
    attempts = settings.retries + 1
    return attempts * settings.redis_timeout_s + settings.retries * RETRY_BACKOFF_S


def write_read_timeout_s(settings: StoreSettings) -> float:
    """Read timeout of the write connections: the write, then WAIT's own timeout and up to
    one cron tick of Redis (a WAIT left unanswered is unconfirmed, not a Redis failure)."""
    return settings.redis_timeout_s + settings.wait_timeout_ms / 1000 + WAIT_TICK_S


def write_extra_s(settings: StoreSettings) -> float:
    """What a write's fence adds to ``call_budget_s``: each attempt may wait for WAIT."""
    return (settings.retries + 1) * (settings.wait_timeout_ms / 1000 + WAIT_TICK_S)


def call_budget_s(settings: StoreSettings, extra_s: float = 0.0) -> float:
    """The outer `asyncio.timeout` fence around one call (`extra_s`: e.g. WAIT's own time)."""
    return attempts_budget_s(settings) + extra_s + FENCE_SLACK_S
