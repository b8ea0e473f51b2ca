"""RevocationStore: the service's one door to Redis (see docs/revocation-store.md).

store = RevocationStore(settings, worker_id="w0-123", metrics=metrics)
await store.start()
answer = await store.check(jti, "fam:" + family)   # ENFORCED / DEGRADED / UNAVAILABLE
await store.revoke(jti, exp)                       # raises RevocationUnavailable
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.sentinel import Sentinel
from redis.exceptions import RedisError

from system_under_test.revocation.answer import (
    RevocationAnswer,
    RevocationCheck,
    RevocationUnavailable,
)
from system_under_test.revocation.breaker import BreakerState, CircuitBreaker
from system_under_test.revocation.cluster import CLUSTER_SCHEME, ClusterRouting
from system_under_test.revocation.connection import build_client, connection_kwargs, pool_in_use
from system_under_test.revocation.fence import RedisFence, RedisUnreachable, WorkerOverloaded
from system_under_test.revocation.keys import (
    CHANNEL,
    REVOKED_PREFIX,
    parse_exp,
    revocation_ttl_s,
    revoked_key,
    window_key,
)
from system_under_test.revocation.local_copy import LocalRevocations
from system_under_test.revocation.lookup import CoalescedLookup, LookupExpired, Values, queued_here
from system_under_test.revocation.lookup_link import LookupLink, build_lookup_link
from system_under_test.revocation.loop_lag import LoopLag, blame_redis
from system_under_test.revocation.metrics import LocalCopyMetrics, StoreMetrics
from system_under_test.revocation.replica_topology import ReplicaSource, replica_source
from system_under_test.revocation.replicas import REPLICA_INFO_TTL_S, ReplicaPolicy
from system_under_test.revocation.settings import (
    StoreSettings,
    attempts_budget_s,
    call_budget_s,
    write_extra_s,
    write_read_timeout_s,
)
from system_under_test.revocation.subscriber import (
    FeedSource,
    RevocationSubscriber,
    SingleSource,
    encode_message,
)

# SET + PUBLISH of every key as one atomic step (a script), so WAIT can follow on the same
# connection; ARGV: the channel, then exp, TTL and message of each key in turn
REVOKE_SCRIPT = """
for i = 1, #KEYS do
  redis.call('SET', KEYS[i], ARGV[3 * i - 1], 'EX', ARGV[3 * i])
  redis.call('PUBLISH', ARGV[1], ARGV[3 * i + 1])
end
return 1
"""
# the same for one key, only if it is new: refresh-token reuse detection
CLAIM_SCRIPT = """
if redis.call('SET', KEYS[1], ARGV[2], 'NX', 'EX', ARGV[3]) then
  redis.call('PUBLISH', ARGV[1], ARGV[4])
  return 1
