"""A minimal HTTP/1.1 keep-alive client on asyncio: one connection per virtual user, its socket
read by the loop's read callback (``recvmsg``) into a StreamReader.

httpx costs several times more CPU per request; 10,000 users on a 2-core box shared with the
service cannot afford it. This client speaks just what the auth routes need.

An answer carries when its last bytes came (``received_ns``, monotonic), as wrk times a
response, and earlier still: where the kernel stamps what it receives (Linux, SO_TIMESTAMPNS),
when they reached this machine's socket; elsewhere when the loop's read callback took them.
Between the bytes' arrival and the coroutine that waits for them, a generator process may first
run the rest of its loop turn (the reads and coroutines of hundreds of other users' answers:
judging, counting, sending the next requests), and the kernel may have given its CPU to the
service or to the other generator process: tens of milliseconds that are the generator's, not
the service's (docs/performance.md "A login storm at the default cost", "Whose lateness").
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import struct
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from chaos.profile import HttpCall


class TransportError(Exception):
    """The request got no complete HTTP answer; ``kind`` names why (connect, reset, timeout)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Answer:
    """Status, the headers this suite reads (lower-cased names), the body, and the cookies
    the answer set (``Set-Cookie`` may come several times)."""

    status: int
    headers: dict[bytes, bytes]
    body: bytes
    cookies: dict[str, str] = field(default_factory=dict)
    received_ns: int = 0  # monotonic ns when its last bytes came (module doc); 0: not known


# the kernel's receive time stamp of what a read returns (Linux: SO_TIMESTAMPNS, a struct
# timespec in CLOCK_REALTIME, delivered with recvmsg); None where the system has none
SO_TIMESTAMPNS: int | None = getattr(
    socket, "SO_TIMESTAMPNS", 35 if sys.platform == "linux" else None
)
_TIMESPEC = struct.Struct("@qq")
# what a generator's own event-loop lag does to the latencies it prints (its reports say it)
LAG_EFFECT = (
    "it delays requests but is not in their latencies: answers are timed by the kernel's "
    "receive stamp"
    if SO_TIMESTAMPNS is not None
    else "it adds to every latency"
)
_ANCILLARY = socket.CMSG_SPACE(_TIMESPEC.size)
READ_SIZE = 65536


class _StampedReader(asyncio.StreamReader):
    """A StreamReader fed by the loop's read callback on its socket, noting when the bytes
    last came (``last_data_ns``, monotonic): the kernel's stamp where it gives one."""

    last_data_ns = 0

    def __init__(self, loop: asyncio.AbstractEventLoop, sock: socket.socket) -> None:
        super().__init__(loop=loop)
        self._event_loop = loop
        self._sock = sock
        self._ancillary_size = 0  # no room for a stamp: read times from this process's clock
        if SO_TIMESTAMPNS is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
                self._ancillary_size = _ANCILLARY
        loop.add_reader(sock.fileno(), self._readable)

    def _readable(self) -> None:
        try:
            data, ancillary, _, _ = self._sock.recvmsg(READ_SIZE, self._ancillary_size)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:
            self.stop_reading()
            self.set_exception(exc)
            return
        if not data:
            self.stop_reading()
            self.feed_eof()
            return
        self.last_data_ns = _arrival_ns(ancillary)
        self.feed_data(data)

    def stop_reading(self) -> None:
        if self._sock.fileno() >= 0:
            self._event_loop.remove_reader(self._sock.fileno())


def _arrival_ns(ancillary: list[tuple[int, int, bytes]]) -> int:
    """Monotonic ns of the kernel's receive stamp in ``ancillary``, else of now."""
    now = time.monotonic_ns()
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= _TIMESPEC.size:
            seconds, nanoseconds = _TIMESPEC.unpack_from(data)
            age: int = time.time_ns() - (seconds * 1_000_000_000 + nanoseconds)
            if age >= 0:  # a wall clock stepped back since: now is the better guess
                return now - age
    return now


