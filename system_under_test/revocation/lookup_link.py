"""The lookup path's own Redis connection: pipelined MGETs on an asyncio Protocol + hiredis.

link = build_lookup_link(settings)       # None: a URL the link does not speak (rediss, unix)
values = await link.mget(["revoked:a"])  # inside RedisFence.run, like every Redis call
await link.call("EVAL", script, "2", ...)  # a revocation write that needs no WAIT (store.py)

redis-py costs about 300 us of CPU per command; this link costs a few. Same failure contract as
the redis-py clients (docs/revocation-store.md): every attempt (connect included) is bounded by
`redis_timeout_s`, `retries` more attempts after a 10 ms backoff, and a connection that timed out
or failed is discarded, never reused. Replies come back in request order (RESP pipelining), so
each request is answered by the read Redis did after the request was written.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, cast

import hiredis
from redis.asyncio.connection import parse_url
from redis.asyncio.sentinel import Sentinel
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from system_under_test.revocation.resp import encode_command
from system_under_test.revocation.settings import RETRY_BACKOFF_S, StoreSettings
from system_under_test.revocation.unread import unread_bytes

log = logging.getLogger(__name__)
Values = list[bytes | str | None]
Address = Callable[[], Awaitable[tuple[str, int]]]


class _Replies(asyncio.Protocol):
    """One TCP connection: requests go out in order, replies resolve their futures in order.

    The socket timeout: a reply later than `timeout_s` after its request aborts the connection
    (every request on it fails with TimeoutError). One lazy timer per connection checks the
    oldest request's deadline, instead of one timer per request. A reply that waits unread in
    the socket when that deadline passes (the loop was late, not Redis) gets one loop turn to be
    read first (docs/revocation-store.md "Unread replies").
    """

    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s
        self._reader = hiredis.Reader(replyError=ResponseError)
        self._waiters: deque[tuple[float, asyncio.Future[Any]]] = deque()  # (deadline, waiter)
        self._transport: asyncio.Transport | None = None
        self._watchdog: asyncio.TimerHandle | None = None
        self._fd = -1  # the socket's descriptor, for FIONREAD
        self._graced: asyncio.Future[Any] | None = None  # the request given a turn to be read
        self.delivered_at = 0.0  # time.monotonic() of the last reply handed to its request
        self.alive = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            self._fd = sock.fileno()
        self.alive = True

    def unread(self) -> int:
        """Bytes of replies received by the kernel that this connection has not read yet."""
        return unread_bytes(self._fd) if self.alive and self._fd >= 0 else 0

    @property
    def pending(self) -> int:
        return len(self._waiters)

    def send(self, request: bytes, timeout_s: float | None = None) -> asyncio.Future[Any]:
        """``timeout_s``: this request's own reply timeout (a write's: room for the fsync of
        ``appendfsync always``), else the connection's."""
        if not self.alive or self._transport is None:
            raise RedisConnectionError("lookup connection closed")
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Any] = loop.create_future()
        deadline = loop.time() + (self._timeout_s if timeout_s is None else timeout_s)
        self._waiters.append((deadline, waiter))
        if self._watchdog is None:
            self._watchdog = loop.call_at(deadline, self._watch)
        self._transport.write(request)
        return waiter

    def _watch(self) -> None:
        self._watchdog = None
        if not self._waiters:
            return
        deadline, oldest = self._waiters[0]
        loop = asyncio.get_running_loop()
        if loop.time() < deadline:
            self._watchdog = loop.call_at(deadline, self._watch)
        elif oldest is not self._graced and self.unread():
            # the reply is here, the loop was late: one turn (a timer due now runs after the
            # next turn's socket reads); a request gets it once, so a trickle still times out
            self._graced = oldest
            self._watchdog = loop.call_later(0, self._watch)
        else:
            late_s = loop.time() - deadline
            log.warning(
                "lookup connection: no reply within %s s (timer %.0f ms late)",
                self._timeout_s,
                late_s * 1000,
            )
            self.abort(RedisTimeoutError(f"no reply within {self._timeout_s} s"))

    def data_received(self, data: bytes) -> None:
        self._reader.feed(data)
        while True:
            try:
                reply = self._reader.gets()
            except hiredis.ProtocolError as exc:
                self.abort(RedisConnectionError(f"protocol error: {exc}"))
                return
            if reply is False:
                return
            if not self._waiters:
                self.abort(RedisConnectionError("reply without a request"))
                return
            _, waiter = self._waiters.popleft()  # always: the order must stay aligned
            if waiter.done():
                continue
            self.delivered_at = time.monotonic()
            if isinstance(reply, ResponseError):
                waiter.set_exception(reply)
            else:
                waiter.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self._fail(RedisConnectionError(f"lookup connection lost: {exc or 'closed by server'}"))

    def abort(self, reason: Exception) -> None:
        """Drop the connection now; every request still on it fails with `reason`."""
        self._fail(reason)
        if self._transport is not None:
            self._transport.abort()

    def _fail(self, reason: Exception) -> None:
        self.alive = False
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None
        while self._waiters:
            _, waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(reason)


