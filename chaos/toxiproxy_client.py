"""The one Toxiproxy client of the project: typed, small, over httpx, a timeout on every call.

    client = ToxiproxyClient("http://127.0.0.1:8474")
    proxy = client.create_proxy("redis", "127.0.0.1:0", "127.0.0.1:6379")
    toxic = proxy.add_toxic("latency", attributes={"latency": 200, "jitter": 20})
    toxic.update(latency=500)
    toxic.remove()
    proxy.delete()

Faults (``chaos.faults.network``), the fixtures, the gate, the Docker backend and the
benchmarks all use it. ``ProxyHandle`` is a ``chaos.faults.network.ToxicTarget`` and a
``Switchable``.

Exceptions (catch ``ToxiproxyError`` for all)::

    ToxiproxyError(status, message)
    +-- InvalidRequest   400
    +-- NotFound         404
    +-- AlreadyExists    409
    +-- ServerError      500 and any other status (e.g. a listen port that is busy)
    +-- Unreachable      no answer: connection refused, timeout (status 0)

Why not toxiproxy-python (PyPI): its host and port are class-level globals (two servers in
one process need a lock around every call), none of its requests has a timeout, it has no
toxic update, its create hides a bind failure (500) as a ``KeyError``, and its populate runs
client-side, one request per proxy, not the server's atomic ``/populate``. The conformance
suite still drives the server with it, as users do (tests/conformance/test_pypi_client.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx

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

DEFAULT_TIMEOUT = 5.0  # seconds per request: a hung fault proxy must not hang a test


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
        """Merge attributes (and toxicity) into the toxic."""
        return self.proxy.update_toxic(self.name, toxicity=toxicity, attributes=attributes)

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

    @property
    def _path(self) -> str:
        return f"/proxies/{self.name}"

    def add_toxic(
        self,
        type: str,
        *,
        name: str | None = None,
        stream: str = "downstream",
        toxicity: float = 1.0,
        attributes: Mapping[str, int] | None = None,
    ) -> ToxicHandle:
        """Add a toxic (the server answers 200 with it, not 201)."""
        body = {
            "type": type, "name": name or f"{type}_{stream}", "stream": stream,
            "toxicity": toxicity, "attributes": dict(attributes or {}),
        }  # fmt: skip
        return self._toxic(self.client.request("POST", f"{self._path}/toxics", body))

    def get_toxic(self, name: str) -> ToxicHandle:
        return self._toxic(self.client.request("GET", f"{self._path}/toxics/{name}"))

    def list_toxics(self) -> list[ToxicHandle]:
        return [self._toxic(t) for t in self.client.request("GET", f"{self._path}/toxics") or []]

    def update_toxic(
        self, name: str, *, toxicity: float | None = None,
        attributes: Mapping[str, int] | None = None,
    ) -> ToxicHandle:  # fmt: skip
        body: dict[str, Any] = {"attributes": dict(attributes or {})}
        if toxicity is not None:
            body["toxicity"] = toxicity
        return self._toxic(self.client.request("PATCH", f"{self._path}/toxics/{name}", body))

    def remove_toxic(self, name: str) -> None:
        self.client.request("DELETE", f"{self._path}/toxics/{name}")

    def enable(self) -> ProxyHandle:
        """Enabling re-binds the listen address and can answer 500 (port taken)."""
        self._refresh(self.client.request("PATCH", self._path, {"enabled": True}))
        return self

    def disable(self) -> ProxyHandle:
        self._refresh(self.client.request("PATCH", self._path, {"enabled": False}))
        return self

    def update(self, *, listen: str | None = None, upstream: str | None = None) -> ProxyHandle:
        body = {k: v for k, v in (("listen", listen), ("upstream", upstream)) if v is not None}
        self._refresh(self.client.request("PATCH", self._path, body))
        return self

    def delete(self) -> None:
        self.client.request("DELETE", self._path)

    def refresh(self) -> ProxyHandle:
        self._refresh(self.client.request("GET", self._path))
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
    """A client of one Toxiproxy server (``url`` like ``http://127.0.0.1:8474``). Its HTTP
    client is made at once: making one loads certificates while holding the GIL, a stall an
    event loop in the same process would record as the service's latency if it came at
    inject time."""

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

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """One API call with a timeout; error answers raise the matching ToxiproxyError."""
        try:
            response = self._http.request(method, path, json=body)
        except httpx.TransportError as exc:
            raise Unreachable(0, f"{method} {self.url}{path}: {exc!r}") from exc
        if response.status_code >= 400:
            raise error_for(response.status_code, response.content)
        return response.json() if response.content else None

    def create_proxy(
        self, name: str, listen: str, upstream: str, *, enabled: bool = True
    ) -> ProxyHandle:
        body = {"name": name, "listen": listen, "upstream": upstream, "enabled": enabled}
        return self._handle(self.request("POST", "/proxies", body))

    def get_proxy(self, name: str) -> ProxyHandle:
        return self._handle(self.request("GET", f"/proxies/{name}"))

    def proxies(self) -> dict[str, ProxyHandle]:
        found = self.request("GET", "/proxies") or {}
        return {name: self._handle(body) for name, body in found.items()}

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
