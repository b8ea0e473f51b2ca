"""Redis in a container: readiness seen from the host, through the published port."""

from __future__ import annotations

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ._container import ContainerHandle
from ._readiness import container_gone, wait_ready

REDIS_PORT = 6379


def redis_client(
    handle: ContainerHandle, timeout: float = 0.5, port: int = REDIS_PORT
) -> redis.Redis:
    """A host-side client with short timeouts and no retry (a fault shows at once)."""
    return redis.Redis(
        host="127.0.0.1",
        port=handle.host_port(port),
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),
    )


def wait_redis_ready(
    handle: ContainerHandle, timeout: float = 30.0, port: int = REDIS_PORT
) -> float:
    """Poll PING through the published port until PONG; return the seconds it took."""

    def answered() -> tuple[bool, str]:
        client = redis_client(handle, port=port)
        try:
            return bool(client.ping()), "PONG"
        except redis.RedisError as exc:
            return False, f"{type(exc).__name__}: {exc}"
        finally:
            client.close()

    return wait_ready(
        answered, f"redis container {handle.name}", timeout, handle.log_tail, container_gone(handle)
    )
