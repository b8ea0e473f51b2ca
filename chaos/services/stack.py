"""``Stack``: service workers -> fault proxy (proxy ``redis-<id>``) -> Redis, started together.

stack = open_stack(workdir, toxiproxy_url, start_service=lambda url: AuthService(...))
stack.redis, stack.proxy_name, stack.proxy_port, stack.auth.worker_urls
stack.close()
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from chaos.ports import PortClaim, claim_port
from chaos.services.auth_service import AuthService
from chaos.services.command_service import CommandService
from chaos.services.errors import ServiceError
from chaos.services.process import ServiceProcess
from chaos.services.redis_server import Persistence, RedisServer

__all__ = ["Stack", "open_stack"]

API_TIMEOUT = 5.0  # seconds per fault proxy API call
Service = AuthService | CommandService


@dataclass
class Stack:
    """A running stack; the service reaches Redis only through the proxy."""

    redis: RedisServer
    toxiproxy_url: str
    proxy_name: str
    proxy_port: int
    auth: Service
    _claim: PortClaim | None = field(default=None, repr=False)

    @property
    def proxied_redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.proxy_port}/0"

    @property
    def members(self) -> list[ServiceProcess]:
        return [self.redis, self.auth]

    def close(self) -> None:
        """Stop the service, delete the proxy, stop Redis; every step runs even if one fails."""
        try:
            self.auth.close()
        finally:
            try:
                delete_proxy(self.toxiproxy_url, self.proxy_name)
            finally:
                self.redis.close()
                if self._claim is not None:
                    self._claim.release()


def create_proxy(api: str, name: str, listen_port: int, upstream_port: int) -> None:
    body = {
        "name": name,
        "listen": f"127.0.0.1:{listen_port}",
        "upstream": f"127.0.0.1:{upstream_port}",
        "enabled": True,
    }
    response = httpx.post(f"{api}/proxies", json=body, timeout=API_TIMEOUT)
    if response.status_code != 201:
        raise ServiceError(
            f"fault proxy {api}: creating {name} answered {response.status_code} {response.text}"
        )


def delete_proxy(api: str, name: str) -> None:
    response = httpx.delete(f"{api}/proxies/{name}", timeout=API_TIMEOUT)
    if response.status_code not in (204, 404):
        raise ServiceError(f"fault proxy {api}: deleting {name} answered {response.status_code}")


def open_stack(
    workdir: Path,
    toxiproxy_url: str,
    start_service: Callable[[str], Service],
    persistence: Persistence = "off",
    redis_config: dict[str, str] | None = None,
) -> Stack:
    """Start Redis, put a proxy in front of it, start the service on the proxied URL."""
    redis = RedisServer(workdir, persistence=persistence, extra_config=redis_config).start()
    claim: PortClaim | None = None
    name = f"redis-{redis.port}-{secrets.token_hex(3)}"
    created = False
    try:
        claim = claim_port()  # held (flock) until close: the proxy process binds it meanwhile
        create_proxy(toxiproxy_url, name, claim.port, redis.port)
        created = True
        auth = start_service(f"redis://127.0.0.1:{claim.port}/0")
    except BaseException:
        if created:
            delete_proxy(toxiproxy_url, name)
        redis.close()
        if claim is not None:
            claim.release()
        raise
    return Stack(redis, toxiproxy_url, name, claim.port, auth, claim)
