"""Where a primary's replica count comes from (`ReplicaPolicy` turns it into `WAIT n`).

- `SentinelReplicas`: `SENTINEL REPLICAS <service>` on every sentinel: every replica
  Sentinel may promote, down or cut off ones too;
- `ClusterReplicas`: `CLUSTER NODES` on the key's primary: the replicas following it;
- `PrimaryReplicas`: `INFO replication` of a plain primary: the most it has had connected;
- `ConnectedReplicas`: `INFO replication`: connected now (the `auto` policy).

The primary's connected count drops exactly when a write is most at risk (its replica has
just fallen off), so only `auto` trusts it.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from system_under_test.revocation.cluster import CLUSTER_SCHEME
from system_under_test.revocation.replicas import ReplicaView
from system_under_test.revocation.settings import StoreSettings


class ReplicaSource(Protocol):
    async def view(self, primary: Redis) -> ReplicaView | None:
        """What the topology says about ``primary``'s replicas (None: it could not be read)."""
        ...

    async def aclose(self) -> None: ...


class SentinelReplicas:
    """Every sentinel is asked at once; the largest list wins (one that restarted may not have
    rediscovered every replica yet). No answer at all: None (the policy keeps its last count)."""

    def __init__(self, sentinels: list[tuple[str, int]], service: str, timeout_s: float) -> None:
        self._service = service
        self._clients = [
            Redis(
                host=host,
                port=port,
                socket_timeout=timeout_s,
                socket_connect_timeout=timeout_s,
                retry=Retry(NoBackoff(), 0),  # one try each: the other sentinels are the retry
                lib_name=None,
                lib_version=None,
            )
            for host, port in sentinels
        ]

    async def view(self, primary: Redis) -> ReplicaView | None:
        answers = await asyncio.gather(*(self._listed(c) for c in self._clients))
        counts = [n for n in answers if n is not None]
        return ReplicaView(max(counts), replicated=True) if counts else None

    async def _listed(self, sentinel: Redis) -> int | None:
        try:
            reply = await sentinel.sentinel_slaves(self._service)  # SENTINEL REPLICAS
        except (RedisError, OSError):
            return None
        return len(reply) if isinstance(reply, list) else None

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()


class ClusterReplicas:
    """The replicas the cluster configuration attaches to this primary (failed ones too)."""

    async def view(self, primary: Redis) -> ReplicaView:
        command = primary.execute_command  # plain client: no typed cluster_nodes()
        reply = await command("CLUSTER", "NODES")  # type: ignore[no-untyped-call,unused-ignore]
        return cluster_replica_view(reply.decode() if isinstance(reply, bytes) else str(reply))

    async def aclose(self) -> None:
        return None


def cluster_replica_view(nodes: str) -> ReplicaView:
    """From a `CLUSTER NODES` reply of the primary itself (`myself`): its replicas, and
    whether any shard has one."""
    rows = [line.split() for line in nodes.splitlines() if len(line.split()) >= 4]
    me = next((row[0] for row in rows if "myself" in row[2].split(",")), None)
    if me is None:
        raise RedisError("CLUSTER NODES names no 'myself' node")
    known = sum(1 for row in rows if row[3] == me)
    replicated = any("slave" in row[2].split(",") for row in rows)
    return ReplicaView(known, replicated)


class PrimaryReplicas:
    """A primary without Sentinel or Cluster: the most replicas it has had connected since
    this worker started (a replica that dropped off still counts)."""

    def __init__(self) -> None:
        self._most = 0

    async def view(self, primary: Redis) -> ReplicaView:
        self._most = max(self._most, await _connected(primary))
        return ReplicaView(self._most, replicated=self._most > 0)

    async def aclose(self) -> None:
        return None


class ConnectedReplicas:
    """The `auto` policy: replicas connected to the primary now."""

    async def view(self, primary: Redis) -> ReplicaView:
        return ReplicaView(await _connected(primary), replicated=False)

    async def aclose(self) -> None:
        return None


async def _connected(primary: Redis) -> int:
    info = await primary.info("replication")
    return int(info.get("connected_slaves", 0))


def replica_source(settings: StoreSettings) -> ReplicaSource:
    """The source for this deployment and policy."""
    if settings.replica_wait == "auto":
        return ConnectedReplicas()
    if settings.sentinels:
        assert settings.sentinel_service is not None  # checked by StoreSettings
        return SentinelReplicas(
            settings.sentinels, settings.sentinel_service, settings.redis_timeout_s
        )
    if settings.redis_url is not None and settings.redis_url.startswith(CLUSTER_SCHEME):
        return ClusterReplicas()
    return PrimaryReplicas()
