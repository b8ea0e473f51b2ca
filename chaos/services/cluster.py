"""``RedisCluster``: primaries and replicas joined with ``redis-cli --cluster create``.

Every node's cluster bus port is claimed too (the default port + 10000 may be out of range
or busy). Ready when every node reports ``cluster_state:ok``.

    cluster = RedisCluster(workdir, primaries=3, replicas_per_primary=1).start()
    cluster.startup_nodes  # [("127.0.0.1", port), ...]
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Self

import redis

from chaos.ports import PortClaim, claim_port
from chaos.services.errors import ServiceNotReady
from chaos.services.readiness import wait_until
from chaos.services.redis_server import RedisServer

__all__ = ["RedisCluster"]

CREATE_TIMEOUT = 60.0  # seconds for redis-cli --cluster create


class RedisCluster:
    """A Redis Cluster on loopback; each node is a RedisServer handle."""

    ready_timeout = 60.0

    def __init__(self, workdir: Path, primaries: int = 3, replicas_per_primary: int = 1) -> None:
        if primaries < 3:
            raise ValueError(f"a Redis Cluster needs at least 3 primaries, got {primaries}")
        self.workdir = Path(workdir)
        self.replicas_per_primary = replicas_per_primary
        self._bus: list[PortClaim] = []
        self.nodes: list[RedisServer] = []
        for _ in range(primaries * (1 + replicas_per_primary)):
            bus = claim_port()
            self._bus.append(bus)
            config = {
                "cluster-enabled": "yes",
                "cluster-config-file": "nodes.conf",
                "cluster-node-timeout": "5000",
                "cluster-port": str(bus.port),
                "repl-diskless-sync-delay": "0",  # replicas sync at once, not after 5 s
            }
            self.nodes.append(RedisServer(self.workdir, extra_config=config))
        self.create_log = self.workdir / "cluster-create.log"

    @property
    def startup_nodes(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", node.port) for node in self.nodes]

    def start(self, timeout: float | None = None) -> Self:
        try:
            for node in self.nodes:
                node.start()
            self._create()
            wait_until(
                self._all_ok, self.ready_timeout if timeout is None else timeout,
                "redis cluster", self.nodes,
            )  # fmt: skip
        except BaseException:
            self.close()
            raise
        return self

    def _create(self) -> None:
        argv = ["redis-cli", "--cluster", "create", *(f"{h}:{p}" for h, p in self.startup_nodes)]
        argv += ["--cluster-replicas", str(self.replicas_per_primary), "--cluster-yes"]
        with self.create_log.open("ab") as log:
            done = subprocess.run(
                argv, stdout=log, stderr=subprocess.STDOUT, timeout=CREATE_TIMEOUT, check=False
            )
        if done.returncode != 0:
            tail = self.create_log.read_text(errors="replace")[-3000:]
            raise ServiceNotReady("redis cluster create", CREATE_TIMEOUT, "exit code "
                                  f"{done.returncode}", tail)  # fmt: skip

    def _all_ok(self) -> str | None:
        for node in self.nodes:
            try:
                info = node.command_reply("CLUSTER", "INFO")
            except redis.RedisError as exc:
                return f"{node.name}: {exc}"
            text = info.decode() if isinstance(info, bytes) else str(info)
            if "cluster_state:ok" not in text:
                return f"{node.name}: {text.splitlines()[0] if text else 'empty'}"
        return self._replicas_synced()

    def _replicas_synced(self) -> str | None:
        """Every replica has finished its first sync: a replica that never synced cannot
        take its shard over, so a failover drill must not start before."""
        synced = 0
        for node in self.nodes:
            try:
                reply = node.command_reply("INFO", "replication")
            except redis.RedisError as exc:
                return f"{node.name}: {exc}"
            info = reply if isinstance(reply, dict) else {}  # redis-py parses INFO into a dict
            if info.get("role") == "slave":
                if info.get("master_link_status") != "up" or info.get("master_sync_in_progress"):
                    return f"{node.name}: replica not in sync yet"
                synced += 1
        wanted = len(self.nodes) // (1 + self.replicas_per_primary) * self.replicas_per_primary
        if synced < wanted:
            return f"{synced} of {wanted} replicas attached"
        return None

    def close(self) -> None:
        for node in reversed(self.nodes):
            node.close()
        for claim in self._bus:
            claim.release()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()
