"""The slow client reports a server that closes it, one that answers, and one that never does."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from chaos.attacks import slow_headers
from chaos.attacks.slow_client import REQUEST_HEAD


@contextmanager
def listener(reply: bytes | None, close_after_bytes: int | None) -> Iterator[int]:
    """A one-connection server on a free port: reads until ``close_after_bytes`` have
    arrived, then sends ``reply`` (if any) and closes; None keeps the connection open."""
    server = socket.create_server(("127.0.0.1", 0))
    done = threading.Event()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            received = 0
            conn.settimeout(0.05)
            while not done.is_set():
                try:
                    chunk = conn.recv(4096)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                received += len(chunk)
                if close_after_bytes is not None and received >= close_after_bytes:
                    if reply:
                        conn.sendall(reply)
                    return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        done.set()
        thread.join(timeout=5)
        server.close()


def test_a_server_that_closes_is_seen_closing() -> None:
    with listener(None, close_after_bytes=45) as port:
        result = slow_headers("127.0.0.1", port, interval_s=0.01, deadline_s=10)
    assert result.closed_after_s is not None
    assert result.status is None


def test_a_server_that_answers_408_is_seen() -> None:
    with listener(b"HTTP/1.1 408 Request Timeout\r\n\r\n", close_after_bytes=1) as port:
        result = slow_headers("127.0.0.1", port, interval_s=0.01, deadline_s=10, stall=True)
    assert result.status == 408
    assert result.closed_after_s is not None


def test_a_server_that_never_closes_is_reported_open() -> None:
    # negative control: the deadline ends the attack, and the result says it stayed open
    with listener(None, close_after_bytes=None) as port:
        result = slow_headers("127.0.0.1", port, interval_s=0.01, deadline_s=0.3)
    assert result.closed_after_s is None
    assert result.bytes_sent >= len(REQUEST_HEAD)
