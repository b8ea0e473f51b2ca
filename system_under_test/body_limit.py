"""The request body bound, whether the size is declared (Content-Length) or not (chunked).

bounded = BoundedReceive(receive, MAX_BODY_BYTES)
await app(scope, bounded, send)   # the app's receive raises BodyTooLarge past the bound
if bounded.exceeded: ...          # answer 422 and close, without reading the rest
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]


class BodyTooLarge(Exception):
    """More body bytes arrived than the bound allows."""


class BoundedReceive:
    """An ASGI ``receive`` that counts ``http.request`` body bytes and stops past ``limit``."""

    __slots__ = ("exceeded", "limit", "receive", "seen")

    def __init__(self, receive: Receive, limit: int) -> None:
        self.receive = receive
        self.limit = limit
        self.seen = 0
        self.exceeded = False

    async def __call__(self) -> Message:
        if self.exceeded:  # the app asked again after the refusal: nothing more is read
            raise BodyTooLarge(f"request body over {self.limit} bytes")
        message = await self.receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                self.exceeded = True
                raise BodyTooLarge(f"request body over {self.limit} bytes")
        return message


def declared_too_large(headers: list[tuple[bytes, bytes]], limit: int) -> bool:
    """True when a Content-Length header is malformed or above ``limit``."""
    for name, value in headers:
        if name == b"content-length" and (not value.isdigit() or int(value) > limit):
            return True
    return False
