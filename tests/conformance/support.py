"""Black-box helpers for the conformance suite: an upstream TCP server and socket probes.

Nothing here imports the proxy's internals: the suite must hold against any Toxiproxy.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

DEADLINE = 10.0  # seconds any single socket wait may take before a test fails


@dataclass
class EchoServer:
    """A threaded TCP echo server on 127.0.0.1 (port from the OS); counts its connections."""

    sock: socket.socket = field(default_factory=lambda: socket.create_server(("127.0.0.1", 0)))
    accepted: int = 0
    received: bytearray = field(default_factory=bytearray)  # every byte any client sent
    _stopping: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _conns: list[socket.socket] = field(default_factory=list)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.sock.getsockname()[1]}"

    def start(self) -> EchoServer:
        self.sock.settimeout(0.2)
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def _accept_loop(self) -> None:
        while not self._stopping.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            self._conns.append(conn)
            thread = threading.Thread(target=self._echo, args=(conn,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _echo(self, conn: socket.socket) -> None:
        with conn:
            while True:
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                self.received += data
                try:
                    conn.sendall(data)
                except OSError:
                    return

    def stop(self) -> None:
        self._stopping.set()
        self.sock.close()
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.close()
        for thread in self._threads:
            thread.join(timeout=2)


def port_of(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


@contextlib.contextmanager
def connect(address: str, timeout: float = DEADLINE) -> Iterator[socket.socket]:
    """A client socket to ``host:port`` (closed afterwards)."""
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        yield sock
    finally:
        sock.close()


def recv_exactly(sock: socket.socket, size: int) -> bytes:
    """Read ``size`` bytes; fails with what was read if the peer closes early."""
    data = bytearray()
    while len(data) < size:
        piece = sock.recv(size - len(data))
        if not piece:
            raise AssertionError(f"connection closed after {len(data)} of {size} bytes")
        data += piece
    return bytes(data)


def recv_until_closed(sock: socket.socket) -> bytes:
    """Everything the peer sends until it closes (a reset raises ConnectionResetError)."""
    data = bytearray()
    while True:
        piece = sock.recv(65536)
        if not piece:
            return bytes(data)
        data += piece


def round_trip(sock: socket.socket, payload: bytes = b"ping") -> float:
    """Seconds for ``payload`` to come back through an echo upstream."""
    start = time.monotonic()
    sock.sendall(payload)
    assert recv_exactly(sock, len(payload)) == payload
    return time.monotonic() - start


def wait_until(condition: object, what: str, timeout: float = DEADLINE) -> None:
    """Poll ``condition()`` until true; on timeout fail naming ``what``."""
    assert callable(condition)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def refused(address: str) -> bool:
    """Whether a connect to ``address`` is refused (nothing listens)."""
    try:
        with connect(address, timeout=2):
            return False
    except ConnectionRefusedError:
        return True
