"""STAND-IN for the revocation store (branch `store` replaces this package when it lands).

Minimal: plain redis.asyncio calls with a short timeout, no breaker, no pub/sub.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal, Protocol

import redis.asyncio as aioredis
from redis.exceptions import RedisError


class RevocationCheck(str, Enum):  # noqa: UP042 - the seam's shape
    ENFORCED = "enforced"
    DEGRADED = "degraded"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class RevocationAnswer:
    revoked: bool
    check: RevocationCheck


class RevocationUnavailable(Exception):
    def __init__(self, reason: str, retry_after: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class StoreMetrics(Protocol):
    def degraded(self) -> None: ...
    def check(self, result: str) -> None: ...
    def pool_in_use(self, n: int) -> None: ...
    def breaker_state(self, state: int) -> None: ...
    def breaker_opened(self) -> None: ...
    def breaker_probe(self) -> None: ...


@dataclass(frozen=True)
class StoreSettings:
    redis_url: str | None = None
    sentinels: list[tuple[str, int]] = field(default_factory=list)
    sentinel_service: str | None = None
    failure_mode: Literal["open", "closed"] = "open"
    degraded_bound_s: float = 60.0
    redis_timeout_s: float = 0.2
    retries: int = 1
    breaker_failures: int = 3
    breaker_reset_s: float = 1.0
    min_replicas: int | None = None
    wait_timeout_ms: int = 200
    leeway_s: int = 0
    pool_size: int = 32


class RevocationStore:
    def __init__(self, settings: StoreSettings, worker_id: str, metrics: StoreMetrics) -> None:
        self.settings = settings
        self.metrics = metrics
        self._redis = aioredis.Redis.from_url(
            settings.redis_url or "redis://127.0.0.1:6379/0",
            socket_timeout=settings.redis_timeout_s,
            socket_connect_timeout=settings.redis_timeout_s,
        )
        self._local: set[str] = set()
        self._last_good = time.monotonic()

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        await self._redis.aclose()

    async def check(self, *keys: str) -> RevocationAnswer:
        try:
            n = await self._redis.exists(*("revoked:" + k for k in keys))
        except (RedisError, OSError):
            bound = time.monotonic() - self._last_good < self.settings.degraded_bound_s
            if self.settings.failure_mode == "open" and bound:
                self.metrics.degraded()
                self.metrics.check("degraded")
                hit = any(k in self._local for k in keys)
                return RevocationAnswer(hit, RevocationCheck.DEGRADED)
            self.metrics.check("unavailable")
            return RevocationAnswer(False, RevocationCheck.UNAVAILABLE)
        self._last_good = time.monotonic()
        self.metrics.check("enforced")
        return RevocationAnswer(bool(n), RevocationCheck.ENFORCED)

    async def revoke(self, key: str, exp: int) -> None:
        ttl = max(1, int(exp + self.settings.leeway_s - time.time()) + 1)
        try:
            await self._redis.set("revoked:" + key, exp, ex=ttl)
        except (RedisError, OSError) as exc:
            raise RevocationUnavailable(str(exc)) from None
        self._local.add(key)

    async def claim_once(self, key: str, exp: int) -> bool | None:
        ttl = max(1, int(exp + self.settings.leeway_s - time.time()) + 1)
        try:
            return bool(await self._redis.set("used:" + key, exp, ex=ttl, nx=True))
        except (RedisError, OSError):
            return None

    async def readiness(self) -> tuple[bool, str]:
        try:
            policy = await self._redis.config_get("maxmemory-policy")
        except (RedisError, OSError) as exc:
            return False, f"redis unreachable: {exc}"
        value = str(policy)
        if "noeviction" not in value:
            return False, f"maxmemory-policy is {value!r}, must be noeviction"
        return True, "ok"

    async def stats(self) -> dict[str, object]:
        try:
            info = await self._redis.info()
        except (RedisError, OSError) as exc:
            raise RevocationUnavailable(str(exc)) from None
        return {"connected_clients": info.get("connected_clients")}

    async def incr_window(self, key: str, window_s: int) -> int | None:
        full = f"window:{key}:{int(time.time()) // window_s}"
        try:
            n = int(await self._redis.incr(full))
            await self._redis.expire(full, window_s)
        except (RedisError, OSError):
            return None
        return n
