"""The fault proxy server: the HTTP API listener plus every proxy, with a clean shutdown."""

from __future__ import annotations

import asyncio
import json
import socket

from .api import Api
from .collection import POPULATE_ENTRY, PopulateError, ProxyCollection
from .errors import ApiError
from .http import HttpProtocol
from .jsonbody import decode_array
from .metrics import MetricsRegistry


class ToxiproxyServer:
    """``await start()``, then ``address``; ``close()`` stops listeners and connections."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 8474,
        *,
        proxy_metrics: bool = False,
        runtime_metrics: bool = False,
    ):
        self.host = host
        self.port = port
        # bytes are only counted for --proxy-metrics: the fast path pays nothing otherwise
        self.collection = ProxyCollection(count_bytes=proxy_metrics)
        metrics = None
        if proxy_metrics or runtime_metrics:
            metrics = MetricsRegistry(self.collection, proxy=proxy_metrics, runtime=runtime_metrics)
        self.api = Api(self.collection, metrics=metrics)
        self.connections: set[HttpProtocol] = set()
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: HttpProtocol(self.api.handle, self.connections),
            self.host,
            self.port,
            reuse_address=True,
        )
        sock: socket.socket = self._server.sockets[0]
        self.port = int(sock.getsockname()[1])

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def populate_file(self, text: str) -> int:
        """Load a -config file (a JSON array of proxies); returns how many proxies it holds."""
        try:
            entries = decode_array(text.encode(), "[]" + POPULATE_ENTRY)
            async with self.api.lock:
                return len(await self.collection.populate(entries))
        except ApiError as exc:
            raise ValueError(exc.message) from None
        except PopulateError as exc:
            raise ValueError(exc.error.message) from None

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        self.collection.close()
        for connection in list(self.connections):
            connection.close()
        if self._server is not None:
            await self._server.wait_closed()


def readiness_line(address: str) -> str:
    """The line printed once the API listens (shaped like the real server's JSON log)."""
    return json.dumps(
        {"level": "info", "address": address, "message": "Starting Toxiproxy HTTP server"}
    )
