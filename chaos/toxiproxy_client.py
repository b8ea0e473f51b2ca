"""A typed facade over toxiproxy-python, speaking raw HTTP where that client falls short.

    client = ToxiproxyClient("http://127.0.0.1:8474")
    proxy = client.create_proxy("redis", "127.0.0.1:0", "127.0.0.1:6379")
    toxic = proxy.add_toxic("latency", latency=200, jitter=20)
    toxic.update(latency=500)
    toxic.remove()
    proxy.delete()

Exceptions (catch ``ToxiproxyError`` for all)::

    ToxiproxyError(status, message)
    +-- InvalidRequest   400
    +-- NotFound         404
    +-- AlreadyExists    409
    +-- ServerError      500 and any other status (e.g. a listen port that is busy)
    +-- Unreachable      no answer: connection refused, timeout (status 0)

toxiproxy-python (the design's client) drives what it can: reading proxies and toxics,
adding and removing toxics, disabling and deleting proxies. It is bypassed, with httpx and
a timeout on every request, where it cannot do the job: it has no toxic update; its create
hides a 500 (bind failure) as a KeyError and costs an extra GET; enable can re-bind (500);
its populate runs client-side, one request per proxy, not the server's atomic /populate;
its reset and version return raw values without error mapping (version also probes a
socket); and none of its requests has a timeout, so the calls through it get this client's
timeout by a shim in front of its `requests`. Its host and port are class-level globals, so
every call through it holds a lock while it points them (and the shim) at this client.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
import requests
from toxiproxy import api as tp_api
from toxiproxy import exceptions as tp_errors
from toxiproxy.proxy import Proxy as TpProxy
from toxiproxy.server import Toxiproxy as TpServer

__all__ = [
    "AlreadyExists",
    "InvalidRequest",
    "NotFound",
    "ProxyHandle",
    "ServerError",
    "ToxicHandle",
    "ToxiproxyClient",
    "ToxiproxyError",
    "Unreachable",
]

T = TypeVar("T")
DEFAULT_TIMEOUT = 5.0  # seconds per request: a hung fault proxy must not hang a test
# toxiproxy-python keeps host and port on a class: one caller at a time may point them
_GLOBALS_LOCK = threading.Lock()


class ToxiproxyError(Exception):
    """An error answer (or no answer) from the Toxiproxy server."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status
        self.message = message


class InvalidRequest(ToxiproxyError):
    """400: a bad body, stream, toxic type or attribute."""


class NotFound(ToxiproxyError):
    """404: no such proxy or toxic."""


class AlreadyExists(ToxiproxyError):
    """409: a proxy or toxic of that name exists."""


class ServerError(ToxiproxyError):
    """500 or any other unexpected status."""


class Unreachable(ToxiproxyError):
    """The server did not answer (refused, reset or timed out)."""


_BY_STATUS: dict[int, type[ToxiproxyError]] = {
    400: InvalidRequest,
    404: NotFound,
    409: AlreadyExists,
}


def error_for(status: int, body: bytes | str) -> ToxiproxyError:
    """The exception for an error answer, with the server's own message when it sent one."""
    text = body.decode(errors="replace") if isinstance(body, bytes) else body
    try:
        parsed = json.loads(text)
        message = str(parsed["error"]) if isinstance(parsed, dict) else text.strip()
    except (ValueError, KeyError):
        message = text.strip()
    return _BY_STATUS.get(status, ServerError)(status, message)


@dataclass(frozen=True)
class ToxicHandle:
    """A toxic on a proxy, as last seen."""

    proxy: ProxyHandle
    name: str
    type: str
    stream: str
    toxicity: float
    attributes: Mapping[str, int]

    def update(self, *, toxicity: float | None = None, **attributes: int) -> ToxicHandle:
        """Merge attributes (and toxicity) into the toxic (raw HTTP: the client cannot)."""
        return self.proxy.update_toxic(self.name, toxicity=toxicity, **attributes)

    def remove(self) -> None:
        self.proxy.remove_toxic(self.name)


