"""Between two requests a kept-alive connection holds nothing of the last one: no cycle, scope
or headers, no timer (http_protocol.py). At 10,000 connections a worker, uvicorn's protocol
kept about 25 objects each, and every young collection of the cyclic collector walked them.

In-process: the protocol serves a real loopback connection on this test's event loop, so
that the test can look at the protocol object itself. Control: uvicorn's own protocol, under
the same exchange, keeps them all.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from system_under_test.http_protocol import with_header_timeout

REQUEST = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"


async def hello(scope: dict[str, Any], receive: Any, send: Any) -> None:
    headers = [(b"content-length", b"2")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b"ok"})


KEPT = ("cycle", "scope", "headers", "timeout_keep_alive_task")


async def kept_after_one_request(protocol_class: type[HttpToolsProtocol]) -> dict[str, bool]:
    """Serve one request on a kept-alive connection; which of KEPT the protocol still holds
    once its answer was read, the connection still open."""
    config = uvicorn.Config(hello, lifespan="off", log_level="warning")
    config.load()
    state = ServerState()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: protocol_class(config=config, server_state=state, app_state={}, _loop=loop),
        "127.0.0.1",
        0,
    )
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(REQUEST)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5.0)
        assert head.startswith(b"HTTP/1.1 200 "), head
        assert await asyncio.wait_for(reader.readexactly(2), 5.0) == b"ok"
        (protocol,) = state.connections
        assert isinstance(protocol, HttpToolsProtocol)
        return {name: vars(protocol)[name] is not None for name in KEPT}
    finally:
        writer.close()
        server.close()
        await server.wait_closed()


def test_a_kept_alive_connection_keeps_nothing_of_its_last_request() -> None:
    assert asyncio.run(kept_after_one_request(with_header_timeout(5.0))) == dict.fromkeys(
        KEPT, False
    )


def test_control_uvicorns_protocol_keeps_them() -> None:
    assert asyncio.run(kept_after_one_request(HttpToolsProtocol)) == dict.fromkeys(KEPT, True)
