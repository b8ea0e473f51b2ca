"""The revocation list in Redis: ``rvk:<jti>`` keys that live until the token is dead anyway.

Every call has short socket timeouts, a bounded retry and a hard cap over all of it (waiting
for a pooled connection included), behind a circuit breaker; any Redis failure becomes
:class:`StoreUnavailable`, which the routes answer with 503 + Retry-After, and is logged at
most once a second.

    store = RevocationList(settings)
    await store.is_revoked(jti, sid); await store.revoke({jti: ttl_s, sid: ttl_s})
    await store.use_refresh(sid, jti, ttl_s)   # True once, and only while the session lives
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .breaker import Breaker
from .settings import Settings

__all__ = ["RevocationList", "StoreUnavailable"]

log = logging.getLogger("careful_auth.revocations")

KEY_PREFIX = "rvk:"
POOL_SIZE = 256  # per worker; past it a call waits for a connection, within the same cap
LOG_EVERY_S = 1.0
# failed calls in a row that open the breaker: a busy (lagging) event loop seldom fails 5 in a row
BREAKER_FAILURES = 5
BREAKER_OPEN_S = 0.25  # then one probe this often: back within about a quarter second
T = TypeVar("T")


class StoreUnavailable(Exception):
    """Redis did not answer within the budget (or refused): nothing is known, nothing stored."""


def revocation_key(jti: str) -> str:
    return KEY_PREFIX + jti


class OutageLog:
    """The first failure logged at once, then one line a second with how many were refused."""

    def __init__(self) -> None:
        self._refused = 0
        self._logged_at = -LOG_EVERY_S

    def failed(self, reason: str) -> None:
        self._refused += 1
        now = time.monotonic()
        if now - self._logged_at >= LOG_EVERY_S:
            log.warning("revocation store unavailable: %s (%d refused)", reason, self._refused)
            self._logged_at, self._refused = now, 0


class RevocationList:
    def __init__(self, settings: Settings) -> None:
        timeout = settings.redis_timeout_s
        self._budget_s = settings.store_budget_s
        self._outage = OutageLog()
        self.breaker = Breaker(BREAKER_FAILURES, BREAKER_OPEN_S)
        self._pool: BlockingConnectionPool = BlockingConnectionPool.from_url(
            settings.redis_url,
            max_connections=POOL_SIZE,
            timeout=self._budget_s,  # waiting for a free connection: the cap below decides
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            # set on the pool itself: a pool built by hand ignores the client's retry
            retry=Retry(NoBackoff(), settings.redis_retries),
            decode_responses=True,
        )
        self._redis = Redis(connection_pool=self._pool)

    async def _bounded(self, call: Callable[[], Awaitable[T]]) -> T:
        if not self.breaker.admit():
            raise StoreUnavailable("circuit open: Redis failed just now")
        try:
            async with asyncio.timeout(self._budget_s):
                result = await call()
        except (RedisError, OSError, TimeoutError) as exc:
            reason = f"{type(exc).__name__}: {exc}"
            self.breaker.failed()
            self._outage.failed(reason)
            raise StoreUnavailable(reason) from exc
        except BaseException:
            self.breaker.abandoned()
            raise
        self.breaker.succeeded()
        return result

    async def is_revoked(self, jti: str, session: str) -> bool:
        """The token, or its whole session, was revoked (one EXISTS over both keys)."""
        keys = (revocation_key(jti), revocation_key(session))
        found: int = await self._bounded(lambda: self._redis.exists(*keys))
        return found > 0

    async def revoke(self, ttls: dict[str, int]) -> None:
        """Store every ``jti -> ttl_s`` in one transaction; returns only once Redis said OK."""

        async def write() -> list[Any]:
            async with self._redis.pipeline(transaction=True) as pipe:
                for jti, ttl_s in ttls.items():
                    pipe.set(revocation_key(jti), "revoked", ex=ttl_s)
                return await pipe.execute()

        replies = await self._bounded(write)
        if not all(replies):
            raise StoreUnavailable(f"a revocation was not stored: {replies!r}")

    async def use_refresh(self, session: str, jti: str, ttl_s: int) -> bool:
        """Revoke the refresh token ``jti``; True when its session is not revoked and this call
        was the token's first use.

        One transaction: the session check and the single-use mark. A retried attempt whose
        first try was applied recognises its own nonce.
        """
        nonce = "used:" + uuid.uuid4().hex

        async def check_and_mark() -> list[Any]:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.exists(revocation_key(session))
                pipe.set(revocation_key(jti), nonce, ex=ttl_s, nx=True, get=True)
                return await pipe.execute()

        session_revoked, before = await self._bounded(check_and_mark)
        return not session_revoked and before in (None, nonce)

    async def ping(self) -> bool:
        try:
            return bool(await self._bounded(self._redis.ping))
        except StoreUnavailable:
            return False

    async def close(self) -> None:
        await self._redis.aclose()
        await self._pool.disconnect()
