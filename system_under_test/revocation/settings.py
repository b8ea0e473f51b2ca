"""Settings of the revocation store, and the time budget they imply.

StoreSettings(redis_url="redis://127.0.0.1:6379/0", failure_mode="open")
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# the retry backoff between attempts (seconds): short, Redis is local or one hop away
RETRY_BACKOFF_S = 0.01
# slack over the attempts for the event loop and pool checkout, on the outer fence
FENCE_SLACK_S = 0.05


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
    min_replicas: int | None = None  # None: WAIT 1 when the primary reports connected replicas
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
        for name in ("redis_timeout_s", "breaker_reset_s", "degraded_bound_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"StoreSettings: {name} must be > 0")
        if self.retries < 0 or self.breaker_failures < 1 or self.pool_size < 1:
            raise ValueError("StoreSettings: retries >= 0, breaker_failures >= 1, pool_size >= 1")
        if self.wait_timeout_ms >= self.redis_timeout_s * 1000:
            # WAIT's reply is read under the socket timeout: it must come back before it
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


def call_budget_s(settings: StoreSettings, extra_s: float = 0.0) -> float:
    """The outer `asyncio.timeout` fence around one call (`extra_s`: e.g. WAIT's own time)."""
    return attempts_budget_s(settings) + extra_s + FENCE_SLACK_S
