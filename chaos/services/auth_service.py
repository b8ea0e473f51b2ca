"""``AuthService``: the reference service, ``python -m system_under_test``, as a process.

auth = AuthService(workdir, redis_url=redis.url, workers=2).start()
auth.worker_urls  # ["http://127.0.0.1:P", "http://127.0.0.1:P+1"] with port_per_worker
auth.secret       # the HS256 key (AUTH_JWT_SECRET), fresh per instance
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import httpx

from chaos.ports import PortClaim, claim_port_range
from chaos.services.http_probe import PROBE_TIMEOUT, first_unhealthy
from chaos.services.process import ServiceProcess

__all__ = ["DEFAULT_USERS", "AuthService", "FailureMode"]

FailureMode = Literal["open", "closed"]
DEFAULT_USERS: tuple[tuple[str, str], ...] = (("alice", "alice-pw"), ("bob", "bob-pw"))


class AuthService(ServiceProcess):
    """N workers of the reference service; with ``port_per_worker`` worker i is on port + i."""

    module = "system_under_test"
    ready_timeout = 60.0  # N interpreters importing FastAPI on a busy 2-core box

    def __init__(
        self,
        workdir: Path,
        redis_url: str | None = None,
        *,
        sentinels: Sequence[tuple[str, int]] = (),
        sentinel_service: str = "mymaster",
        workers: int = 2,
        failure_mode: FailureMode = "open",
        port_per_worker: bool = True,
        users: Sequence[tuple[str, str]] = DEFAULT_USERS,
        extra_args: Sequence[str] = (),
        env: dict[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        if (redis_url is None) == (not sentinels):
            raise ValueError("give exactly one of redis_url or sentinels")
        if workers < 1:
            raise ValueError(f"workers must be >= 1, got {workers}")
        self._claim: PortClaim | None = None
        if port is None:
            self._claim = claim_port_range(workers if port_per_worker else 1)
            port = self._claim.port
        self.port = port
        self.redis_url = redis_url
        self.sentinels = tuple(sentinels)
        self.sentinel_service = sentinel_service
        self.workers = workers
        self.failure_mode = failure_mode
        self.port_per_worker = port_per_worker
        self.users = tuple(users)
        self.extra_args = tuple(extra_args)
        self.secret = secrets.token_urlsafe(48)  # 64 chars of 48 random bytes
        base_env = {"AUTH_JWT_SECRET": self.secret, **(env or {})}
        super().__init__(f"auth-{port}", Path(workdir) / f"auth-{port}", base_env)
        self.users_path = self.workdir / "users.txt"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def worker_urls(self) -> list[str]:
        if not self.port_per_worker:
            return [self.base_url]
        return [f"http://127.0.0.1:{self.port + i}" for i in range(self.workers)]

    def worker_ids(self) -> list[str]:
        """``X-Worker-Id`` (``w<slot>-<pid>``) of each worker URL, asked over ``/health``."""
        ids: list[str] = []
        for url in self.worker_urls:
            response = httpx.get(f"{url}/health", timeout=PROBE_TIMEOUT)
            ids.append(response.headers.get("x-worker-id", ""))
        return ids

    def kill_worker(self, slot: int) -> int:
        """SIGKILL the worker answering on slot ``slot`` (port-per-worker); its pid."""
        if not self.port_per_worker:
            raise ValueError("kill_worker needs port_per_worker=True to aim at one worker")
        worker_id = self.worker_ids()[slot]
        pid = int(worker_id.rpartition("-")[2])
        os.kill(pid, signal.SIGKILL)
        return pid

    def prepare(self) -> None:
        lines = [f"{name}:{password}" for name, password in self.users]
        self.users_path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def command(self) -> list[str]:
        argv = [sys.executable, "-m", self.module, "--host", "127.0.0.1"]
        argv += ["--port", str(self.port), "--workers", str(self.workers)]
        if self.redis_url is not None:
            argv += ["--redis-url", self.redis_url]
        else:
            argv += ["--sentinel", ",".join(f"{h}:{p}" for h, p in self.sentinels)]
            argv += ["--sentinel-service", self.sentinel_service]
        argv += ["--failure-mode", self.failure_mode, "--users-file", str(self.users_path)]
        if self.port_per_worker:
            argv.append("--port-per-worker")
        return argv + list(self.extra_args)

    def probe(self) -> str | None:
        return first_unhealthy(self.worker_urls, "/health")

    def release_ports(self) -> None:
        if self._claim is not None:
            self._claim.release()
