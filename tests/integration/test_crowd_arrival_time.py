"""The crowd's client times an answer when its bytes came, not when its own event loop gets
round to them: the generator's work on other users' answers in the same loop turn is not
counted against the service.

A real loopback server answers at once; the loop is then kept busy for BUSY_S (standing in for
the hundreds of other users' coroutines a generator turn runs):
- after the answer was read and before the waiting coroutine resumes: the answer's arrival
  time is before that work; the coroutine's own clock, the control, is after it;
- before the answer is read at all (a server in a thread of its own answers meanwhile): where
  the kernel stamps what it receives (Linux), the answer is timed when it reached the socket;
  the read itself, the control, came after the work.
"""

from __future__ import annotations

import asyncio
import socket
import sys
import threading
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


def answer_once_in_a_thread(listener: socket.socket, answered: list[int]) -> threading.Thread:
    """A server on a thread of its own: answers one request on each of two requests of one
    connection, noting when it wrote each answer (monotonic ns)."""

    def serve_two() -> None:
        connection, _ = listener.accept()
        with connection:
            for _ in range(2):
                seen = b""
                while b"\r\n\r\n" not in seen:
                    chunk = connection.recv(4096)
                    if not chunk:
                        return
                    seen += chunk
                connection.sendall(ANSWER)
                answered.append(time.monotonic_ns())

    thread = threading.Thread(target=serve_two, daemon=True)
    thread.start()
    return thread


def hold_the_loop_past_the_answer(answered: list[int]) -> int:
    """The loop's other work, on purpose: from before the server answers until BUSY_S after it
    did (a bounded wait for the answer, then the work); returns when it ended."""
    deadline = time.monotonic() + 10.0
    while len(answered) < 2:
        assert time.monotonic() < deadline, "the server never answered"
        time.sleep(0.001)
    time.sleep(BUSY_S)
    return time.monotonic_ns()


async def answer_read_after_the_loop_was_held(port: int, answered: list[int]) -> tuple[Answer, int]:
    """The second request of a kept-alive connection, whose answer comes while this loop is
    held (BUSY_S): returns the answer and when the holding ended."""
    connection = Connection("127.0.0.1", port, timeout_s=10.0)
    try:
        await connection.request(HttpCall("GET", "/health"))  # connected, and read once
        request = asyncio.ensure_future(connection.request(HttpCall("GET", "/auth/verify")))
        await asyncio.sleep(0)  # the request is sent; its answer is awaited
        held_until = hold_the_loop_past_the_answer(answered)
        return await request, held_until
    finally:
        connection.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kernel receive stamps: Linux")
def test_an_answer_that_came_while_the_loop_was_busy_is_timed_by_the_kernel_stamp() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    answered: list[int] = []
    with listener:
        server = answer_once_in_a_thread(listener, answered)
        port = listener.getsockname()[1]
        answer, held_until = asyncio.run(answer_read_after_the_loop_was_held(port, answered))
        server.join(timeout=10)
    assert answer.status == 200
    came_after_answered_ms = (answer.received_ns - answered[1]) / 1e6
    read_after_answered_ms = (held_until - answered[1]) / 1e6  # the control: read after this
    print(
        f"\nanswer timed {came_after_answered_ms:.2f} ms after the server wrote it; "
        f"read at least {read_after_answered_ms:.1f} ms after"
    )
    assert read_after_answered_ms >= BUSY_S * 1e3
    assert answer.received_ns < held_until
    assert -BUSY_S * 1e3 / 2 < came_after_answered_ms < BUSY_S * 1e3 / 2
