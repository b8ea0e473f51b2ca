"""Feeds the local copy from the `revocations` channel, re-synced on every (re)connect.

Pub/sub is at-most-once, so every subscribe confirmation (the first one, and the one redis-py
sends when it reconnects on its own) triggers a full SCAN of `revoked:*`, issued after the
subscription is live, so nothing published in between is missed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

from system_under_test.revocation.keys import CHANNEL, REVOKED_PREFIX, key_of, parse_exp
from system_under_test.revocation.local_copy import LocalRevocations
from system_under_test.revocation.settings import StoreSettings, call_budget_s

log = logging.getLogger(__name__)

PING_INTERVAL_S = 1.0  # an idle subscription pings this often to notice a hung Redis
STALE_AFTER_S = 3.0  # no message nor pong for this long: reconnect and re-sync
RECONNECT_PAUSE_S = 0.5  # pacing between reconnect attempts while Redis is away
SCAN_COUNT = 1000


def encode_message(key: str, exp: int) -> str:
    return f"{key} {exp}"


def decode_message(data: bytes | str) -> tuple[str, int] | None:
    text = data.decode(errors="replace") if isinstance(data, bytes) else data
    key, space, exp = text.rpartition(" ")  # the exp is last: a key may hold spaces
    if not space:
        return None
    return key, parse_exp(exp) or 0


class FeedSource(Protocol):
    """Where the feed subscribes and what its re-sync scans (one Redis, or a cluster)."""

    async def any_node(self) -> Redis: ...

    async def primaries(self) -> list[Redis]: ...


class SingleSource:
    """One Redis (direct or through Sentinel) for both."""

    def __init__(self, client: Redis) -> None:
        self.client = client

    async def any_node(self) -> Redis:
        return self.client

    async def primaries(self) -> list[Redis]:
        return [self.client]


class RevocationSubscriber:
    def __init__(
        self,
        source: FeedSource,
        local: LocalRevocations,
        settings: StoreSettings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source  # its own small pool: a subscription holds a connection for good
        self._local = local
        self._budget_s = call_budget_s(settings)
        self._clock = clock
        self._task: asyncio.Task[None] | None = None
        self.resyncs = 0  # completed full re-syncs

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._session()
            except (RedisError, OSError, TimeoutError) as exc:
                log.info("revocation subscriber reconnecting: %s", exc)
            except Exception:  # a feed that dies silently would leave the copy stale for good
                log.exception("revocation subscriber failed; reconnecting")
            await asyncio.sleep(RECONNECT_PAUSE_S)  # pacing only: the next attempt re-checks

    async def _session(self) -> None:
        async with asyncio.timeout(self._budget_s):
            client = await self._source.any_node()  # another node after each failure
        pubsub = client.pubsub()
        try:
            async with asyncio.timeout(self._budget_s):
                await pubsub.subscribe(CHANNEL)
            last_seen = self._clock()
            pinged = False
            while True:
                message = await pubsub.get_message(timeout=PING_INTERVAL_S)
                self._local.sweep_if_due()  # expiry goes on even when no revocation arrives
                now = self._clock()
                if message is not None:
                    last_seen, pinged = now, False
                    await self._handle(message)
                elif now - last_seen >= STALE_AFTER_S:
                    raise TimeoutError(f"subscription silent for {now - last_seen:.1f} s")
                elif now - last_seen >= PING_INTERVAL_S and not pinged:
                    async with asyncio.timeout(self._budget_s):
                        await pubsub.ping()
                    pinged = True
        finally:
            # untyped in older redis-py releases, typed in newer ones
            await asyncio.shield(pubsub.aclose())  # type: ignore[no-untyped-call,unused-ignore]

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "subscribe":
            await self.resync()
        elif kind == "message":
            entry = decode_message(message["data"])
            if entry is not None:
                self._local.add(*entry)

    async def resync(self) -> None:
        """Copy every `revoked:*` key with its exp into the local copy."""
        entries: list[tuple[str, int]] = []
        async with asyncio.timeout(self._budget_s):
            clients = await self._source.primaries()  # every shard with a cluster
        for client in clients:
            cursor: int = 0
            while True:
                async with asyncio.timeout(self._budget_s):
                    cursor, names = await client.scan(
                        cursor, match=REVOKED_PREFIX + "*", count=SCAN_COUNT
                    )
                    values = await _values(client, names, cluster=len(clients) > 1)
                for name, value in zip(names, values, strict=True):
                    exp = parse_exp(value)
                    if exp is not None:
                        entries.append((key_of(_text(name)), exp))
                if cursor == 0:
                    break
        self._local.replace(entries)
        self.resyncs += 1


async def _values(client: Redis, names: list[Any], *, cluster: bool) -> list[Any]:
    """MGET; on a cluster node the keys span slots (CROSSSLOT), so pipelined GETs."""
    if not names:
        return []
    if not cluster:
        values: list[Any] = await client.mget(names)
        return values
    pipe = client.pipeline(transaction=False)
    for name in names:
        pipe.get(name)
    got: list[Any] = await pipe.execute()
    return got


def _text(name: bytes | str) -> str:
    return name.decode(errors="replace") if isinstance(name, bytes) else name