class LookupLink:
    def __init__(
        self,
        settings: StoreSettings,
        address: Address,
        handshake: list[bytes],
        must_be_master: bool,
    ) -> None:
        self._timeout_s = settings.redis_timeout_s
        self._attempts = settings.retries + 1
        self._address = address
        self._handshake = handshake  # AUTH / SELECT, sent before the first request
        self._must_be_master = must_be_master  # Sentinel: refuse a demoted primary (ROLE)
        self._conn: _Replies | None = None
        self._connecting: asyncio.Task[_Replies] | None = None
        self.connects = 0  # connections opened (for tests and benchmarks)

    def reply_pending(self, since: float) -> bool:
        """A reply waits unread in the socket, or one was read at or after `since` (monotonic)
        and its caller may not have run yet: a deadline expiring now is the loop's, not Redis's."""
        conn = self._conn
        if conn is None or not conn.alive:
            return False
        return conn.delivered_at >= since or conn.unread() > 0

    @property
    def in_use(self) -> int:
        """1 while requests are out on the connection (it counts in `pool_in_use`), else 0."""
        return 1 if self._conn is not None and self._conn.pending else 0

    async def mget(self, keys: list[str]) -> Values:
        values: Values = await self.call("MGET", *keys)
        return values

    async def call(self, *args: str, retry: bool = True, timeout_s: float | None = None) -> Any:
        """One command's reply (a revocation write's EVAL as well as the lookups' MGET): each
        attempt on a live connection, retried on a new one after a timeout or an error
        (``retry=False``: one attempt, for a command that must not run twice, SET NX;
        ``timeout_s``: each attempt's reply timeout, else the connection's)."""
        request = encode_command(*args)
        last: Exception | None = None
        for attempt in range(self._attempts if retry else 1):
            if attempt:
                await asyncio.sleep(RETRY_BACKOFF_S)
            conn: _Replies | None = None
            try:
                conn = await self._connected()  # bounded by the connect's own timeout
                return await conn.send(request, timeout_s)  # bounded by the watchdog
            except TimeoutError as exc:
                last = RedisTimeoutError(f"lookup connect exceeded {self._timeout_s} s: {exc}")
                self._discard(conn, last)
            except (RedisError, OSError) as exc:
                last = exc
                self._discard(conn, exc)
        raise last if last is not None else RedisConnectionError("no attempt")

    async def close(self) -> None:
        task, self._connecting = self._connecting, None
        if task is not None and not task.done():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._discard(self._conn, RedisConnectionError("revocation store closed"))

    def _discard(self, conn: _Replies | None, reason: Exception) -> None:
        """Never reuse a connection after a timeout or an error; others on it retry."""
        if conn is not None:
            conn.abort(reason)
        if conn is self._conn and self._conn is not None:
            self._conn = None

    async def _connected(self) -> _Replies:
        conn = self._conn
        if conn is not None and conn.alive:
            return conn
        task = self._connecting
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(self._connect())
            task.add_done_callback(_retrieve)
            self._connecting = task
        # shielded: an attempt that gives up must not cancel a connect others are waiting for
        return await asyncio.shield(task)

    async def _connect(self) -> _Replies:
        async with asyncio.timeout(self._timeout_s):
            host, port = await self._address()
            loop = asyncio.get_running_loop()
            timeout_s = self._timeout_s
            _, conn = await loop.create_connection(lambda: _Replies(timeout_s), host, port)
            try:
                for command in self._handshake:
                    await conn.send(command)
                if self._must_be_master:
                    role = await conn.send(encode_command("ROLE"))
                    if not role or role[0] != b"master":
                        raise RedisConnectionError(f"{host}:{port} is not the primary")
            except BaseException:
                conn.abort(RedisConnectionError("lookup handshake failed"))
                raise
        self._conn = conn
        self.connects += 1
        return conn


def _retrieve(task: asyncio.Task[_Replies]) -> None:
    if not task.cancelled():
        task.exception()  # the awaiting attempts report it; no "never retrieved" noise


def build_lookup_link(settings: StoreSettings) -> tuple[LookupLink, Sentinel | None] | None:
    """The link for these settings (and its Sentinel client to close), or None (use redis-py)."""
    if settings.redis_url is not None:
        if not settings.redis_url.startswith("redis://"):
            return None  # TLS and unix sockets stay on redis-py
        url = parse_url(settings.redis_url)
        host, port = str(url.get("host", "localhost")), int(url.get("port", 6379))

        async def fixed() -> tuple[str, int]:
            return host, port

        return LookupLink(settings, fixed, handshake_of(url), must_be_master=False), None
    assert settings.sentinel_service is not None  # checked by StoreSettings
    service = settings.sentinel_service
    timeouts = {
        "socket_timeout": settings.redis_timeout_s,
        "socket_connect_timeout": settings.redis_timeout_s,
    }
    # untyped in older redis-py releases, typed in newer ones
    sentinel = Sentinel(  # type: ignore[no-untyped-call,unused-ignore]
        settings.sentinels, sentinel_kwargs=timeouts
    )

    async def master() -> tuple[str, int]:
        host, port = await sentinel.discover_master(service)
        return str(host), int(port)

    return LookupLink(settings, master, [], must_be_master=True), sentinel


def handshake_of(url: Mapping[str, object]) -> list[bytes]:
    """AUTH and SELECT for the parsed URL's credentials and database (none when default)."""
    commands = []
    password, username, db = url.get("password"), url.get("username"), url.get("db", 0)
    if password is not None:
        auth = (str(username), str(password)) if username else (str(password),)
        commands.append(encode_command("AUTH", *auth))
    if db:
        commands.append(encode_command("SELECT", str(db)))
    return commands
