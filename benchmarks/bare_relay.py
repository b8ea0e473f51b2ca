"""A bare uvloop TCP relay with no API and no toxics: the ceiling the fault proxy aims at.

    python -m benchmarks.bare_relay LISTEN_PORT UPSTREAM_PORT

Prints ``ready`` once listening. Used by proxy_bench to put the proxy's figure in context.
"""

from __future__ import annotations

import asyncio
import sys
from typing import cast

import uvloop


class Relay(asyncio.Protocol):
    """One socket; whatever it reads is written to its peer's transport."""

    def __init__(self, upstream_port: int, peer: Relay | None = None) -> None:
        self.upstream_port = upstream_port
        self.peer = peer
        self.transport: asyncio.Transport | None = None
        self.early = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)
        if self.peer is None:
            self.transport.pause_reading()
            asyncio.get_running_loop().create_task(self.dial())

    async def dial(self) -> None:
        loop = asyncio.get_running_loop()
        _, upstream = await loop.create_connection(
            lambda: Relay(self.upstream_port, self), "127.0.0.1", self.upstream_port
        )
        self.peer = upstream
        if self.early and self.peer.transport is not None:
            self.peer.transport.write(bytes(self.early))
        assert self.transport is not None
        self.transport.resume_reading()

    def data_received(self, data: bytes) -> None:
        peer = self.peer
        if peer is None or peer.transport is None:
            self.early += data  # uvloop may read before the upstream is dialled
            return
        peer.transport.write(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.peer is not None and self.peer.transport is not None:
            self.peer.transport.close()


async def serve(listen_port: int, upstream_port: int) -> None:
    loop = asyncio.get_running_loop()
    await loop.create_server(lambda: Relay(upstream_port), "127.0.0.1", listen_port)
    print("ready", flush=True)
    await asyncio.Event().wait()


def main() -> int:
    if len(sys.argv) != 3 or not all(a.isdigit() for a in sys.argv[1:]):
        print("usage: python -m benchmarks.bare_relay LISTEN_PORT UPSTREAM_PORT", file=sys.stderr)
        return 2
    uvloop.run(serve(int(sys.argv[1]), int(sys.argv[2])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
