"""The outermost ASGI layer: fast routes, the request counter, no 500 ever.

``GET /health`` and ``GET /auth/verify`` are answered here without routing, pydantic or
dependency injection (benchmarks.verify_vs_health compares the two on the same stack), the
verify without even a task when the HTTP protocol offers to take it (``direct``); so
are ``POST /auth/logout`` and the usual bodies of ``POST /auth/login`` and ``/auth/refresh``
(session_routes.py: a login through the framework cost about three times its own work);
everything else goes to the FastAPI app, a body this layer read handed on as it came. An
exception that escapes is logged and answered 503 ``internal_unavailable`` when the response
has not started. X-Worker-Id is not added here:
it is one of uvicorn's default headers (worker.py), so uvicorn's own answers carry it too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from functools import partial
from time import perf_counter
from typing import Any

from . import session_routes
from .body_limit import BodyTooLarge, BoundedReceive, declared_too_large
from .errors import STATUS_OF, error_body, error_headers
from .one_write import ANSWER_NOW
from .service import Service
from .verify import DUPLICATED, Answer, settle, verify_soon

log = logging.getLogger("system_under_test.front")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = tuple[tuple[bytes, bytes], ...]
RawHeaders = list[tuple[bytes, bytes]]

KNOWN_ROUTES = frozenset(
    {
        "/auth/login",
        "/auth/verify",
        "/auth/logout",
        "/auth/refresh",
        "/health",
        "/ready",
        "/metrics",
        "/redis/stats",
        "/openapi.json",
        "/docs",
    }
)
MAX_BODY_BYTES = 64 * 1024
HEALTH_BODY = b'{"status":"ok"}'
CLOSE: Headers = ((b"connection", b"close"),)  # uvicorn then closes instead of reading on
SHED_DETAIL = "too many requests waiting in this worker, retry later"
SHED_LOGIN: Answer = (429, error_body("login_overloaded", SHED_DETAIL), [])
SHED: Answer = (503, error_body("overloaded", SHED_DETAIL), [])
INTERNAL: Answer = (
    503,
    error_body("internal_unavailable", "unexpected error, retry"),
    [(b"retry-after", b"1")],
)


class Front:
    def __init__(self, api: ASGIApp, service: Service) -> None:
        self.api = api
        self.service = service
        self.metrics = service.metrics

    async def _reply(self, scope: Scope, send: Send, answer: Answer) -> None:
        """``answer`` through the protocol's own writer when it offers one (one_write.py), else
        through ASGI's send."""
        extensions = scope.get("extensions")
        write = extensions.get(ANSWER_NOW) if extensions else None
        if write is None:
            await self._answer(send, answer)
        else:
            write(*answer)

    async def _answer(self, send: Send, answer: Answer) -> None:
        status, body, extra = answer
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            *extra,
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.api(scope, receive, send)
            return
        path = scope["path"]
        if scope["method"] == "GET":
            if path == "/health":  # liveness, not an auth operation: counted, not timed
                await self._reply(scope, send, (200, HEALTH_BODY, []))
                self.metrics.request(path, 200)
                return
            if path == "/auth/verify":  # under a server that did not take it directly
                answered: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
                self.direct(scope, partial(settle, answered))
                await self._reply(scope, send, await answered)
                return
        elif scope["method"] == "POST" and path in DIRECT_POSTS:
            await self._direct(scope, receive, send, path)
            return
        await self._routed(scope, receive, send, path if path in KNOWN_ROUTES else "other")

    async def _direct(self, scope: Scope, receive: Receive, send: Send, path: str) -> None:
        """Login, logout and refresh in their usual shape; any other shape goes on to the
        framework with the body this method read (so it is refused as it always was)."""
        started = perf_counter()
        headers = scope["headers"]
        if path == "/auth/logout":  # no body to read: the bearer header is the request
            answer = await self._guarded(session_routes.logout(self.service, headers))
        else:
            if declared_too_large(headers, MAX_BODY_BYTES):
                await self._refuse(send, "invalid_request", "body too large or bad length", CLOSE)
                self.metrics.request(path, 422, perf_counter() - started)
                return
            try:
                body = await read_body(BoundedReceive(receive, MAX_BODY_BYTES))
            except BodyTooLarge:  # undeclared (chunked) and past the bound: the rest is not read
                await self._refuse(send, "invalid_request", "body too large", CLOSE)
                self.metrics.request(path, 422, perf_counter() - started)
                return
            if body is None:  # the client left before its body came: nobody to answer
                return
            route = self._route_of(path, headers, body, receive)
            if route is None:
                await self._routed(scope, _Replay(body, receive), send, path)
                return
            answer = await self._guarded(route)
        await self._reply(scope, send, answer)
        self.metrics.request(path, answer[0], perf_counter() - started)

    def _route_of(
        self, path: str, headers: RawHeaders, body: bytes, receive: Receive
    ) -> Awaitable[Answer] | None:
        """The direct route's work for a well-formed login or refresh body, else None."""
        if path == "/auth/login":
            fields = session_routes.login_fields(headers, body)
            if fields is None:
                return None
            return session_routes.login(self.service, *fields, partial(_disconnected, receive))
        token = session_routes.refresh_field(headers, body)
        return None if token is None else session_routes.refresh(self.service, token)

    def direct(self, scope: Scope, answer: Callable[[Answer], None]) -> bool:
        """Take ``GET /auth/verify`` without an ASGI task (the HTTP protocol asks before it
        starts one): ``answer`` is called once, from the Redis batch that reads the token's
        keys (verify.verify_soon). False for anything else: the task runs ``__call__``."""
        if scope["path"] != "/auth/verify" or scope["method"] != "GET":
            return False
        started = perf_counter()
        count = self.metrics.request

        def reply(result: Answer) -> None:
            answer(result)
            count("/auth/verify", result[0], perf_counter() - started)

        single, authorization = session_routes.single_authorization(scope["headers"])
        if not single:
            reply(DUPLICATED)
            return True
        try:
            verify_soon(self.service, authorization, reply)
        except Exception:  # never a 500, even from a bug on the hot path
            log.exception("verify raised")
            answer(INTERNAL)  # a no-op when it was answered before the bug
        return True

    def shed(self, path: str, retry_after_s: int) -> Answer:
        """The answer to a request the admission refused before any work (counted here; the
        HTTP protocol writes it at once)."""
        route = path if path in KNOWN_ROUTES else "other"
        status, body, headers = SHED_LOGIN if route == "/auth/login" else SHED
        self.metrics.request(route, status)
        self.metrics.shed(route)
        return status, body, [*headers, (b"retry-after", b"%d" % retry_after_s)]

    async def _guarded(self, route: Awaitable[Answer]) -> Answer:
        try:
            return await route
        except Exception:  # never a 500, even from a bug on a direct route
            log.exception("direct route raised")
            return INTERNAL

    async def _routed(self, scope: Scope, receive: Receive, send: Send, route: str) -> None:
        started = perf_counter()
        if declared_too_large(scope["headers"], MAX_BODY_BYTES):
            await self._refuse(send, "invalid_request", "body too large or bad length", CLOSE)
            self.metrics.request(route, 422, perf_counter() - started)
            return
        status = 0
        body = BoundedReceive(receive, MAX_BODY_BYTES)

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if body.exceeded:  # the app's answer to a cut body is replaced by the refusal below
                return
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.api(scope, body, send_with_status)
        except Exception:
            if body.exceeded:
                pass  # whatever the app raised on the cut body, it is answered below
            else:
                log.exception("unexpected error on %s", route)
                if status == 0:
                    status = 503
                    await self._refuse(send, "internal_unavailable", "unexpected error, retry")
        if body.exceeded and status == 0:
            # an undeclared (chunked) body past the bound: refused and the connection closed
            status = 422
            await self._refuse(send, "invalid_request", "body too large", CLOSE)
        self.metrics.request(route, status, perf_counter() - started)

    async def _refuse(self, send: Send, code: str, detail: str, extra: Headers = ()) -> None:
        headers = [(k.lower().encode(), v.encode()) for k, v in error_headers(code).items()]
        await self._answer(send, (STATUS_OF[code], error_body(code, detail), [*headers, *extra]))


DIRECT_POSTS = frozenset({"/auth/login", "/auth/logout", "/auth/refresh"})


async def read_body(receive: Receive) -> bytes | None:
    """The whole request body; None when the client disconnected first."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _disconnected(receive: Receive) -> None:
    # the body is read: the next ASGI message is the disconnect
    while (await receive())["type"] != "http.disconnect":
        pass


class _Replay:
    """An ASGI receive that hands on a body already read, then the connection's own messages
    (the disconnect)."""

    def __init__(self, body: bytes, receive: Receive) -> None:
        self._first: Message | None = {"type": "http.request", "body": body, "more_body": False}
        self._receive = receive

    async def __call__(self) -> Message:
        first, self._first = self._first, None
        if first is not None:
            return first
        return await self._receive()
