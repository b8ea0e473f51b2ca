"""``SentinelGroup``: a primary, its replicas and a quorum of ``redis-sentinel`` processes.

Each member is its own handle (kill, pause, restart one of them). Ready when every sentinel
names the primary and sees every replica and every other sentinel, and every replica is in
sync. Example::

    group = SentinelGroup(workdir, replicas=2).start()
    old = group.primary(); old.kill()
    new = group.wait_for_failover(old, deadline=30)
"""

from __future__ import annotations

from pathlib import Path
from typing import Self

import redis

from chaos.services.errors import ServiceError
from chaos.services.readiness import wait_until
from chaos.services.redis_server import Persistence, RedisServer

__all__ = ["SentinelGroup", "SentinelServer"]


class SentinelServer(RedisServer):
    """One ``redis-sentinel`` monitoring ``service`` on the primary's port."""

    binary = "redis-sentinel"

    def __init__(
        self,
        workdir: Path,
        primary_port: int,
        *,
        service: str = "mymaster",
        quorum: int = 2,
        down_after_ms: int = 1000,
        failover_timeout_ms: int = 5000,
    ) -> None:
        super().__init__(workdir)
        self.primary_port = primary_port
        self.service = service
        self.quorum = quorum
        self.down_after_ms = down_after_ms
        self.failover_timeout_ms = failover_timeout_ms
        self._configured = False

    def config_lines(self) -> list[str]:
        svc = self.service
        return [
            "bind 127.0.0.1",
            f"port {self.port}",
            f"dir {self.workdir}",
            "daemonize no",
            'logfile ""',
            "set-proc-title no",  # keep /proc/PID/environ (and its owner marker) readable
            "sentinel resolve-hostnames no",
            f"sentinel monitor {svc} 127.0.0.1 {self.primary_port} {self.quorum}",
            f"sentinel down-after-milliseconds {svc} {self.down_after_ms}",
            f"sentinel failover-timeout {svc} {self.failover_timeout_ms}",
            f"sentinel parallel-syncs {svc} 1",
        ]

    def prepare(self) -> None:
        # sentinel rewrites its own config with what it learnt: a restart must keep that
        if not self._configured:
            super().prepare()
            self._configured = True

    def probe(self) -> str | None:
        try:
            with self.client(timeout=0.5) as conn:
                conn.ping()
        except redis.RedisError as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    def primary_port_seen(self) -> int | None:
        """The primary's port this sentinel names now, or None if it cannot be asked."""
        try:
            addr = self.command_reply(
                "SENTINEL", "get-master-addr-by-name", self.service, timeout=0.5
            )
        except redis.RedisError:
            return None
        return int(addr[1]) if addr else None


