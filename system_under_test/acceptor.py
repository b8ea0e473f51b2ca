"""Greedy accept: every pending connection of a listening socket, in bounded batches.

    acceptor = GreedyAcceptor(loop, sock, create_protocol, batch=256, on_batch=gauge)
    acceptor.start()   # ...; acceptor.close() stops accepting (the socket stays open)

libuv (since PR #3696, vendored by uvloop 0.23) accepts ONE connection per loop iteration.
Under overload an iteration lasts 0.1-1 s, so a worker accepts a few connections a second, the
kernel's accept queue fills and new clients' SYNs are dropped (retransmitted at 1, 3, 7, 15 s).
This reader accepts up to ``batch`` connections per readiness (until the queue is empty) and
hands each to the loop with ``connect_accepted_socket``, the protocol uvicorn would have built.

Balance: every worker's reader wakes for the shared socket's readiness, and the first to run
would take the whole queue (wrk's 64 connections all landed on one of two workers in 2 runs
of 12; 64 connections opened one after another went 3 to 61). So a worker whose event loop is
on time takes at most ``fair`` per readiness and then stops reading the socket for
FAIR_PAUSE_S, leaving what comes next to the others (without the pause its next loop turn, a
few microseconds later, took the next share before another worker even ran); only a worker
whose loop is late (``loop_late()``: connections wait on it) takes up to ``batch``.
``fair=None`` (one worker, or a socket of its own) always takes up to ``batch``.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
import time
from collections.abc import Callable

log = logging.getLogger("system_under_test.acceptor")

DEFAULT_BATCH = 256
FD_PAUSE_S = 0.1  # out of descriptors: stop reading the socket this long instead of spinning
FAIR_PAUSE_S = 0.001  # after a fair share: the other workers' turn (1 ms: 8,000 a second alone)
FD_LOG_EVERY_S = 1.0
# the peer gave up between SYN and accept, or a network error: that connection only
TRANSIENT = frozenset(
    {errno.ECONNABORTED, errno.EPROTO, errno.EPERM, errno.ENETDOWN, errno.ENETUNREACH}
    | {errno.EHOSTDOWN, errno.EHOSTUNREACH, errno.ENOPROTOOPT, errno.EOPNOTSUPP, errno.EINTR}
)
OUT_OF_FDS = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})


class GreedyAcceptor:
    """Accepts on ``sock`` from a loop reader; ``largest_batch`` is the most connections one
    readiness accepted (1 is what libuv's own accept does)."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        create_protocol: Callable[[], asyncio.Protocol],
        *,
        batch: int = DEFAULT_BATCH,
        fair: int | None = None,
        loop_late: Callable[[], bool] | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> None:
        if batch < 1 or (fair is not None and fair < 1):
            raise ValueError(f"batch and fair must be >= 1, got {batch} and {fair}")
        self.loop = loop
        self.sock = sock
        self.create_protocol = create_protocol
        self.batch = batch
        self.fair = batch if fair is None else fair  # None: always the whole batch
        self.loop_late = loop_late
        self.on_batch = on_batch
        self.largest_batch = 0
        self.accepted = 0
        self._reading = False
        self._closed = False
        self._resume: asyncio.TimerHandle | None = None
        self._fd_logged_at = 0.0
        self._handoffs: set[asyncio.Task[object]] = set()

    def start(self) -> None:
        self.sock.setblocking(False)
        self._read()

    def _read(self) -> None:
        self._resume = None
        if not self._closed and not self._reading:
            self.loop.add_reader(self.sock.fileno(), self._on_readable)
            self._reading = True

    def _pause(self) -> None:
        if self._reading:
            self.loop.remove_reader(self.sock.fileno())
            self._reading = False

    def _on_readable(self) -> None:
        taken = 0
        late = self.loop_late is not None and self.loop_late()
        limit = accept_limit(self.batch, self.fair, late)
        for _ in range(limit):  # attempts, so a run of aborted connections is bounded too
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                break  # the queue is empty (or another worker took the rest)
            except OSError as exc:
                if exc.errno in TRANSIENT:
                    continue
                self._accept_failed(exc)
                break
            taken += 1
            self._hand_off(conn)
        if taken and limit < self.batch and self._reading:  # a fair share taken: others' turn
            self._pause()
            if not self._closed and self._resume is None:
                self._resume = self.loop.call_later(FAIR_PAUSE_S, self._read)
        if taken:
            self.accepted += taken
            if taken > self.largest_batch:
                self.largest_batch = taken
                if self.on_batch is not None:
                    self.on_batch(taken)

    def _accept_failed(self, exc: OSError) -> None:
        """EMFILE and the like (or anything unexpected): pause, retry, log once a second."""
        now = time.monotonic()
        if now - self._fd_logged_at >= FD_LOG_EVERY_S:
            self._fd_logged_at = now
            level = logging.ERROR if exc.errno in OUT_OF_FDS else logging.WARNING
            log.log(level, "accept failed (%s): paused %.1f s", exc, FD_PAUSE_S)
        self._pause()
        if not self._closed and self._resume is None:
            self._resume = self.loop.call_later(FD_PAUSE_S, self._read)

    def _hand_off(self, conn: socket.socket) -> None:
        conn.setblocking(False)
        # uvicorn writes head and body separately: Nagle would hold the body ~40 ms; an
        # OSError means the peer already reset it, which the transport will see
        with contextlib.suppress(OSError):
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        task: asyncio.Task[object] = self.loop.create_task(self._connect(conn))
        self._handoffs.add(task)
        task.add_done_callback(self._handoffs.discard)

    async def _connect(self, conn: socket.socket) -> object:
        try:
            return await self.loop.connect_accepted_socket(self.create_protocol, conn)
        except Exception as exc:  # one connection lost, never the acceptor
            log.debug("accepted connection dropped before its transport: %s", exc)
            conn.close()
            return None

    def close(self) -> None:
        """Stop accepting (uvicorn's shutdown calls this on each of its servers first)."""
        self._closed = True
        self._pause()
        if self._resume is not None:
            self._resume.cancel()
            self._resume = None

    async def wait_closed(self) -> None:
        """Until the connections accepted last have their transports (or were dropped)."""
        if self._handoffs:
            await asyncio.gather(*self._handoffs, return_exceptions=True)


def accept_limit(batch: int, fair: int, loop_late: bool) -> int:
    """Connections one readiness may accept: a fair share while the loop is on time (the other
    workers take the rest), the whole batch while it is late (connections wait on it)."""
    return batch if loop_late else min(fair, batch)
