"""``Stack``: service workers -> fault proxy (proxy ``redis-<id>``) -> Redis, started together.

stack = open_stack(workdir, toxiproxy_url, start_service=lambda url: AuthService(...))
stack.proxy.add_toxic("latency", latency=200)   # a fault between every worker and Redis
stack.redis, stack.proxy_name, stack.proxy_port, stack.auth.worker_urls
stack.close()
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from chaos.ports import PortClaim, claim_port
from chaos.services.auth_service import AuthService
from chaos.services.command_service import CommandService
from chaos.services.process import ServiceProcess
from chaos.services.redis_server import Persistence, RedisServer
from chaos.toxiproxy_client import NotFound, ProxyHandle, ToxiproxyClient

__all__ = ["Stack", "open_stack"]

Service = AuthService | CommandService


@dataclass
class Stack:
    """A running stack; the service reaches Redis only through ``proxy``."""

    redis: RedisServer
    toxiproxy_url: str
    proxy: ProxyHandle
    auth: Service
    _claim: PortClaim | None = field(default=None, repr=False)
    _closed: bool = field(default=False, repr=False)

    @property
    def proxy_name(self) -> str:
        return self.proxy.name

    @property
    def proxy_port(self) -> int:
        return self.proxy.listen_port

    @property
    def proxied_redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.proxy_port}/0"

    @property
    def members(self) -> list[ServiceProcess]:
        return [self.redis, self.auth]

    def close(self) -> None:
        """Stop the service, delete the proxy, stop Redis; every step runs even if one fails.
        A second close does nothing."""
        if self._closed:
            return
        self._closed = True
        try:
            self.auth.close()
        finally:
            try:
                with contextlib.suppress(NotFound):
                    self.proxy.delete()
                self.proxy.client.close()
            finally:
                self.redis.close()
                if self._claim is not None:
                    self._claim.release()


def open_stack(
    workdir: Path,
    toxiproxy_url: str,
    start_service: Callable[[str], Service],
    persistence: Persistence = "off",
    redis_config: dict[str, str] | None = None,
) -> Stack:
    """Start Redis, put a proxy in front of it, start the service on the proxied URL."""
    redis = RedisServer(workdir, persistence=persistence, extra_config=redis_config).start()
    client = ToxiproxyClient(toxiproxy_url)
    claim: PortClaim | None = None
    proxy: ProxyHandle | None = None
    try:
        claim = claim_port()  # held (flock) until close: the proxy process binds it meanwhile
        name = f"redis-{redis.port}-{secrets.token_hex(3)}"
        proxy = client.create_proxy(name, f"127.0.0.1:{claim.port}", f"127.0.0.1:{redis.port}")
        auth = start_service(f"redis://127.0.0.1:{claim.port}/0")
    except BaseException:
        if proxy is not None:
            with contextlib.suppress(NotFound):
                proxy.delete()
        client.close()
        redis.close()
        if claim is not None:
            claim.release()
        raise
    return Stack(redis, client.url, proxy, auth, claim)
