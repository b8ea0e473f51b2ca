"""Where a scenario aims: ``ScenarioTarget`` (worker URLs, the proxy in front of Redis, Redis
itself, how to read back the revocations), made from any ``GateStack``: the local
``chaos.services.Stack`` or the Docker backend's compose stack.

    target = ScenarioTarget.of_stack(stack)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import redis

from chaos.faults import Controllable
from chaos.gate.fault_context import NetworkTarget

__all__ = ["GateStack", "RedisHandle", "ScenarioTarget", "read_revoked"]

REVOKED_PATTERN = "revoked:*"  # the reference service's keys (contract §1.3)


class RedisHandle(Controllable, Protocol):
    """Redis as the gate uses it: the process verbs and a client (``RedisServer`` fits)."""

    def client(self, timeout: float = ...) -> redis.Redis: ...


class WorkerSet(Protocol):
    @property
    def worker_urls(self) -> list[str]: ...


class GateStack(Protocol):
    """What the gate reads of a stack: its workers, the proxy in front of Redis, Redis."""

    @property
    def auth(self) -> WorkerSet: ...

    @property
    def proxy(self) -> NetworkTarget: ...

    @property
    def redis(self) -> RedisHandle: ...


def read_revoked(server: RedisHandle, pattern: str = REVOKED_PATTERN) -> set[str] | None:
    """The jtis of every key matching ``pattern`` (``revoked:*``), read from Redis directly
    (None if unreachable)."""
    prefix = pattern.removesuffix("*")
    try:
        with server.client(timeout=2.0) as client:
            keys = client.scan_iter(match=pattern, count=1000)
            return {str(key).removeprefix(prefix) for key in keys}
    except redis.RedisError:
        return None


@dataclass(frozen=True)
class ScenarioTarget:
    """``per_worker``: each URL is one worker process (worker faults aim at it).
    ``read_revocations``: the jtis the store holds after the run (None: unreadable)."""

    worker_urls: Sequence[str]
    proxy: NetworkTarget | None
    redis: Controllable | None
    read_revocations: Callable[[], set[str] | None]
    per_worker: bool = True
    topology: Any = None  # for failover drills: the Redis topology the faults act on

    @classmethod
    def of_stack(cls, stack: GateStack, per_worker: bool = True) -> ScenarioTarget:
        return cls(
            list(stack.auth.worker_urls), stack.proxy, stack.redis,
            partial(read_revoked, stack.redis), per_worker,
        )  # fmt: skip
