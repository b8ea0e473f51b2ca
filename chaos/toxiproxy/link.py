"""One client connection relayed to the upstream: two sockets and a pipe each way.

``upstream`` is client to server, ``downstream`` server to client, as in Toxiproxy.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import struct
from collections.abc import Callable, Iterable
from typing import cast

from .pipe import Pipe
from .toxics import ToxicWrapper

UPSTREAM = "upstream"
DOWNSTREAM = "downstream"
WRITE_HIGH = 256 * 1024  # bytes buffered towards a socket before its source pauses


def set_nodelay(transport: asyncio.BaseTransport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def set_reset_on_close(transport: asyncio.BaseTransport) -> None:
    """SO_LINGER 0: closing the socket sends RST instead of FIN."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


class Side(asyncio.Protocol):
    """One socket of a link; reads feed ``out``, write pressure throttles ``into``'s source."""

    def __init__(self, link: Link) -> None:
        self.link = link
        self.transport: asyncio.Transport | None = None
        self.out: Pipe | None = None  # the pipe reading from this socket
        self.into: Pipe | None = None  # the pipe writing to this socket
        self.lost = False
        self.fast_dest: asyncio.Transport | None = None  # set by the pipe reading this socket
        self.early = bytearray()  # read before the pipes exist (uvloop may read before resume)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.transport = transport
        set_nodelay(transport)
        transport.set_write_buffer_limits(high=WRITE_HIGH)
        if self is self.link.client:
            transport.pause_reading()  # nothing is read before the upstream is dialled
            self.link.on_client(self.link)

    def data_received(self, data: bytes) -> None:
        dest = self.fast_dest
        if dest is not None:
            dest.write(data)  # the fast path: a bare relay for a direction without toxics
            return
        out = self.out
        if out is None:
            self.early += data
            if self.transport is not None:
                self.transport.pause_reading()
            return
        out.feed(data)

    def eof_received(self) -> bool:
        if self.out is not None:
            self.out.feed_eof()
        return True  # keep the socket open for the other direction; the pipe closes it

    def pause_writing(self) -> None:
        if self.into is not None:
            self.into.set_dest_full(True)

    def resume_writing(self) -> None:
        if self.into is not None:
            self.into.set_dest_full(False)

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        if self.out is not None:
            self.out.feed_eof()
        if self.into is not None:
            self.into.finished = True
            self.into.set_fast(False)
        self.link.side_lost()


class Link:
    """A client connection and its upstream connection."""

    def __init__(
        self,
        on_client: Callable[[Link], None],
        on_done: Callable[[Link], None],
        rng: random.Random,
        *,
        count_bytes: bool = False,
    ) -> None:
        self.client = Side(self)
        self.server = Side(self)
        self.on_client = on_client
        self.on_done = on_done
        self.count_bytes = count_bytes
        self.rng = rng
        self.pipes: dict[str, Pipe] = {}
        self.done = False

    def start(self, toxics: Iterable[ToxicWrapper], reset_peer: bool) -> None:
        """Both sockets are up: build the pipes with the proxy's current toxics, start reading."""
        client, server = self.client.transport, self.server.transport
        assert client is not None
        assert server is not None
        count = self.count_bytes
        up = Pipe(UPSTREAM, client, server, self.rng, self.client, count_bytes=count)
        down = Pipe(DOWNSTREAM, server, client, self.rng, self.server, count_bytes=count)
        self.pipes = {UPSTREAM: up, DOWNSTREAM: down}
        self.client.out, self.client.into = up, down
        self.server.out, self.server.into = down, up
        if reset_peer:
            set_reset_on_close(client)
            set_reset_on_close(server)
        for wrapper in toxics:
            self.pipes[wrapper.direction].add(wrapper)
        for side, pipe in ((self.client, up), (self.server, down)):
            if side.early:
                pipe.feed(bytes(side.early))
                side.early.clear()
        if self.client.lost:
            up.feed_eof()
        if self.server.lost:
            down.feed_eof()
        client.resume_reading()

    def side_lost(self) -> None:
        if self.client.lost and (self.server.lost or self.server.transport is None):
            self.finish()

    def finish(self) -> None:
        if self.done:
            return
        self.done = True
        for pipe in self.pipes.values():
            pipe.stop()
        self.on_done(self)

    def abort(self) -> None:
        """Drop the connection now (proxy disabled, deleted or restarted)."""
        for side in (self.client, self.server):
            if side.transport is not None and not side.lost:
                side.transport.abort()
        self.finish()
