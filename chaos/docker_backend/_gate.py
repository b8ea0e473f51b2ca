"""The resilience gate on Docker: a compose stack under the names of ``chaos.services.Stack``
that the gate reads, and the Docker-only scenario (a partition of the Redis container).

    stack = open_gate_stack(workdir, workers=3, failure_mode="open", service_args=(...))
    ScenarioTarget.of_stack(stack)   # worker URLs, proxy "redis", the Redis container
    stack.close()
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from chaos.faults import Fault
from chaos.gate import FaultContext, Scenario
from chaos.gate.matrix import OPEN
from chaos.history import History
from chaos.toxiproxy_client import ProxyHandle, ToxiproxyClient

from ._compose import ComposeOptions, ComposeStack
from ._container import ContainerHandle, NetworkMembership
from ._partition import Partition
from ._redis import REDIS_PORT

__all__ = [
    "DOCKER_SCENARIOS",
    "ComposeGateStack",
    "RedisContainer",
    "ServiceView",
    "open_gate_stack",
    "partition_figures",
    "redis_partition",
]

DEFAULT_USERS = (("alice", "alice-pw"), ("bob", "bob-pw"))  # those of chaos.services


@dataclass(eq=False)
class RedisContainer:
    """The Redis container under the names of ``RedisServer`` the gate uses: ``client()``,
    ``url``, ``port`` and the process verbs (a ``chaos.faults.process.Controllable``)."""

    handle: ContainerHandle

    @property
    def name(self) -> str:
        return self.handle.name

    @property
    def port(self) -> int:
        return self.handle.host_port(REDIS_PORT)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, timeout: float = 1.0) -> redis.Redis:
        """Decoded answers (str), no retry: what ``RedisServer.client()`` gives."""
        return redis.Redis(
            host="127.0.0.1", port=self.port, socket_timeout=timeout,
            socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0), decode_responses=True,
        )  # fmt: skip

    def kill(self) -> None:
        self.handle.kill()

    def restart(self) -> None:
        self.handle.restart()

    def pause(self) -> None:
        self.handle.pause()

    def resume(self) -> None:
        self.handle.resume()

    def disconnect(self) -> list[NetworkMembership]:
        return self.handle.disconnect()

    def reconnect(self) -> None:
        self.handle.reconnect()

    def log_tail(self, lines: int = 40) -> str:
        return self.handle.log_tail(lines)


@dataclass(frozen=True)
class ServiceView:
    """The ``auth`` container's workers: one URL per worker (port_per_worker)."""

    handle: ContainerHandle
    worker_urls: list[str]
    base_url: str


@dataclass(eq=False)
class ComposeGateStack:
    """A ComposeStack as a ``chaos.gate.GateStack`` (workers -> proxy "redis" -> Redis),
    with the names of ``chaos.services.Stack`` that ``stack_factory`` users read."""

    compose: ComposeStack
    proxy: ProxyHandle
    redis: RedisContainer = field(init=False)
    auth: ServiceView = field(init=False)

    def __post_init__(self) -> None:
        self.redis = RedisContainer(self.compose.redis)
        urls = self.compose.worker_urls
        self.auth = ServiceView(self.compose.auth, urls, self.compose.base_url)

    @property
    def toxiproxy_url(self) -> str:
        return self.compose.toxiproxy_url

    @property
    def proxy_name(self) -> str:
        return self.proxy.name

    @property
    def proxy_port(self) -> int:
        return self.compose.proxy_port

    @property
    def proxied_redis_url(self) -> str:
        return self.compose.proxied_redis_url

    @property
    def members(self) -> list[object]:
        """Local service handles (none: containers' logs are in ``log_tails()``)."""
        return []

    def log_tails(self, lines: int = 30) -> dict[str, str]:
        return self.compose.log_tails(lines)

    def close(self) -> None:
        try:
            self.proxy.client.close()
        finally:
            self.compose.down()


def open_gate_stack(
    workdir: Path,
    *,
    workers: int,
    failure_mode: str,
    service_args: Sequence[str] = (),
    users: Sequence[tuple[str, str]] = DEFAULT_USERS,
    ready_timeout: float = 120.0,
) -> ComposeGateStack:
    """Redis, the fault proxy and ``workers`` workers (one host port each) from
    docker-compose.chaos.yml; the workers reach Redis through proxy ``redis`` only."""
    workdir.mkdir(parents=True, exist_ok=True)
    users_file = workdir / "users.txt"
    users_file.write_text("".join(f"{u}:{p}\n" for u, p in users), encoding="utf-8")
    options = ComposeOptions(
        workers=workers,
        failure_mode=failure_mode,
        service_args=tuple(service_args),
        port_per_worker=True,
        users_file=users_file,
        ready_timeout=ready_timeout,
    )
    compose = ComposeStack.up(options)
    try:
        client = ToxiproxyClient(compose.toxiproxy_url)
        try:
            return ComposeGateStack(compose, client.get_proxy(compose.proxy_name))
        except BaseException:
            client.close()
            raise
    except BaseException:
        compose.down()
        raise


def redis_partition(rng: random.Random, ctx: FaultContext) -> Fault:
    """The Redis container leaves its network: the proxy's packets to it go nowhere (a fault
    builder only this backend has, used like any of ``chaos.gate.catalogue``)."""
    redis_handle = ctx.redis_process()
    if not isinstance(redis_handle, RedisContainer):
        raise TypeError(f"a partition needs the Redis container, got {type(redis_handle).__name__}")
    return Partition(redis_handle.handle, name="redis_partition")


DOCKER_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("redis_partition_open", (redis_partition,), OPEN),
)


def partition_figures(history: History) -> dict[str, float | None]:
    """Seconds from the cut (disconnect returned) to the first ``degraded`` verify, and from
    the heal (reconnect returned) until every worker answers ``enforced`` for good."""
    phases = {op.value.get("phase"): op for op in history.faults()}  # recorded on return
    inject, heal = phases["inject"], phases["heal"]
    verifies = [c for c in history.calls() if c.f == "verify" and c.completion is not None]
    degraded = [
        c.completion.time_s
        for c in verifies
        if c.completion is not None
        and c.completion.revocation_check == "degraded"
        and c.completion.time_s >= inject.time_s
    ]
    steady: dict[str, float] = {}
    for call in sorted(verifies, key=lambda c: c.invoke.time_s):
        done = call.completion
        if done is None or call.invoke.time_s < heal.time_s or call.invoke.target is None:
            continue
        if done.revocation_check == "enforced" and done.status == 200:
            steady.setdefault(call.invoke.target, done.time_s)
        elif done.revocation_check == "degraded":
            steady.pop(call.invoke.target, None)  # not steady yet: count from a later one
    cut_s = int(inject.value.get("began", inject.time_ns)) / 1e9  # disconnect called
    return {
        "disconnect_call_s": round(inject.time_s - cut_s, 3),
        "to_degraded_s": round(min(degraded) - inject.time_s, 3) if degraded else None,
        "to_enforced_s": round(max(steady.values()) - heal.time_s, 3) if steady else None,
    }
