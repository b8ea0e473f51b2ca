"""A minimal HTTP/1.1 server on asyncio: keep-alive, Content-Length and chunked bodies.

``parse_head`` and ``render_response`` are pure; ``HttpProtocol`` feeds complete requests to
a handler one at a time per connection (pipelined requests are answered in order).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from typing import cast

log = logging.getLogger("chaos.toxiproxy")

MAX_HEAD = 64 * 1024  # bytes of request line and headers
MAX_BODY = 8 * 1024 * 1024  # bytes of body


class BadRequest(ValueError):
    """A request that cannot be parsed: answered 400 and the connection closed."""


@dataclass
class Request:
    method: str
    target: str
    version: str
    headers: dict[str, str]
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)


def parse_head(head: bytes) -> Request:
    """Request line and headers (without the final blank line) into a body-less Request."""
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes anything
        raise BadRequest("undecodable head") from None
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3 or not parts[0].isalpha() or not parts[2].startswith("HTTP/1."):
        raise BadRequest(f"malformed request line {lines[0]!r}")
    method, target, version = parts
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise BadRequest(f"malformed header line {line!r}")
        key = name.lower()
        value = value.strip()
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return Request(method.upper(), target, version, headers)


def body_length(request: Request) -> int | None:
    """Content-Length of the body, None when chunked; BadRequest when invalid."""
    if "chunked" in request.headers.get("transfer-encoding", "").lower():
        return None
    raw = request.headers.get("content-length", "0")
    if not raw.isdigit():
        raise BadRequest(f"invalid Content-Length {raw!r}")
    length = int(raw)
    if length > MAX_BODY:
        raise BadRequest(f"body of {length} bytes is too large")
    return length


def parse_chunked(buffer: bytes) -> tuple[bytes, int] | None:
    """A chunked body from the start of ``buffer``: (body, bytes used), or None if incomplete."""
    pos, body = 0, bytearray()
    while True:
        end = buffer.find(b"\r\n", pos)
        if end < 0:
            return None
        size_text = buffer[pos:end].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequest(f"invalid chunk size {size_text!r}") from None
        pos = end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n\r\n", pos - 2)
            if trailer_end < 0:
                return None
            return bytes(body), trailer_end + 4
        if len(buffer) < pos + size + 2:
            return None
        body += buffer[pos : pos + size]
        if len(body) > MAX_BODY:
            raise BadRequest("body too large")
        pos += size + 2


def render_response(response: Response, keep_alive: bool) -> bytes:
    """Status line, headers (Date, Content-Length unless 204/304) and body."""
    status = HTTPStatus(response.status)
    lines = [f"HTTP/1.1 {status.value} {status.phrase}"]
    lines.extend(f"{name}: {value}" for name, value in response.headers)
    lines.append("Date: " + formatdate(usegmt=True))
    if response.status not in (204, 304):
        lines.append(f"Content-Length: {len(response.body)}")
    if not keep_alive:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + response.body


Handler = Callable[[Request], Awaitable[Response]]


class HttpProtocol(asyncio.Protocol):
    """One HTTP client connection."""

    def __init__(self, handler: Handler, connections: set[HttpProtocol]) -> None:
        self.handler = handler
        self.connections = connections
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.continued = False  # 100 Continue already sent for the request being read
        self.pending: asyncio.Queue[Request | None] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's transports are not subclasses
        self.transport = transport
        self.connections.add(self)
        self.worker = asyncio.get_running_loop().create_task(self._serve())

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        if self.worker is not None:
            self.worker.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            while self._take_request():
                pass
        except BadRequest as exc:
            log.info("bad HTTP request: %s", exc)
            self.buffer.clear()
            self.pending.put_nowait(None)
            assert self.transport is not None
            self.transport.pause_reading()

    def _take_request(self) -> bool:
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_HEAD:
                raise BadRequest("request head too large")
            return False
        request = parse_head(bytes(self.buffer[:end]))
        start = end + 4
        length = body_length(request)
        if (
            not self.continued
            and request.headers.get("expect", "").lower() == "100-continue"
            and self.transport is not None
        ):
            self.continued = True  # curl waits a second for this before sending a body
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        if length is None:
            parsed = parse_chunked(bytes(self.buffer[start:]))
            if parsed is None:
                return False
            request.body, used = parsed
        else:
            if len(self.buffer) < start + length:
                return False
            request.body, used = bytes(self.buffer[start : start + length]), length
        del self.buffer[: start + used]
        self.continued = False
        self.pending.put_nowait(request)
        return True

    async def _serve(self) -> None:
        transport = self.transport
        assert transport is not None
        while True:
            request = await self.pending.get()
            if request is None:
                transport.write(render_response(Response(400, b"400 Bad Request"), False))
                transport.close()
                return
            try:
                response = await self.handler(request)
            except Exception:
                log.exception("handler failed for %s %s", request.method, request.target)
                response = Response(500, b"internal error\n")
            keep = request.keep_alive()
            transport.write(render_response(response, keep))
            if not keep:
                transport.close()
                return

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