@dataclass
class ProxyHandle:
    """A proxy on the server; fields are refreshed by the calls that change them."""

    client: ToxiproxyClient
    name: str
    listen: str
    upstream: str
    enabled: bool
    toxics: list[dict[str, Any]] = field(default_factory=list)

    @property
    def listen_port(self) -> int:
        return int(self.listen.rsplit(":", 1)[1])

    @property
    def listen_host(self) -> str:
        return self.listen.rsplit(":", 1)[0].strip("[]")

    def _tp(self) -> TpProxy:
        return TpProxy(
            name=self.name, upstream=self.upstream, enabled=self.enabled, listen=self.listen
        )

    def add_toxic(
        self,
        type: str,
        *,
        name: str | None = None,
        stream: str = "downstream",
        toxicity: float = 1.0,
        **attributes: int,
    ) -> ToxicHandle:
        """Add a toxic through toxiproxy-python, then read it back (add_toxic returns nothing)."""
        toxic_name = name or f"{type}_{stream}"
        self.client.via_library(
            lambda: self._tp().add_toxic(
                type=type,
                name=toxic_name,
                stream=stream,
                toxicity=toxicity,
                attributes=dict(attributes),
            )
        )
        return self.get_toxic(toxic_name)

    def get_toxic(self, name: str) -> ToxicHandle:
        body = self.client.request("GET", f"/proxies/{self.name}/toxics/{name}")
        return self._toxic(body)

    def list_toxics(self) -> list[ToxicHandle]:
        toxics = self.client.via_library(lambda: self._tp().toxics())
        return [
            ToxicHandle(self, t.name, t.type, t.stream, float(t.toxicity), dict(t.attributes))
            for t in toxics.values()
        ]

    def update_toxic(
        self, name: str, *, toxicity: float | None = None, **attributes: int
    ) -> ToxicHandle:
        body: dict[str, Any] = {"attributes": attributes}
        if toxicity is not None:
            body["toxicity"] = toxicity
        return self._toxic(
            self.client.request("PATCH", f"/proxies/{self.name}/toxics/{name}", body)
        )

    def remove_toxic(self, name: str) -> None:
        self.client.via_library(lambda: self._tp().destroy_toxic(name))

    def enable(self) -> ProxyHandle:
        """Raw PATCH: enabling re-binds and can answer 500, which the client hides."""
        self._refresh(self.client.request("PATCH", f"/proxies/{self.name}", {"enabled": True}))
        return self

    def disable(self) -> ProxyHandle:
        self.client.via_library(lambda: self._tp().disable())
        self.enabled = False
        return self

    def update(self, *, listen: str | None = None, upstream: str | None = None) -> ProxyHandle:
        body = {k: v for k, v in (("listen", listen), ("upstream", upstream)) if v is not None}
        self._refresh(self.client.request("PATCH", f"/proxies/{self.name}", body))
        return self

    def delete(self) -> None:
        self.client.via_library(lambda: self._tp().destroy())

    def refresh(self) -> ProxyHandle:
        self._refresh(self.client.request("GET", f"/proxies/{self.name}"))
        return self

    def _refresh(self, body: Any) -> None:
        self.listen, self.upstream = str(body["listen"]), str(body["upstream"])
        self.enabled, self.toxics = bool(body["enabled"]), list(body.get("toxics") or [])

    def _toxic(self, body: Any) -> ToxicHandle:
        return ToxicHandle(
            self,
            str(body["name"]),
            str(body["type"]),
            str(body["stream"]),
            float(body["toxicity"]),
            dict(body.get("attributes") or {}),
        )