def _parse_head(head: bytes) -> tuple[int, dict[bytes, bytes], dict[str, str]]:
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers: dict[bytes, bytes] = {}
    cookies: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            continue
        key = name.strip().lower()
        headers[key] = value.strip()
        if key == b"set-cookie":
            pair = value.strip().split(b";", 1)[0].decode(errors="replace")
            cookie, eq, content = pair.partition("=")
            if eq:
                cookies[cookie.strip()] = content.strip()
    return status, headers, cookies


class Connection:
    """One keep-alive connection, reopened on demand after an error, ``Connection: close``
    or the server closing it while idle."""

    def __init__(self, host: str, port: int, timeout_s: float) -> None:
        self._host = host
        self._port = port
        self._timeout_s = timeout_s
        self._reader: _StampedReader | None = None
        self._sock: socket.socket | None = None
        self._host_header = f"Host: {host}:{port}\r\n".encode()

    async def request(self, call: HttpCall) -> Answer:
        """Send one request (a profile's ``HttpCall``) and read the whole answer, within
        the timeout."""
        head = [f"{call.method} {call.path} HTTP/1.1\r\n".encode(), self._host_header]
        head += [f"{name}: {value}\r\n".encode() for name, value in call.headers.items()]
        encoded, content_type = call.encoded()
        body = encoded or b""
        if content_type is not None:
            head.append(f"Content-Type: {content_type}\r\n".encode())
        if encoded is not None or call.method in ("POST", "PUT", "PATCH"):
            head.append(f"Content-Length: {len(body)}\r\n".encode())
        head.append(b"\r\n")
        try:
            async with asyncio.timeout(self._timeout_s):
                return await self._exchange(b"".join(head) + body)
        except TimeoutError:
            self.close()
            raise TransportError("timeout") from None
        except ConnectionRefusedError:
            self.close()
            raise TransportError("connect refused") from None
        except (ConnectionResetError, BrokenPipeError):
            self.close()
            raise TransportError("connection reset") from None
        except asyncio.IncompleteReadError:
            self.close()
            raise TransportError("connection closed mid-answer") from None
        except OSError as exc:
            self.close()
            raise TransportError(f"os error {exc.errno}") from None

    async def _exchange(self, raw: bytes) -> Answer:
        if self._reader is not None and self._reader.at_eof():
            self.close()  # the server closed it while idle (its keep-alive timeout): reopen
        if self._sock is None or self._reader is None:
            self._sock, self._reader = await _open(self._host, self._port)
        sock, reader = self._sock, self._reader
        try:
            sent = sock.send(raw)  # a request fits the socket's buffer: all of it, nearly always
        except (BlockingIOError, InterruptedError):
            sent = 0
        if sent < len(raw):
            await asyncio.get_running_loop().sock_sendall(sock, raw[sent:])
        head = await reader.readuntil(b"\r\n\r\n")
        status, headers, cookies = _parse_head(head[:-4])
        if b"transfer-encoding" in headers:
            self.close()
            raise TransportError("chunked answer (unsupported by this client)")
        length = int(headers.get(b"content-length", b"0"))
        body = await reader.readexactly(length) if length else b""
        if headers.get(b"connection", b"").lower() == b"close":
            self.close()
        return Answer(status, headers, body, cookies, reader.last_data_ns)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.stop_reading()
        if self._sock is not None:
            self._sock.close()
        self._reader = self._sock = None


async def _open(host: str, port: int) -> tuple[socket.socket, _StampedReader]:
    """A connected non-blocking TCP socket (TCP_NODELAY, as asyncio's transports set it) to
    the first of ``host``'s addresses that accepts, and the reader its answers come through."""
    loop = asyncio.get_running_loop()
    targets: list[tuple[int, tuple[Any, ...]]]
    try:  # an IP address needs no resolver (which would cost a thread hop per connection)
        ip = ipaddress.ip_address(host)
    except ValueError:
        found = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        targets = [(family, address) for family, _, _, _, address in found]
    else:
        targets = [(socket.AF_INET6 if ip.version == 6 else socket.AF_INET, (host, port))]
    error: OSError = OSError(f"no address for {host}")
    for family, address in targets:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await loop.sock_connect(sock, address)
        except OSError as exc:
            sock.close()
            error = exc
            continue
        except BaseException:
            sock.close()
            raise
        return sock, _StampedReader(loop, sock)
    raise error
