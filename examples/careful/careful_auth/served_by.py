"""ASGI middleware: every HTTP answer names the worker process that made it.

app.add_middleware(ServedBy)   # adds "X-Served-By: <pid>"
"""

from __future__ import annotations

import os

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HEADER", "ServedBy"]

HEADER = "X-Served-By"


class ServedBy:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._header = (HEADER.lower().encode(), str(os.getpid()).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def named(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), self._header]
            await send(message)

        await self.app(scope, receive, named)
