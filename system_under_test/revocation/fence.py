"""Every Redis call of the store passes here: breaker, outer time budget, last good contact.

RedisUnreachable    the call failed, timed out, or the breaker is open (nothing was sent)
WorkerOverloaded    this worker's own overload, no verdict on Redis: the call timed out while
                    the event loop was late, or waited too long for a pooled connection
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from system_under_test.revocation.breaker import CircuitBreaker, Ticket
from system_under_test.revocation.loop_lag import LoopLag, blame_redis
from system_under_test.revocation.settings import StoreSettings, call_budget_s
from system_under_test.revocation.unread import GraceTimeout, ReplyPending

T = TypeVar("T")
log = logging.getLogger(__name__)


class RedisUnreachable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class WorkerOverloaded(RedisUnreachable):
    """A failure of an overloaded worker, not of Redis: answer 503, never fail open on it."""


def pool_exhausted(exc: BaseException) -> bool:
    """redis-py's BlockingConnectionPool gave up waiting for a free connection. That says
    nothing about Redis: the calls holding the connections give the verdict (a hung Redis
    times them out, and they count)."""
    return isinstance(exc, RedisConnectionError) and isinstance(exc.__cause__, TimeoutError)


class RedisFence:
    def __init__(
        self,
        settings: StoreSettings,
        breaker: CircuitBreaker,
        on_done: Callable[[], None],
        clock: Callable[[], float] = time.monotonic,
        lag: LoopLag | None = None,
        *,
        on_error: Callable[[], None] = lambda: None,
    ) -> None:
        self._settings = settings
        self._breaker = breaker
        self._on_done = on_done  # e.g. report pool connections in use
        self._on_error = on_error  # e.g. count a failure against Redis in a metric
        self._clock = clock
        self._lag = lag  # None: every timeout counts against Redis
        self.last_good: float | None = None  # monotonic time of the last answer from Redis

    async def run(
        self,
        call: Callable[[], Awaitable[T]],
        extra_s: float = 0.0,
        pending: ReplyPending | None = None,
        report: bool = True,
    ) -> T:
        """Run `call` once under the breaker and the budget (`extra_s`: e.g. WAIT's time;
        `pending`: tells a reply waiting unread, which gets a few loop turns past the budget;
        `report`: call `on_done` after it; the lookups' callers report on their own clock)."""
        ticket = self._breaker.admit()
        if ticket is None:
            raise RedisUnreachable("circuit breaker open")
        started = time.monotonic()
        budget_s = call_budget_s(self._settings, extra_s)
        try:
            # second fence: the client's own timeouts and retries should end it before this
            if pending is None:
                async with asyncio.timeout(budget_s):
                    result = await call()
            else:
                async with GraceTimeout(budget_s, pending, started):
                    result = await call()
        except (TimeoutError, RedisTimeoutError) as exc:
            self._timed_out(ticket, started, exc)
            raise RedisUnreachable(f"redis call timed out ({exc})") from exc
        except (RedisError, OSError) as exc:
            if pool_exhausted(exc):
                self._breaker.release(ticket)
                raise WorkerOverloaded(f"no free Redis connection in time ({exc})") from exc
            self._counted(ticket, exc, started)
            raise RedisUnreachable(f"{type(exc).__name__}: {exc}") from exc
        except asyncio.CancelledError:
            self._breaker.release(ticket)  # the caller went away: no verdict on Redis
            raise
        finally:
            if report:
                self._on_done()
        self._breaker.record(ticket, ok=True)
        self.last_good = self._clock()
        return result

    def _timed_out(self, ticket: Ticket, started: float, exc: Exception) -> None:
        """Count the timeout against Redis, or raise WorkerOverloaded when the loop was to blame."""
        late = self._lag.late_since(started) if self._lag is not None else 0.0
        if blame_redis(True, late, self._settings.redis_timeout_s):
            self._counted(ticket, exc, started)
            return
        self._breaker.release(ticket)
        raise WorkerOverloaded(f"event loop {late * 1000:.0f} ms late: the reply may be unread")

    def _counted(self, ticket: Ticket, exc: BaseException, started: float) -> None:
        """A failure that counts against Redis; logged, since it can open the breaker (rare:
        at most `breaker_failures` in a row, then one probe per `breaker_reset_s`)."""
        self._breaker.record(ticket, ok=False)
        self._on_error()
        late = self._lag.late_since(started) if self._lag is not None else 0.0
        log.warning(
            "redis call failed after %.0f ms (counted against Redis, breaker %s): %s: %s; "
            "event loop late %.0f ms",
            (time.monotonic() - started) * 1000,
            self._breaker.state.name.lower(),
            type(exc).__name__,
            exc,
            late * 1000,
        )
