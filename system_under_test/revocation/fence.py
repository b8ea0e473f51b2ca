"""Every Redis call of the store passes here: breaker, outer time budget, last good contact.

RedisUnreachable    the call failed, timed out, or the breaker is open (nothing was sent)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import RedisError

from system_under_test.revocation.breaker import CircuitBreaker
from system_under_test.revocation.settings import StoreSettings, call_budget_s

T = TypeVar("T")


class RedisUnreachable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RedisFence:
    def __init__(
        self,
        settings: StoreSettings,
        breaker: CircuitBreaker,
        on_done: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._breaker = breaker
        self._on_done = on_done  # e.g. report pool connections in use
        self._clock = clock
        self.last_good: float | None = None  # monotonic time of the last answer from Redis

    async def run(self, call: Callable[[], Awaitable[T]], extra_s: float = 0.0) -> T:
        """Run `call` once under the breaker and the budget (`extra_s`: e.g. WAIT's time)."""
        ticket = self._breaker.admit()
        if ticket is None:
            raise RedisUnreachable("circuit breaker open")
        try:
            # second fence: the client's own timeouts and retries should end it before this
            async with asyncio.timeout(call_budget_s(self._settings, extra_s)):
                result = await call()
        except TimeoutError as exc:
            self._breaker.record(ticket, ok=False)
            raise RedisUnreachable("redis call exceeded its time budget") from exc
        except (RedisError, OSError) as exc:
            self._breaker.record(ticket, ok=False)
            raise RedisUnreachable(f"{type(exc).__name__}: {exc}") from exc
        except asyncio.CancelledError:
            self._breaker.release(ticket)  # the caller went away: no verdict on Redis
            raise
        finally:
            self._on_done()
        self._breaker.record(ticket, ok=True)
        self.last_good = self._clock()
        return result
