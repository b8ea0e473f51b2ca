"""Where a scenario aims: ``ScenarioTarget`` (worker URLs, the proxy in front of Redis, Redis
itself, how to read back the revocations, the service's process tree), made from any
``GateStack`` (the local ``chaos.services.Stack`` or the Docker backend's compose stack) and
the service's profile.

    target = ScenarioTarget.of_stack(stack, profile)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol, runtime_checkable

import redis

from chaos.faults import Controllable
from chaos.gate.fault_context import NetworkTarget
from chaos.profile import ServiceProfile
from chaos.services.process_tree import ProcessTree
from chaos.workload import ConnectionOwners, token_claims

__all__ = ["GateStack", "RedisHandle", "ScenarioTarget", "read_revoked"]

REVOKED_KEY = "revoked:{jti}"  # the reference service's keys (contract §1.3)
GLOB_SPECIALS = "*?[]\\"


class RedisHandle(Controllable, Protocol):
    """Redis as the gate uses it: the process verbs and a client (``RedisServer`` fits)."""

    def client(self, timeout: float = ...) -> redis.Redis: ...


class WorkerSet(Protocol):
    @property
    def worker_urls(self) -> list[str]: ...


@runtime_checkable
class HasTree(Protocol):
    """A local service: its process tree, and a restart (``CommandService`` fits)."""

    def tree(self) -> ProcessTree: ...

    def restart(self, timeout: float | None = None) -> object: ...


class GateStack(Protocol):
    """What the gate reads of a stack: its workers, the proxy in front of Redis, Redis."""

    @property
    def auth(self) -> WorkerSet: ...

    @property
    def proxy(self) -> NetworkTarget: ...

    @property
    def redis(self) -> RedisHandle: ...


def _glob(text: str) -> str:
    return "".join(f"\\{c}" if c in GLOB_SPECIALS else c for c in text)


def read_revoked(server: RedisHandle, key: str | None = REVOKED_KEY) -> set[str] | None:
    """The jtis the store holds, read from Redis directly: every key matching the service's
    revocation key (``revoked:{jti}``, ``blacklist:{token}``: a token's jti is read from it).
    None when the key scheme is unknown or Redis unreachable (I4 then judges by behaviour
    or says unknown)."""
    if key is None:
        return None
    prefix, _, rest = key.partition("{")
    placeholder, _, suffix = rest.partition("}")
    try:
        with server.client(timeout=2.0) as client:
            found = client.scan_iter(match=f"{_glob(prefix)}*{_glob(suffix)}", count=1000)
            middles = [str(k)[len(prefix) : len(str(k)) - len(suffix)] for k in found]
    except redis.RedisError:
        return None
    if placeholder == "token":
        return {str(token_claims(m).get("jti")) for m in middles if token_claims(m).get("jti")}
    return set(middles)


@dataclass(frozen=True)
class ScenarioTarget:
    """``per_worker``: each URL is one worker process (worker faults aim at it), else the
    workers are found in the service's process tree (``tree``). ``read_revocations``: the
    jtis the store holds after the run (None: unreadable or unknown). ``by_connection``:
    the service names no worker in a header, so a call is credited to the process holding
    its connection. ``restart``: restarts the service (I4 judged by behaviour)."""

    worker_urls: Sequence[str]
    proxy: NetworkTarget | None
    redis: Controllable | None
    read_revocations: Callable[[], set[str] | None]
    per_worker: bool = True
    topology: Any = None  # for failover drills: the Redis topology the faults act on
    tree: Callable[[], ProcessTree] | None = None
    by_connection: bool = False
    restart: Callable[[], object] | None = None

    @classmethod
    def of_stack(cls, stack: GateStack, profile: ServiceProfile | None = None) -> ScenarioTarget:
        service = stack.auth
        tree = service.tree if isinstance(service, HasTree) else None
        key = profile.redis.revocation_key if profile is not None else REVOKED_KEY
        per_worker = (
            profile.port_per_worker if profile is not None else len(service.worker_urls) > 1
        )
        return cls(
            list(service.worker_urls), stack.proxy, stack.redis,
            partial(read_revoked, stack.redis, key), per_worker, tree=tree,
            by_connection=profile is not None and profile.worker_header is None,
            restart=service.restart if isinstance(service, HasTree) else None,
        )  # fmt: skip

    @property
    def can_aim_workers(self) -> bool:
        return self.per_worker or self.tree is not None

    def worker_count(self) -> int:
        """How many workers serve now: one per URL, or the tree's worker processes."""
        if self.per_worker or self.tree is None:
            return len(self.worker_urls)
        return len(self.tree().workers())

    def owners(self) -> ConnectionOwners | None:
        """Who holds each connection, for a service without a worker header."""
        if not self.by_connection or self.tree is None:
            return None
        return ConnectionOwners(self.tree())
