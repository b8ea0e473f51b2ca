"""The Redis side of a drill: one server, a Sentinel group or a Cluster, each able to say
how the service reaches it and which revocations it holds now.

topology = SentinelTopology(workdir).start()
AuthService(workdir, **topology.service_target())
topology.revoked_jtis()     # jtis of every revoked:* key on the current primary (or primaries)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

import redis

from chaos.services import (
    RedisCluster,
    RedisServer,
    SentinelGroup,
    ServiceError,
    ServiceProcess,
)
from chaos.services.readiness import wait_until
from chaos.services.redis_server import Persistence

__all__ = [
    "ClusterTopology",
    "SentinelTopology",
    "SingleTopology",
    "Topology",
    "revoked_jtis_of",
]

REVOKED_PREFIX = "revoked:"
SCAN_COUNT = 1000
SETTLE_TIMEOUT_S = 30.0  # a failover or restart must be over before the keys are read
NODE_TIMEOUT_MS = 1000  # cluster-node-timeout of the drills' clusters, like down-after
# replica-priority of the replica Sentinel must promote (lower wins; the default is 100)
PREFERRED_PRIORITY = "10"


class Topology(Protocol):
    def start(self) -> Topology: ...

    def close(self) -> None: ...

    def members(self) -> list[ServiceProcess]: ...

    def service_target(self) -> dict[str, Any]:
        """AuthService keyword arguments that aim the service at this topology."""
        ...

    def revoked_jtis(self) -> set[str]:
        """Once the topology has settled: every revoked jti it holds (raises RedisError)."""
        ...


def revoked_jtis_of(server: RedisServer) -> set[str]:
    """The jtis of the ``revoked:*`` keys of one server (``fam:`` family keys left out)."""
    jtis: set[str] = set()
    with server.client(timeout=5.0) as conn:
        for name in conn.scan_iter(match=REVOKED_PREFIX + "*", count=SCAN_COUNT):
            key = str(name)[len(REVOKED_PREFIX) :]
            if not key.startswith("fam:"):
                jtis.add(key)
    return jtis


class SingleTopology:
    """One redis-server with the given persistence."""

    def __init__(self, workdir: Path, persistence: Persistence) -> None:
        self.server = RedisServer(workdir, persistence=persistence)

    def start(self) -> SingleTopology:
        self.server.start()
        return self

    def close(self) -> None:
        self.server.close()

    def members(self) -> list[ServiceProcess]:
        return [self.server]

    def service_target(self) -> dict[str, Any]:
        return {"redis_url": self.server.url}

    def revoked_jtis(self) -> set[str]:
        if not self.server.running:
            self.server.start(SETTLE_TIMEOUT_S)
        return revoked_jtis_of(self.server)


class SentinelTopology:
    """A primary, its replicas and three sentinels (short down-after: failovers are quick).
    ``prefer_first``: the first replica gets the best ``replica-priority``, so Sentinel
    promotes it whatever its replication offset (operators use the priority to prefer a host
    or a zone); otherwise Sentinel picks the replica with the largest offset. ``persistence``
    of every server: an old primary restarted without it comes back empty, and Sentinel may
    promote it (docs/failover.md)."""

    def __init__(
        self,
        workdir: Path,
        replicas: int = 2,
        down_after_ms: int = 1000,
        prefer_first: bool = False,
        persistence: Persistence = "off",
    ) -> None:
        self.group = SentinelGroup(
            workdir,
            replicas=replicas,
            sentinels=3,
            down_after_ms=down_after_ms,
            failover_timeout_ms=3000,
            persistence=persistence,
        )
        if prefer_first and replicas:
            self.preferred_replica.extra_config["replica-priority"] = PREFERRED_PRIORITY

    @property
    def preferred_replica(self) -> RedisServer:
        """The first replica: the one Sentinel promotes with ``prefer_first`` (or alone)."""
        return self.group.servers[1]

    def start(self) -> SentinelTopology:
        self.group.start()
        for server in self.group.servers:
            # a rejoining old primary needs a full sync: start it at once, not after 5 s
            server.command_reply("CONFIG", "SET", "repl-diskless-sync-delay", "0")
        return self

    def close(self) -> None:
        self.group.close()

    def members(self) -> list[ServiceProcess]:
        return list(self.group.members)

    def service_target(self) -> dict[str, Any]:
        return {"sentinels": self.group.sentinel_addrs, "sentinel_service": self.group.service}

    def current_primary(self) -> RedisServer:
        """The server a majority of sentinels names, once it answers as a primary (a
        restarted old primary may still be rejoining: sentinel waits 8 s to convert it)."""
        chosen: list[RedisServer] = []

        def named() -> str | None:
            try:
                server = self.group.primary()
                role = server.command_reply("ROLE")
            except (ServiceError, redis.RedisError) as exc:
                return str(exc)
            if role[0] != "master":
                return f"{server.name} is {role[0]}"
            chosen.append(server)
            return None

        wait_until(named, SETTLE_TIMEOUT_S, "sentinel primary", self.group.members)
        return chosen[-1]

    def revoked_jtis(self) -> set[str]:
        return revoked_jtis_of(self.current_primary())


class ClusterTopology:
    """Three primaries and three replicas; the service is given every node."""

    def __init__(self, workdir: Path) -> None:
        self.cluster = RedisCluster(workdir, primaries=3, replicas_per_primary=1)

    def start(self) -> ClusterTopology:
        self.cluster.start()
        for node in self.cluster.nodes:
            # the handle's 5 s node timeout: a replica takes over after it; 1 s, like Sentinel
            node.command_reply("CONFIG", "SET", "cluster-node-timeout", str(NODE_TIMEOUT_MS))
        return self

    def close(self) -> None:
        self.cluster.close()

    def members(self) -> list[ServiceProcess]:
        return list(self.cluster.nodes)

    def service_target(self) -> dict[str, Any]:
        nodes = ",".join(f"{h}:{p}" for h, p in self.cluster.startup_nodes)
        return {"redis_url": f"redis+cluster://{nodes}/0"}

    def primaries(self) -> list[RedisServer]:
        found: list[RedisServer] = []
        for node in self.cluster.nodes:
            if not node.running:
                continue
            try:
                role = node.command_reply("ROLE")
            except redis.RedisError:
                continue
            if role[0] == "master":
                found.append(node)
        return found

    def replica_of(self, primary: RedisServer) -> RedisServer:
        """The node that replicates ``primary`` now (its shard's replica)."""
        for node in self.cluster.nodes:
            if node is primary or not node.running:
                continue
            info = node.command_reply("INFO", "replication")
            if info.get("role") == "slave" and int(info.get("master_port", 0)) == primary.port:
                return node
        raise ServiceError(f"no node replicates {primary.name}")

    def settled(self) -> str | None:
        """None when every running node says ``cluster_state:ok`` with three primaries."""
        for node in self.cluster.nodes:
            if not node.running:
                continue
            try:
                info = str(node.command_reply("CLUSTER", "INFO"))
            except redis.RedisError as exc:
                return f"{node.name}: {exc}"
            if "cluster_state:ok" not in info:
                return f"{node.name}: cluster state not ok"
        primaries = len(self.primaries())
        return None if primaries == 3 else f"{primaries} primaries answer, want 3"

    def wait_settled(self, timeout: float = SETTLE_TIMEOUT_S) -> None:
        wait_until(self.settled, timeout, "redis cluster settled", self.cluster.nodes)

    def revoked_jtis(self) -> set[str]:
        self.wait_settled()
        jtis: set[str] = set()
        for node in self.primaries():
            jtis |= revoked_jtis_of(node)
        return jtis
