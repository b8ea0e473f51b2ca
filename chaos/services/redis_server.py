"""``RedisServer``: one ``redis-server`` on a claimed loopback port, config written to a file.

server = RedisServer(workdir, persistence="always").start()
server.client().set("k", "v"); server.url  # redis://127.0.0.1:PORT/0
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from chaos.ports import PortClaim, claim_port
from chaos.services.process import ServiceProcess

__all__ = ["Persistence", "RedisServer"]

Persistence = Literal["off", "everysec", "always"]
PERSISTENCE: dict[str, list[str]] = {
    "off": ['save ""', "appendonly no"],
    "everysec": ['save ""', "appendonly yes", "appendfsync everysec"],
    "always": ['save ""', "appendonly yes", "appendfsync always"],
}
CLIENT_TIMEOUT = 1.0  # seconds: a hung server must not hang the test's own client


class RedisServer(ServiceProcess):
    """A ``redis-server`` process; restarts keep its port and data directory."""

    binary = "redis-server"

    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        *,
        persistence: Persistence = "off",
        maxmemory_policy: str = "noeviction",
        replica_of: int | RedisServer | None = None,
        extra_config: dict[str, str] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        if persistence not in PERSISTENCE:
            raise ValueError(f"persistence must be one of {sorted(PERSISTENCE)}: {persistence!r}")
        self._claim: PortClaim | None = None
        if port is None:
            self._claim = claim_port()
            port = self._claim.port
        self.port = port
        self.persistence = persistence
        self.maxmemory_policy = maxmemory_policy
        self.replica_of = replica_of.port if isinstance(replica_of, RedisServer) else replica_of
        self.extra_config = dict(extra_config or {})
        super().__init__(f"{self.binary}-{port}", Path(workdir) / f"{self.binary}-{port}", env)
        self.config_path = self.workdir / f"{self.binary}.conf"

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self, timeout: float = CLIENT_TIMEOUT) -> redis.Redis:
        """A sync client with short timeouts and no retries, for tests and readiness."""
        return redis.Redis(
            host="127.0.0.1",
            port=self.port,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
            decode_responses=True,
        )

    def command_reply(self, *args: str | int, timeout: float = CLIENT_TIMEOUT) -> Any:
        """One command on a fresh short-timeout connection (raises redis.RedisError)."""
        with self.client(timeout) as conn:
            return conn.execute_command(*args)

    def config_lines(self) -> list[str]:
        lines = [
            "bind 127.0.0.1",
            f"port {self.port}",
            f"dir {self.workdir}",
            "daemonize no",
            'logfile ""',
            "protected-mode yes",
            "set-proc-title no",  # keep /proc/PID/environ (and its owner marker) readable
            f"maxmemory-policy {self.maxmemory_policy}",
            *PERSISTENCE[self.persistence],
        ]
        if self.replica_of is not None:
            lines.append(f"replicaof 127.0.0.1 {self.replica_of}")
        lines.extend(f"{key} {value}" for key, value in self.extra_config.items())
        return lines

    def prepare(self) -> None:
        self.config_path.write_text("\n".join(self.config_lines()) + "\n", encoding="utf-8")

    def command(self) -> list[str]:
        return [self.binary, str(self.config_path)]

    def probe(self) -> str | None:
        try:
            with self.client(timeout=0.5) as conn:
                conn.ping()
                info = conn.info("persistence")
        except redis.RedisError as exc:
            return f"{type(exc).__name__}: {exc}"
        if info.get("loading"):
            return "loading the dataset"
        return None

    def release_ports(self) -> None:
        if self._claim is not None:
            self._claim.release()