class SentinelGroup:
    """The members of a Sentinel deployment, started together, each drivable alone."""

    ready_timeout = 60.0

    def __init__(
        self,
        workdir: Path,
        *,
        replicas: int = 2,
        sentinels: int = 3,
        service: str = "mymaster",
        down_after_ms: int = 1000,
        failover_timeout_ms: int = 5000,
        persistence: Persistence = "off",
    ) -> None:
        if sentinels < 1 or replicas < 0:
            raise ValueError(f"need sentinels >= 1 and replicas >= 0: {sentinels}, {replicas}")
        self.service = service
        base = Path(workdir)
        first = RedisServer(base, persistence=persistence)
        self.servers: list[RedisServer] = [first] + [
            RedisServer(base, persistence=persistence, replica_of=first.port)
            for _ in range(replicas)
        ]
        self.sentinels: list[SentinelServer] = [
            SentinelServer(
                base,
                first.port,
                service=service,
                quorum=sentinels // 2 + 1,
                down_after_ms=down_after_ms,
                failover_timeout_ms=failover_timeout_ms,
            )
            for _ in range(sentinels)
        ]

    @property
    def members(self) -> list[RedisServer]:
        return [*self.servers, *self.sentinels]

    @property
    def sentinel_addrs(self) -> list[tuple[str, int]]:
        return [("127.0.0.1", s.port) for s in self.sentinels]

    def start(self, timeout: float | None = None) -> Self:
        try:
            for member in self.members:
                member.start()
            wait_until(
                self._agreement, self.ready_timeout if timeout is None else timeout,
                f"sentinel group {self.service}", self.members,
            )  # fmt: skip
        except BaseException:
            self.close()
            raise
        return self

    def close(self) -> None:
        for member in reversed(self.members):
            member.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _by_port(self, port: int | None) -> RedisServer | None:
        return next((s for s in self.servers if s.port == port), None)

    def _agreement(self) -> str | None:
        """None when sentinels agree on a primary that sees every replica online and in sync."""
        named = {s.primary_port_seen() for s in self.sentinels if s.running}
        primary = self._by_port(named.pop()) if len(named) == 1 else None
        if primary is None:
            return f"sentinels name primaries {sorted(map(str, named))}"
        expected = {s.port for s in self.servers if s is not primary and s.running}
        for sentinel in self.sentinels:
            if not sentinel.running:
                continue
            try:
                seen = sentinel.command_reply("SENTINEL", "replicas", self.service)
                peers = sentinel.command_reply("SENTINEL", "sentinels", self.service)
            except redis.RedisError as exc:
                return f"{sentinel.name}: {exc}"
            online = {int(r["port"]) for r in map(_pairs, seen) if "down" not in r.get("flags", "")}
            if not expected <= online:
                return f"{sentinel.name} sees replicas {sorted(online)}, want {sorted(expected)}"
            live_peers = sum(1 for s in self.sentinels if s.running) - 1
            if len(peers) < live_peers:
                return f"{sentinel.name} knows {len(peers)} other sentinels, want {live_peers}"
        for replica in (s for s in self.servers if s is not primary and s.running):
            try:
                info = replica.client().info("replication")
            except redis.RedisError as exc:
                return f"{replica.name}: {exc}"
            if info.get("master_port") != primary.port or info.get("master_link_status") != "up":
                return f"{replica.name} replication: {info.get('master_link_status')}"
        return None

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until the group agrees again (e.g. after a restart of a member)."""
        limit = self.ready_timeout if timeout is None else timeout
        wait_until(self._agreement, limit, f"sentinel group {self.service}", self.members)

    def primary(self) -> RedisServer:
        """The server a majority of sentinels name as primary now."""
        votes = [s.primary_port_seen() for s in self.sentinels if s.running]
        for port in set(votes):
            server = self._by_port(port)
            if server is not None and votes.count(port) > len(self.sentinels) // 2:
                return server
        raise ServiceError(f"sentinel group {self.service}: no majority on a primary: {votes}")

    def replicas(self) -> list[RedisServer]:
        current = self.primary()
        return [s for s in self.servers if s is not current]

    def wait_for_failover(self, old_primary: RedisServer, deadline: float = 30.0) -> RedisServer:
        """Wait until a majority names another primary that answers as master; return it."""
        chosen: list[RedisServer] = []

        def promoted() -> str | None:
            votes = [s.primary_port_seen() for s in self.sentinels if s.running]
            winners = [p for p in set(votes) if votes.count(p) > len(self.sentinels) // 2]
            server = self._by_port(winners[0]) if winners else None
            if server is None or server is old_primary:
                return f"sentinels name {votes}"
            try:
                role = server.command_reply("ROLE")
            except redis.RedisError as exc:
                return f"{server.name}: {exc}"
            if role[0] != "master":
                return f"{server.name} is still {role[0]}"
            chosen.append(server)
            return None

        wait_until(promoted, deadline, f"failover from {old_primary.name}", self.members)
        return chosen[-1]


def _pairs(flat: object) -> dict[str, str]:
    """SENTINEL replies are flat [key, value, ...] lists (or dicts with RESP3)."""
    if isinstance(flat, dict):
        return {str(k): str(v) for k, v in flat.items()}
    items = list(flat) if isinstance(flat, list) else []
    return {str(items[i]): str(items[i + 1]) for i in range(0, len(items) - 1, 2)}
