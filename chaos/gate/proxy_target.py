"""One proxy of the fault proxy as a fault target (``ToxicTarget`` and ``Switchable``), over
the Toxiproxy HTTP API. Every call has a timeout; an unexpected answer raises ``ProxyApiError``.

target = ProxyTarget("http://127.0.0.1:8474", "redis-6379-ab12cd")
target.add_toxic("latency", name="slow", attributes={"latency": 300}); target.disable()
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = ["ProxyApiError", "ProxyTarget"]

API_TIMEOUT_S = 5.0


class ProxyApiError(RuntimeError):
    """The fault proxy answered something else than the API promises."""


class ProxyTarget:
    """The proxy ``name`` on the fault proxy at ``api``."""

    def __init__(self, api: str, name: str) -> None:
        self.api = api.rstrip("/")
        self.name = name
        # made now, not at inject: building a client loads certificates while holding the
        # GIL, a stall the clients' event loop would record as the service's latency
        self._http = httpx.Client(timeout=API_TIMEOUT_S)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, expect: int, body: dict[str, Any] | None) -> Any:
        url = f"{self.api}/proxies/{self.name}{path}"
        response = self._http.request(method, url, json=body)
        if response.status_code != expect:
            raise ProxyApiError(
                f"fault proxy {method} {url}: expected {expect}, got {response.status_code} "
                f"{response.text.strip()[:200]}"
            )
        return response.json() if response.content else None

    def add_toxic(
        self,
        type: str,
        *,
        name: str | None = None,
        stream: str = "downstream",
        toxicity: float = 1.0,
        attributes: dict[str, Any] | None = None,
    ) -> object:
        body = {
            "type": type,
            "name": name or f"{type}_{stream}",
            "stream": stream,
            "toxicity": toxicity,
            "attributes": dict(attributes or {}),
        }
        return self._call("POST", "/toxics", 200, body)

    def remove_toxic(self, name: str) -> None:
        self._call("DELETE", f"/toxics/{name}", 204, None)

    def disable(self) -> None:
        self._call("POST", "", 200, {"enabled": False})

    def enable(self) -> None:
        self._call("POST", "", 200, {"enabled": True})
