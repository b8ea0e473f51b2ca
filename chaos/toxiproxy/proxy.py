"""A proxy: a listener, its live links and its toxics."""

from __future__ import annotations

import asyncio
import logging
import random

from .address import bind_listener, upstream_target
from .link import Link
from .netaddr import AddressError
from .toxic_collection import ToxicCollection

log = logging.getLogger("chaos.toxiproxy")
DIAL_TIMEOUT = 30.0  # seconds; a hung upstream dial must not pin the client forever


class Proxy:
    """A named TCP proxy from ``listen`` to ``upstream``."""

    def __init__(self, name: str, listen: str, upstream: str, *, count_bytes: bool = False) -> None:
        self.name = name
        self.count_bytes = count_bytes  # only with --proxy-metrics: the fast path skips counting
        self.listen = listen
        self.upstream = upstream
        self.enabled = False
        self.toxics = ToxicCollection()
        self.links: set[Link] = set()
        self._server: asyncio.AbstractServer | None = None
        self._dials: set[asyncio.Task[None]] = set()
        self._rng = random.Random()
        # bytes of finished connections, by (received|sent, direction)
        self._bytes: dict[tuple[str, str], int] = {}

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "listen": self.listen,
            "upstream": self.upstream,
            "enabled": self.enabled,
            "toxics": self.toxics.to_json(),
        }

    async def start(self) -> None:
        """Listen (no-op when already listening); raises ApiError 500 when it cannot bind."""
        if self._server is not None:
            return
        sock, resolved = bind_listener(self.listen)
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(self._accept, sock=sock)
        except OSError:
            sock.close()
            raise
        self.listen = resolved
        self.enabled = True

    def stop(self) -> None:
        """Close the listener and every live connection; toxics stay."""
        if self._server is not None:
            self._server.close()
            self._server = None
        self.enabled = False
        for task in list(self._dials):
            task.cancel()
        for link in list(self.links):
            link.abort()
        self.links.clear()

    def _accept(self) -> asyncio.Protocol:
        link = Link(self._client_made, self._link_done, self._rng, count_bytes=self.count_bytes)
        self.links.add(link)
        return link.client

    def _client_made(self, link: Link) -> None:
        task = asyncio.get_running_loop().create_task(self._dial(link))
        self._dials.add(task)
        task.add_done_callback(self._dials.discard)

    async def _dial(self, link: Link) -> None:
        client = link.client.transport
        assert client is not None
        try:
            host, port = upstream_target(self.upstream)
            async with asyncio.timeout(DIAL_TIMEOUT):
                await asyncio.get_running_loop().create_connection(lambda: link.server, host, port)
        except (OSError, AddressError, TimeoutError) as exc:
            log.info("proxy %s: upstream %s unavailable: %s", self.name, self.upstream, exc)
            client.close()  # the client sees EOF, as with the real server
            link.finish()
            return
        except asyncio.CancelledError:
            client.abort()
            link.finish()
            raise
        if link.done or link.client.lost:
            if link.server.transport is not None:
                link.server.transport.close()
            link.finish()
            return
        link.start(self.toxics.ordered(), self.toxics.has_type("reset_peer"))
        if not link.done:
            self.toxics.attach(link)

    def _link_done(self, link: Link) -> None:
        self.links.discard(link)
        self.toxics.detach(link)
        for direction, pipe in link.pipes.items():
            for kind, count in (("received", pipe.received), ("sent", pipe.sent)):
                self._bytes[kind, direction] = self._bytes.get((kind, direction), 0) + count

    def byte_counts(self, kind: str) -> dict[str, int]:
        """Bytes received from (or sent to) each side, over all connections so far."""
        counts = {d: self._bytes.get((kind, d), 0) for d in ("upstream", "downstream")}
        for link in self.links:
            for direction, pipe in link.pipes.items():
                counts[direction] += pipe.received if kind == "received" else pipe.sent
        return counts
