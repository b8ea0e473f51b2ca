"""A minimal HTTP/1.1 keep-alive client on asyncio streams: one connection per virtual user.

httpx costs several times more CPU per request; 10,000 users on a 2-core box shared with the
service cannot afford it. This client speaks just what the auth routes need.

An answer carries when its last bytes came off the socket (``received_ns``, monotonic), as
wrk times a response: in the read callback, before this process turns to the coroutine
that waits for it. Between the two, a loop turn of a generator process may first run the
coroutines of hundreds of other answers (judging, counting, sending the next requests): tens
of milliseconds that are the generator's, not the service's (docs/performance.md "A login
storm at the default cost").
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import SupportsIndex

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
    received_ns: int = 0  # time.monotonic_ns() when its last bytes were read; 0: not known


class _StampedReader(asyncio.StreamReader):
    """A StreamReader that notes when bytes last came (its protocol's data_received)."""

    last_data_ns = 0

    def feed_data(self, data: Iterable[SupportsIndex]) -> None:
        self.last_data_ns = time.monotonic_ns()
        super().feed_data(data)


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
        self._writer: asyncio.StreamWriter | None = None
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
        if self._writer is None:
            self._reader, self._writer = await _open(self._host, self._port)
        reader, writer = self._reader, self._writer
        assert reader is not None
        writer.write(raw)
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
        if self._writer is not None:
            self._writer.close()
        self._reader = self._writer = None


async def _open(host: str, port: int) -> tuple[_StampedReader, asyncio.StreamWriter]:
    """asyncio.open_connection's own steps, with a _StampedReader."""
    loop = asyncio.get_running_loop()
    reader = _StampedReader(loop=loop)
    protocol = asyncio.StreamReaderProtocol(reader, loop=loop)
    transport, _ = await loop.create_connection(lambda: protocol, host, port)
    return reader, asyncio.StreamWriter(transport, protocol, reader, loop)