class ToxiproxyClient:
    """A client of one Toxiproxy server (``url`` like ``http://127.0.0.1:8474``)."""

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if not parts.hostname or not parts.port:
            raise ValueError(f"toxiproxy url needs a host and a port: {url!r}")
        self.url = f"{parts.scheme}://{parts.hostname}:{parts.port}"
        self.host, self.port = parts.hostname, parts.port
        self.timeout = timeout
        self._http = httpx.Client(base_url=self.url, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ToxiproxyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transports ------------------------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None) -> Any:
        """Raw HTTP with a timeout; error answers raise the matching ToxiproxyError."""
        try:
            response = self._http.request(method, path, json=body)
        except httpx.TransportError as exc:
            raise Unreachable(0, f"{method} {self.url}{path}: {exc!r}") from exc
        if response.status_code >= 400:
            raise error_for(response.status_code, response.content)
        return response.json() if response.content else None

    def via_library(self, call: Callable[[], T]) -> T:
        """Run a toxiproxy-python call against this server, mapping its errors."""
        with _GLOBALS_LOCK, self._library_pointed_here():
            try:
                return call()
            except tp_errors.InvalidToxic as exc:
                raise error_for(400, _content(exc)) from exc
            except tp_errors.NotFound as exc:
                raise error_for(404, _content(exc)) from exc
            except tp_errors.ProxyExists as exc:
                raise error_for(409, _content(exc)) from exc
            except requests.RequestException as exc:
                raise Unreachable(0, f"{self.url}: {exc!r}") from exc

    @contextmanager
    def _library_pointed_here(self) -> Iterator[None]:
        consumer = tp_api.APIConsumer
        saved = consumer.host, consumer.port, tp_api.requests
        consumer.host, consumer.port = self.host, self.port
        tp_api.requests = _TimedRequests(self.timeout)
        try:
            yield
        finally:
            consumer.host, consumer.port, tp_api.requests = saved

    # --- proxies ---------------------------------------------------------------------------
    def create_proxy(
        self, name: str, listen: str, upstream: str, *, enabled: bool = True
    ) -> ProxyHandle:
        """Raw POST: the client hides a bind failure (500) and adds a GET first."""
        body = {"name": name, "listen": listen, "upstream": upstream, "enabled": enabled}
        return self._handle(self.request("POST", "/proxies", body))

    def get_proxy(self, name: str) -> ProxyHandle:
        found = self.via_library(lambda: TpServer().get_proxy(name))
        if found is None:
            raise NotFound(404, "proxy not found")
        return ProxyHandle(self, found.name, found.listen, found.upstream, bool(found.enabled))

    def proxies(self) -> dict[str, ProxyHandle]:
        found = self.via_library(lambda: TpServer().proxies())
        return {
            name: ProxyHandle(self, p.name, p.listen, p.upstream, bool(p.enabled))
            for name, p in found.items()
        }

    def populate(self, proxies: Sequence[Mapping[str, Any]]) -> list[ProxyHandle]:
        """The server's /populate (one request; identical proxies are left untouched)."""
        body = self.request("POST", "/populate", [dict(p) for p in proxies])
        return [self._handle(p) for p in (body or {}).get("proxies") or []]

    def reset(self) -> None:
        """Enable every proxy and remove every toxic."""
        self.request("POST", "/reset")

    def version(self) -> str:
        return str(self.request("GET", "/version")["version"])

    def _handle(self, body: Any) -> ProxyHandle:
        handle = ProxyHandle(self, str(body["name"]), "", "", False)
        handle._refresh(body)
        return handle


class _TimedRequests:
    """What toxiproxy-python's API module calls as `requests`, with a timeout on each call."""

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout

    def get(self, **kwargs: Any) -> requests.Response:
        return requests.get(timeout=self._timeout, **kwargs)

    def post(self, **kwargs: Any) -> requests.Response:
        return requests.post(timeout=self._timeout, **kwargs)

    def delete(self, **kwargs: Any) -> requests.Response:
        return requests.delete(timeout=self._timeout, **kwargs)


def _content(exc: Exception) -> bytes | str:
    return exc.args[0] if exc.args and isinstance(exc.args[0], (bytes, str)) else str(exc)
