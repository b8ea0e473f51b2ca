"""The Toxiproxy HTTP API: routes, the browser guard, request ids and error bodies."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import unquote

from . import errors
from .collection import POPULATE_ENTRY, PROXY_FIELDS, PopulateError, ProxyCollection, parse_spec
from .http import Request, Response
from .jsonbody import decode_array, decode_fields, decode_object
from .metrics import CONTENT_TYPE, MetricsRegistry
from .proxy import Proxy

VERSION = "2.12.0-embedded"
JSON = ("Content-Type", "application/json")
TEXT = ("Content-Type", "text/plain; charset=utf-8")
NOSNIFF = ("X-Content-Type-Options", "nosniff")
_ID_ALPHABET = "0123456789abcdefghijklmnopqrstuv"  # xid's base32 alphabet

Route = Callable[["Api", Request, list[str]], Awaitable[Response]]


def request_id() -> str:
    """A 20-character id like the real server's (rs/xid)."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(20))


def dumps(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def ok(value: object, status: int = 200) -> Response:
    return Response(status, dumps(value), [JSON])


def no_content() -> Response:
    return Response(204)


def error_response(error: errors.ApiError) -> Response:
    # Go's http.Error: text/plain content type, the JSON body and a newline
    body = dumps({"error": error.message, "status": error.status}) + b"\n"
    return Response(error.status, body, [TEXT, NOSNIFF])


class Api:
    """Request handling over a ProxyCollection; one request mutates state at a time."""

    def __init__(
        self, collection: ProxyCollection, *, metrics: MetricsRegistry | None = None
    ) -> None:
        self.collection = collection
        self.metrics = metrics
        self.lock = asyncio.Lock()
        self.routes: list[tuple[re.Pattern[str], dict[str, Route]]] = [
            (re.compile(r"/reset"), {"POST": Api.reset}),
            (re.compile(r"/proxies"), {"GET": Api.proxy_index, "POST": Api.proxy_create}),
            (re.compile(r"/populate"), {"POST": Api.populate}),
            (
                re.compile(r"/proxies/([^/]+)"),
                {
                    "GET": Api.proxy_show,
                    "POST": Api.proxy_update,
                    "PATCH": Api.proxy_update,
                    "DELETE": Api.proxy_delete,
                },
            ),
            (
                re.compile(r"/proxies/([^/]+)/toxics"),
                {"GET": Api.toxic_index, "POST": Api.toxic_create},
            ),
            (
                re.compile(r"/proxies/([^/]+)/toxics/([^/]+)"),
                {
                    "GET": Api.toxic_show,
                    "POST": Api.toxic_update,
                    "PATCH": Api.toxic_update,
                    "DELETE": Api.toxic_delete,
                },
            ),
            (re.compile(r"/version"), {"GET": Api.version}),
        ]

    async def handle(self, request: Request) -> Response:
        """Route a request: 404 and 405 come from the router, without a request id."""
        path = request.path
        if self.metrics is not None and path == "/metrics":
            response = Response(200, self.metrics.render(), [("Content-Type", CONTENT_TYPE)])
            response.headers.append(("X-Toxiproxy-Request-Id", request_id()))
            return response
        for pattern, methods in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            route = methods.get(request.method)
            if route is None:
                return Response(405)
            response = await self._guarded(route, request, [unquote(g) for g in match.groups()])
            response.headers.append(("X-Toxiproxy-Request-Id", request_id()))
            return response
        return Response(404, b"404 page not found\n", [TEXT, NOSNIFF])

    async def _guarded(self, route: Route, request: Request, args: list[str]) -> Response:
        if request.headers.get("user-agent", "").startswith("Mozilla/"):
            return Response(403, b"User agent not allowed\n", [TEXT, NOSNIFF])
        async with self.lock:
            try:
                return await route(self, request, args)
            except errors.ApiError as exc:
                return error_response(exc)

    async def reset(self, request: Request, args: list[str]) -> Response:
        await self.collection.reset()
        return no_content()

    async def proxy_index(self, request: Request, args: list[str]) -> Response:
        return ok({name: p.to_json() for name, p in self.collection.proxies.items()})

    async def proxy_create(self, request: Request, args: list[str]) -> Response:
        body = decode_object(request.body, "toxiproxy.Proxy")
        spec = parse_spec(decode_fields(body, PROXY_FIELDS))
        proxy = await self.collection.create(spec)
        return ok(proxy.to_json(), 201)

    async def populate(self, request: Request, args: list[str]) -> Response:
        try:
            entries = decode_array(request.body, "[]" + POPULATE_ENTRY)
            done = await self.collection.populate(entries)
        except errors.ApiError as exc:
            return populate_response(exc, None)
        except PopulateError as exc:
            return populate_response(exc.error, exc.done)
        return Response(201, dumps({"proxies": proxies_json(done)}), [JSON])

    async def proxy_show(self, request: Request, args: list[str]) -> Response:
        return ok(self.collection.get(args[0]).to_json())

    async def proxy_update(self, request: Request, args: list[str]) -> Response:
        proxy = self.collection.get(args[0])
        await self.collection.update(proxy, decode_object(request.body, "toxiproxy.Proxy"))
        return ok(proxy.to_json())

    async def proxy_delete(self, request: Request, args: list[str]) -> Response:
        self.collection.delete(args[0])
        return no_content()

    async def toxic_index(self, request: Request, args: list[str]) -> Response:
        return ok(self.collection.get(args[0]).toxics.to_json())

    async def toxic_create(self, request: Request, args: list[str]) -> Response:
        proxy = self.collection.get(args[0])
        body = decode_object(request.body, "toxics.ToxicWrapper")
        return ok(proxy.toxics.add(body).to_json())

    async def toxic_show(self, request: Request, args: list[str]) -> Response:
        wrapper = self.collection.get(args[0]).toxics.find(args[1])
        if wrapper is None:
            raise errors.TOXIC_NOT_FOUND
        return ok(wrapper.to_json())

    async def toxic_update(self, request: Request, args: list[str]) -> Response:
        proxy = self.collection.get(args[0])
        if proxy.toxics.find(args[1]) is None:
            raise errors.TOXIC_NOT_FOUND
        body = decode_object(request.body, TOXIC_UPDATE)
        return ok(proxy.toxics.update(args[1], body).to_json())

    async def toxic_delete(self, request: Request, args: list[str]) -> Response:
        self.collection.get(args[0]).toxics.remove(args[1])
        return no_content()

    async def version(self, request: Request, args: list[str]) -> Response:
        body = json.dumps({"version": VERSION}).encode() + b"\n"
        return Response(200, body, [("Content-Type", "application/json;charset=utf-8")])


# Go's reflect text of the anonymous struct a toxic update is decoded into
TOXIC_UPDATE = (
    r'struct { Attributes interface {} "json:\"attributes\""; '
    r'Toxicity float32 "json:\"toxicity\"" }'
)


def proxies_json(proxies: list[Proxy] | None) -> list[dict[str, object]] | None:
    if not proxies:
        return None  # Go marshals an empty result slice as null
    return [p.to_json() for p in proxies]


def populate_response(error: errors.ApiError, done: list[Proxy] | None) -> Response:
    body = {"error": error.message, "status": error.status, "proxies": proxies_json(done)}
    return Response(error.status, dumps(body), [JSON])