end
return 0
"""
READY_WARNING = "ok; warning: "  # readiness() reason of a ready store with an unsafe setting
log = logging.getLogger(__name__)
_ENFORCED = RevocationCheck.ENFORCED.value
_REVOKED = RevocationAnswer(True, RevocationCheck.ENFORCED)  # answers are frozen: built once
_NOT_REVOKED = RevocationAnswer(False, RevocationCheck.ENFORCED)
SUBSCRIBER_POOL_SIZE = 2  # the subscription plus the re-sync SCAN
MAX_BATCHES_IN_FLIGHT = 2  # MGET batches out at once (pipelined); later checks gather into the next
GATHER_S = 0.0005  # a batch waits for more checks while they keep coming, this long at most
SCAN_COUNT = 1000
STATS_SCAN_PAGES = 100  # /redis/stats counts at most about 100k revoked keys
STATS_SCAN_BUDGET_S = 1.0  # extra time budget of that scan
LOG_EVERY_S = 1.0  # at most one line a second of each kind: overload would flood the log


class RevocationStore:
    def __init__(self, settings: StoreSettings, worker_id: str, metrics: StoreMetrics) -> None:
        self._settings = settings
        self._worker_id = worker_id
        self._metrics = metrics
        self._client: Redis | None = None
        self._write_client: Redis | None = None  # revoke/claim: room for WAIT in its timeout
        self._sub_client: Redis | None = None
        self._cluster: ClusterRouting | None = None  # with a redis+cluster:// URL
        self._sub_cluster: ClusterRouting | None = None
        self._link: LookupLink | None = None  # the lookups' own pipelined connection
        self._link_sentinel: Sentinel | None = None
        self._pool_reported = -1  # the last pool_in_use reported
        self._capacity_reported = -1  # the last pool_capacity reported
        self.breaker = CircuitBreaker(
            settings.breaker_failures,
            settings.breaker_reset_s,
            time.monotonic,
            on_state=lambda s: metrics.breaker_state(int(s)),
            on_opened=metrics.breaker_opened,
            on_probe=metrics.breaker_probe,
        )
        self.lag = LoopLag()
        self.fence = RedisFence(
            settings, self.breaker, self.report_pool, lag=self.lag, on_error=metrics.redis_error
        )
        self._contact_reported: float | None = None  # the last good contact reported
        on_size = metrics.revocations_local if isinstance(metrics, LocalCopyMetrics) else _ignore
        self.local = LocalRevocations(settings.leeway_s, time.time, on_size)
        self._replicas = ReplicaPolicy(settings.min_replicas, settings.replica_wait, time.monotonic)
        self._replica_source: ReplicaSource | None = None  # made in start()
        self._replicas_asked: asyncio.Task[None] | None = None  # _ask_replicas's read
        self._lookup = CoalescedLookup(
            self._fetch,
            min(MAX_BATCHES_IN_FLIGHT, settings.pool_size),
            budget_s=call_budget_s(settings),  # a check waits at most one call's budget
            pending=self._reply_pending,  # a reply waiting unread is not a timeout
            gather_s=GATHER_S,
        )
        # why checks went without an answer, writes without WAIT's confirmation, writes unstored
        self._shed_log, self._unconfirmed_log, self._unwritten_log = (
            _Throttle(),
            _Throttle(),
            _Throttle(),
        )
        self._subscriber: RevocationSubscriber | None = None
        self._retry_after = max(1, round(settings.breaker_reset_s))

    # lifecycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Build the clients and start the subscriber; never waits for Redis to be up."""
        settings = self._settings
        source: FeedSource
        if settings.redis_url is not None and settings.redis_url.startswith(CLUSTER_SCHEME):
            kwargs = connection_kwargs(settings)
            timeout = settings.redis_timeout_s
            write_kwargs = connection_kwargs(settings, write_read_timeout_s(settings))
            self._cluster = ClusterRouting(
                settings.redis_url, settings.pool_size, timeout, kwargs, write_kwargs
            )
            self._sub_cluster = ClusterRouting(
                settings.redis_url, SUBSCRIBER_POOL_SIZE, timeout, connection_kwargs(settings)
            )
            source = self._sub_cluster
        else:
            self._client = build_client(settings, settings.pool_size)
            self._write_client = build_client(
                settings, settings.pool_size, write_read_timeout_s(settings)
            )
            self._sub_client = build_client(settings, SUBSCRIBER_POOL_SIZE)
            built = build_lookup_link(settings)  # None for TLS and unix sockets: redis-py
            if built is not None:
                self._link, self._link_sentinel = built
            source = SingleSource(self._sub_client)
        self._replica_source = replica_source(settings)
        self._subscriber = RevocationSubscriber(source, self.local, settings)
        self._subscriber.start()
        self.lag.start()
        self._metrics.breaker_state(int(BreakerState.CLOSED))
        self._metrics.pool_in_use(0)
        self._pool_reported = 0

    async def close(self) -> None:
        self.lag.stop()
        if self._replicas_asked is not None:
            self._replicas_asked.cancel()
            await asyncio.gather(self._replicas_asked, return_exceptions=True)
            self._replicas_asked = None
        if self._subscriber is not None:
            await self._subscriber.close()
        await self._lookup.close()
        if self._link is not None:
            await self._link.close()
        if self._link_sentinel is not None:
            for sentinel_client in self._link_sentinel.sentinels:
                await sentinel_client.aclose()
        self._link = self._link_sentinel = None
        for client in (self._client, self._write_client, self._sub_client):
            if client is not None:
                await client.aclose()
        for routing in (self._cluster, self._sub_cluster):
            if routing is not None:
                await routing.aclose()
        self._client = self._write_client = self._sub_client = None
        self._cluster = self._sub_cluster = None
        if self._replica_source is not None:
            await self._replica_source.aclose()
            self._replica_source = None

    # the verify path ------------------------------------------------------------------------

    async def check(self, *keys: str, fail_open: bool = True) -> RevocationAnswer:
        """Revoked if any key is; ENFORCED only from a Redis read issued after this call.
        ``fail_open=False``: never DEGRADED (a caller that needs Redis afterwards anyway, so
        that the degraded counter counts only answers that go out as 200 degraded)."""
        if not keys:
            raise ValueError("check needs at least one key")
        names = [REVOKED_PREFIX + k for k in keys]  # revoked_key, inlined: the hot path
        started = time.monotonic()
        try:
            values = await self._lookup.lookup(names)  # bounded by the lookup's budget_s
        except Exception as exc:
            return self._answer(keys, started, None, exc, fail_open)
        return self._answer(keys, started, values, None, fail_open)

    def check_soon(
        self, keys: tuple[str, ...], then: Callable[[RevocationAnswer | Exception], None]
    ) -> None:
        """``check(*keys)`` without a task: ``then`` gets the answer (or what ``check`` would
        have raised) from the batch that reads the keys, once."""
        if not keys:
            raise ValueError("check needs at least one key")
        started = time.monotonic()

        def landed(values: Values | None, error: Exception | None) -> None:
            try:
                answer: RevocationAnswer | Exception = self._answer(keys, started, values, error)
            except Exception as exc:
                answer = exc
            then(answer)

        self._lookup.lookup_soon([REVOKED_PREFIX + k for k in keys], landed)

    def _answer(
        self,
        keys: tuple[str, ...],
        started: float,
        values: Values | None,
        error: Exception | None,
        fail_open: bool = True,
    ) -> RevocationAnswer:
        """The check's answer from the lookup's ``values``, or from its ``error`` (re-raised
        when it is none of the store's own failures)."""
        if error is not None:
            return self._failed(keys, started, error, fail_open)
        assert values is not None
        if values.count(None) == len(values):  # the usual answer: nothing revoked, no parse
            self._metrics.check(_ENFORCED)
            return _NOT_REVOKED
        for key, value in zip(keys, values, strict=True):
            if value is not None:
                exp = parse_exp(value)
                self.local.add(key, 0 if exp is None else exp)
        self._metrics.check(_ENFORCED)
        return _REVOKED

    def _failed(
        self, keys: tuple[str, ...], started: float, error: Exception, fail_open: bool
    ) -> RevocationAnswer:
        if isinstance(error, WorkerOverloaded):
            self._note_shed(started, error)
            return self._without_redis(keys, overloaded=True, fail_open=fail_open)
        if isinstance(error, TimeoutError):  # the lookup's budget: Redis late, or this worker
            late = self.lag.late_since(started)
            starved = not blame_redis(True, late, self._settings.redis_timeout_s)
            starved = starved or self._queued_here(error)
            self._note_shed(started, error, late, starved)
            return self._without_redis(keys, overloaded=starved, fail_open=fail_open)
        if isinstance(error, (RedisUnreachable, RevocationUnavailable, RuntimeError)):
            return self._without_redis(keys, fail_open=fail_open)
        raise error

    def _without_redis(
        self, keys: tuple[str, ...], overloaded: bool = False, fail_open: bool = True
    ) -> RevocationAnswer:
        """Fail-open (within the bound) only when Redis was at fault: an overloaded worker's
        timeout answers unavailable (503, shed), never degraded."""
        known = self.local.any_revoked(keys)
        if self._settings.failure_mode == "open" and not overloaded and fail_open:
            if known:  # a revocation this worker knows is enforced whatever the bound
                self._metrics.check(RevocationCheck.DEGRADED.value)
                return RevocationAnswer(True, RevocationCheck.DEGRADED)
            if self.degraded_allowed():
                self._metrics.check(RevocationCheck.DEGRADED.value)
                self._metrics.degraded()
                return RevocationAnswer(False, RevocationCheck.DEGRADED)
        self._metrics.check(RevocationCheck.UNAVAILABLE.value)
        return RevocationAnswer(known, RevocationCheck.UNAVAILABLE)

    def _note_shed(
        self, started: float, exc: Exception, late: float | None = None, starved: bool = True
    ) -> None:
        """One log line a second at most: why checks go without a Redis answer (overload)."""
        now = time.monotonic()
        if self._shed_log.due(now):
            log.warning(
                "revocation check without an answer after %.0f ms (%s: %s)%s: %s",
                (now - started) * 1000,
                type(exc).__name__,
                exc,
                "" if late is None else f", event loop late {late * 1000:.0f} ms",
                "worker overloaded (shed)" if starved else "Redis late (fail-open policy)",
            )

    def _queued_here(self, exc: TimeoutError) -> bool:
        """The expired batch waited in this worker, not on Redis (lookup.queued_here)."""
        if not isinstance(exc, LookupExpired):
            return False
        timeout_s = self._settings.redis_timeout_s
        answering = self._reply_pending(time.monotonic() - timeout_s)
        return queued_here(exc.sent_for_s, answering, timeout_s)

    def _reply_pending(self, since: float) -> bool:
        link = self._link
        return link is not None and link.reply_pending(since)

    def degraded_allowed(self) -> bool:
        """Fail-open only within the bound after the last good contact, with a synced copy."""
        last = self.fence.last_good
        return (
            last is not None
            and self.local.synced
            and time.monotonic() - last <= self._settings.degraded_bound_s
        )

    async def _fetch(self, names: list[str]) -> Values:
        # report=False: a gauge write per batch costs; report_pool() runs on the metrics flush
        if self._cluster is not None:
            return await self.fence.run(lambda: self._routing().mget(names), report=False)
        link = self._link
        if link is not None:
            return await self.fence.run(
                lambda: link.mget(names), pending=link.reply_pending, report=False
            )
        client = self._redis()
        values: Values = await self.fence.run(lambda: client.mget(names), report=False)
        return values

    # writes ---------------------------------------------------------------------------------

    async def revoke(self, key: str, exp: int) -> None:
        """Returns only when written (and WAIT-confirmed when replicas are required)."""
        await self.revoke_all([(key, exp)])

    async def revoke_all(self, items: list[tuple[str, int]]) -> None:
        """Every (key, exp) revoked, or RevocationUnavailable (then maybe some of them): one
        script, one round trip on the lookup link when no replica must confirm it; else one
        write per key, concurrently (a cluster's keys live on different nodes)."""
        if self._on_link():
            written = await self._write_on_link(REVOKE_SCRIPT, items)
        else:
            results = await asyncio.gather(
                *(self._write(REVOKE_SCRIPT, key, exp) for key, exp in items),
                return_exceptions=True,
            )
            for result in results:
                if isinstance(result, BaseException):
                    raise result
            written = None if None in results else True
        if written is None:
            raise RevocationUnavailable("revocation not stored", self._retry_after)

    async def claim_once(self, key: str, exp: int) -> bool | None:
        """True: first use (now revoked); False: already used or revoked; None: unavailable."""
        if self._on_link():
            return await self._write_on_link(CLAIM_SCRIPT, [(key, exp)], retry=False)
        return await self._write(CLAIM_SCRIPT, key, exp)

    def _on_link(self) -> bool:
        """Writes go on the lookup link when no WAIT must follow them (none is required now):
        a few microseconds of CPU, where a redis-py pipeline costs hundreds. A WAIT blocks its
        connection, so writes that need one keep redis-py's pool (and its INFO replication).
        The count is the one the pool's writes learnt for the same primary (asked at most once
        a second). Past that second, while the breaker is closed, it still counts for one more
        while one pool connection asks again beside the writes (each write asking for itself
        filled the pool under load and answered 503 late); unknown, older still, or with Redis
        failing, the write takes the pool and asks."""
        if self._link is None:
            return False
        writer = self._writer()
        required = self._replicas.required(id(writer))
        if required is None and self.breaker.state is BreakerState.CLOSED:
            required = self._replicas.required(id(writer), older_s=REPLICA_INFO_TTL_S)
            if required is not None:
                self._ask_replicas(writer)
        return required == 0

    def _ask_replicas(self, client: Redis) -> None:
        """Read ``client``'s replica count again in the background (one read at a time)."""
        if self._replicas_asked is None or self._replicas_asked.done():
            self._replicas_asked = asyncio.get_running_loop().create_task(self._reask(client))

    async def _reask(self, client: Redis) -> None:
        try:
            async with asyncio.timeout(attempts_budget_s(self._settings)):
                await self._replicas_required(client, fresh=True)
        except (RedisError, RedisUnreachable, RevocationUnavailable, OSError) as exc:
            # the count ages out: the next writes take the pool and meet the failure themselves
            log.debug("replica count not read again: %r", exc)

    def _script_args(self, script: str, items: list[tuple[str, int]]) -> list[str]:
        """EVAL's arguments: the keys, then the channel and each key's exp, TTL and message."""
        now = time.time()
        leeway = self._settings.leeway_s
        args = ["EVAL", script, str(len(items)), *(revoked_key(key) for key, _ in items), CHANNEL]
        for key, exp in items:
            args += [str(exp), str(revocation_ttl_s(exp, now, leeway)), encode_message(key, exp)]
        return args

    async def _write_on_link(
        self, script: str, items: list[tuple[str, int]], retry: bool = True
    ) -> bool | None:
        link = self._link
        assert link is not None
        args = self._script_args(script, items)
        started = time.monotonic()
        # a write's reply may wait for its fsync (appendfsync always): each attempt gets the
        # write connections' read timeout, not the lookups' (a Redis on a slow disk answered
        # every logout after 0.1 s, the link dropped itself each time and the breaker stayed
        # open while the lookups were fine)
        timeout_s = write_read_timeout_s(self._settings)
        try:
            reply = await self.fence.run(
                lambda: link.call(*args, retry=retry, timeout_s=timeout_s),
                extra_s=write_extra_s(self._settings),
                pending=link.reply_pending,
            )
        except RedisUnreachable as exc:
            self._note_unwritten(started, exc)
            return None
        if reply:
            for key, exp in items:
                self.local.add(key, exp)
        return bool(reply)

    async def _write(self, script: str, key: str, exp: int) -> bool | None:
        name = revoked_key(key)
        self._redis_or_cluster()

        async def write() -> tuple[int, list[Any]]:
            client = await self._node_for(name, writes=True)  # the key's primary (cluster)
            replicas = await self._replicas_required(client)
            # no MULTI: WAIT must follow the write on the same connection
            pipe = client.pipeline(transaction=False)
            pipe.execute_command(*self._script_args(script, [(key, exp)]))
            if replicas:
                pipe.wait(replicas, self._settings.wait_timeout_ms)
            result: list[Any] = await pipe.execute()
            return replicas, result

        extra_s = write_extra_s(self._settings)
        if self._replicas.fixed is None:
            extra_s += attempts_budget_s(self._settings)  # the topology may be asked first
        try:
            replicas, result = await self.fence.run(write, extra_s=extra_s)
        except RedisUnreachable:
            self._slot_map_stale()
            return None
        if replicas and int(result[1]) < replicas:
            self._note_unconfirmed(int(result[1]), replicas)
            return None  # not on every replica that may be promoted: not acknowledged
        self.local.add(key, exp)
        return bool(result[0])

    async def _replicas_required(self, client: Redis, fresh: bool = False) -> int:
        """Inside the write's fence: the fixed count, or what the topology says about this
        primary's replicas (asked at most once a second per primary; ``fresh``: asked now)."""
        primary = id(client)  # one client per primary (a cluster's node clients are kept)
        required = None if fresh else self._replicas.required(primary)
        if required is not None:
            return required
        if self._replica_source is None:
            raise RevocationUnavailable("revocation store not started", self._retry_after)
        return self._replicas.observe(await self._replica_source.view(client), primary)

    def _note_unconfirmed(self, confirmed: int, required: int) -> None:
        """One log line a second at most: why a logout answered 503 with Redis up."""
        if self._unconfirmed_log.due(time.monotonic()):
            log.warning(
                "revocation not acknowledged: WAIT confirmed %d of %d replicas within %d ms "
                "(%s); answered 503, the client retries",
                confirmed,
                required,
                self._settings.wait_timeout_ms,
                self._replica_rule(),
            )

    def _note_unwritten(self, started: float, exc: RedisUnreachable) -> None:
        """One log line a second at most: why a write went unacknowledged (answered 503)."""
        now = time.monotonic()
        if self._unwritten_log.due(now):
            log.warning(
                "revocation write not acknowledged after %.0f ms (%s: %s), event loop late "
                "%.0f ms; answered 503, the client retries",
                (now - started) * 1000,
                type(exc).__name__,
                exc,
                self.lag.late_since(started) * 1000,
            )

    def _replica_rule(self) -> str:
        """The setting that decides how many replicas a write waits for, as the CLI names it."""
        if self._replicas.fixed is not None:
            return f"--min-replicas {self._replicas.fixed}"
        return f"--replica-wait {self._replicas.mode}"

    async def incr_window(self, key: str, window_s: int) -> int | None:
        """Attempts in the current fixed window of `window_s` seconds; None when Redis is down."""
        name = window_key(key, window_s, time.time())
        self._redis_or_cluster()

        async def incr() -> list[Any]:
            client = await self._node_for(name)
            pipe = client.pipeline(transaction=True)
            pipe.incr(name)
            pipe.expire(name, window_s, nx=True)
            result: list[Any] = await pipe.execute()
            return result

        try:
            result = await self.fence.run(incr)
        except RedisUnreachable:
            self._slot_map_stale()
            return None
        return int(result[0])

    # operations -----------------------------------------------------------------------------

    async def readiness(self) -> tuple[bool, str]:
        self._redis_or_cluster()

        async def configs() -> list[dict[str | None, str | None]]:
            names = ("maxmemory-policy", "appendonly", "appendfsync")
            return [await c.config_get(*names) for c in await self._primaries()]

        async def replicas_confirm() -> bool:
            """Every primary's writes wait for at least one replica (auto never promises it)."""
            if self._replicas.fixed is None and self._replicas.mode == "auto":
                return False
            return all([await self._replicas_required(c) >= 1 for c in await self._primaries()])

        try:
            every = await self.fence.run(configs)
            confirmed_by_replicas = await self.fence.run(replicas_confirm)
        except RedisUnreachable as exc:
            return False, f"redis unreachable: {exc.reason}"
        # with a cluster, the least safe primary speaks for all
        config = next((c for c in every if _text(c.get("maxmemory-policy")) != "noeviction"), None)
        config = config or next(
            (c for c in every if _text(c.get("appendfsync")) != "always"), every[0]
        )
        policy = _text(config.get("maxmemory-policy"))
        if policy != "noeviction":
            return False, (
                f"redis maxmemory-policy is {policy}: evicted keys would un-revoke tokens "
                "(set noeviction)"
            )
        appendonly = _text(config.get("appendonly"))
        fsync = _text(config.get("appendfsync"))
        durable_on_disk = appendonly == "yes" and fsync == "always"
        if not durable_on_disk and not confirmed_by_replicas:
            return True, (
                f"{READY_WARNING}appendonly {appendonly}, appendfsync {fsync} and no replica "
                f"confirms each write ({self._replica_rule()}): acknowledged revocations can "
                "be lost across kill -9 or a failover (set appendfsync always, or run replicas "
                "with --replica-wait all or a fixed --min-replicas)"
            )
        return True, "ok"

    async def stats(self) -> dict[str, object]:
        """/redis/stats; raises RevocationUnavailable when Redis cannot be reached."""
        self._redis_or_cluster()

        async def info_first() -> dict[str, Any]:
            info: dict[str, Any] = await (await self._primaries())[0].info()
            return info

        async def count_all() -> tuple[int, bool]:
            counts = [await self._count_revoked(c) for c in await self._primaries()]
            return sum(n for n, _ in counts), all(done for _, done in counts)

        try:
            info = await self.fence.run(info_first)
            revoked, complete = await self.fence.run(count_all, extra_s=STATS_SCAN_BUDGET_S)
        except RedisUnreachable as exc:
            raise RevocationUnavailable(exc.reason, self._retry_after) from exc
        return {
            "worker": self._worker_id,
            "redis_version": info.get("redis_version"),
            "clients": info.get("connected_clients"),
            "memory_used_bytes": info.get("used_memory"),
            "maxmemory_policy": info.get("maxmemory_policy"),
            "connected_replicas": info.get("connected_slaves"),
            "revoked_keys": revoked,
            "revoked_keys_complete": complete,  # False: a lower bound (scan capped)
            "pool_in_use": self._pool_in_use(),
            "pool_size": self._settings.pool_size,
            "breaker_state": self.breaker.state.name.lower(),
            "local_revocations": len(self.local),
            "local_synced": self.local.synced,
        }

    async def _count_revoked(self, client: Redis) -> tuple[int, bool]:
        """(revoked keys seen, complete?): at most STATS_SCAN_PAGES pages, so stats stay cheap."""
        count, cursor = 0, 0
        for _ in range(STATS_SCAN_PAGES):
            cursor, names = await client.scan(cursor, match=REVOKED_PREFIX + "*", count=SCAN_COUNT)
            count += len(names)
            if cursor == 0:
                return count, True
        return count, False

    # internals ------------------------------------------------------------------------------

    def _redis(self) -> Redis:
        if self._client is None:
            raise RevocationUnavailable("revocation store not started", self._retry_after)
        return self._client

    def _routing(self) -> ClusterRouting:
        if self._cluster is None:
            raise RevocationUnavailable("revocation store not started", self._retry_after)
        return self._cluster

    def _redis_or_cluster(self) -> None:
        """Raise RevocationUnavailable (before any fence) when the store is not started."""
        if self._cluster is None:
            self._redis()

    async def _node_for(self, name: str, writes: bool = False) -> Redis:
        """Where a write of `name` goes: the one Redis, or the primary of its slot
        (``writes``: a client whose read timeout leaves room for WAIT)."""
        if self._cluster is not None:
            return await self._cluster.primary_for(name, writes=writes)
        return self._writer() if writes else self._redis()

    def _writer(self) -> Redis:
        """The one Redis's client for writes: its read timeout leaves room for WAIT."""
        return self._write_client if self._write_client is not None else self._redis()

    async def _primaries(self) -> list[Redis]:
        if self._cluster is not None:
            return await self._cluster.primaries()
        return [self._redis()]

    def _slot_map_stale(self) -> None:
        if self._cluster is not None:
            self._cluster.mark_stale()

    def _pool_in_use(self) -> int:
        """Connections checked out now of the fullest pool (the lookups' and the writes' each
        hold ``pool_size``; a sum could read 9 of a capacity of 5), the lookup link included
        while it carries requests."""
        if self._cluster is not None:
            return self._cluster.in_use()
        link_in_use = self._link.in_use if self._link is not None else 0
        clients = (c for c in (self._client, self._write_client) if c is not None)
        return max(map(pool_in_use, clients), default=0) + link_in_use

    def report_pool(self) -> None:
        """auth_redis_pool_in_use now: after each write call, and on the metrics flush (lookups
        do not report: a gauge write per batch costs)."""
        if self._client is not None or self._cluster is not None:
            in_use = self._pool_in_use()
            if in_use != self._pool_reported:  # skip repeats: each is a metric file write
                self._pool_reported = in_use
                self._metrics.pool_in_use(in_use)
            capacity = self._pool_capacity()
            if capacity != self._capacity_reported:
                self._capacity_reported = capacity
                self._metrics.pool_capacity(capacity)

    def _pool_capacity(self) -> int:
        """What ``_pool_in_use`` can reach: the pool plus the lookups' own link, or with a
        cluster the per-node pools made so far."""
        if self._cluster is not None:
            return self._cluster.capacity()
        return self._settings.pool_size + (1 if self._link is not None else 0)

    def report_contact(self) -> None:
        """auth_redis_last_contact_timestamp_seconds, on the metrics flush: the fence keeps a
        monotonic time, Prometheus compares with its own clock (time() - it)."""
        last = self.fence.last_good
        if last is not None and last != self._contact_reported:
            self._contact_reported = last
            self._metrics.last_contact(time.time() - (time.monotonic() - last))


class _Throttle:
    """Whether a log line of one kind may be written now: at most one every LOG_EVERY_S."""

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last = -LOG_EVERY_S

    def due(self, now: float) -> bool:
        if now - self._last < LOG_EVERY_S:
            return False
        self._last = now
        return True


def _ignore(n: int) -> None:
    pass


def _text(value: object) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return str(value)
