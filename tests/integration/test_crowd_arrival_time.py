"""The crowd's client times an answer when its bytes come off the socket, as wrk does, not
when its own event loop gets round to the coroutine that waits for it: the generator's work on
other users' answers in the same loop turn is not counted against the service.

A real loopback server answers at once; the loop is then kept busy for BUSY_S (standing in for
the hundreds of other users' coroutines a generator turn runs) after the answer was read and
before the waiting coroutine resumes. The answer's arrival time is before that work; the
coroutine's own clock, the control, is after it.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from chaos.profile import HttpCall
from chaos.workload.http1 import Answer, Connection

pytestmark = pytest.mark.integration

BUSY_S = 0.2
ANSWER = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}"


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while await reader.readuntil(b"\r\n\r\n"):
            writer.write(ANSWER)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass  # the client closed the connection
    finally:
        writer.close()


def hold_the_loop() -> int:
    """The loop's other work, on purpose (not a wait for readiness): returns when it began."""
    began = time.monotonic_ns()
    time.sleep(BUSY_S)
    return began


async def busy_once_the_answer_is_read(connection: Connection, deadline: float) -> int:
    """Wait (one loop turn at a time) until the answer's bytes were read, then hold the loop
    for BUSY_S; returns when the holding began (monotonic ns)."""
    while not getattr(connection._reader, "last_data_ns", 0):
        assert time.monotonic() < deadline, "the answer never came"
        await asyncio.sleep(0)
    return hold_the_loop()


async def one_request() -> tuple[int, Answer, int, int]:
    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    connection = Connection("127.0.0.1", port, timeout_s=10.0)
    try:
        started = time.monotonic_ns()
        request = asyncio.ensure_future(connection.request(HttpCall("GET", "/auth/verify")))
        began = await busy_once_the_answer_is_read(connection, time.monotonic() + 10.0)
        answer = await request
        resumed = time.monotonic_ns()
        return started, answer, began, resumed
    finally:
        connection.close()
        server.close()
        await server.wait_closed()


def test_an_answer_is_timed_when_it_came_not_when_the_loop_got_to_it() -> None:
    started, answer, busy_began, resumed = asyncio.run(one_request())
    assert answer.status == 200
    assert started <= answer.received_ns <= busy_began
    came_after_s = (answer.received_ns - started) / 1e9
    seen_after_s = (resumed - started) / 1e9  # the control: what the coroutine's clock says
    print(f"\nanswer came after {came_after_s * 1e3:.1f} ms, seen after {seen_after_s * 1e3:.1f}")
    assert seen_after_s >= BUSY_S
    assert came_after_s < seen_after_s - BUSY_S / 2
