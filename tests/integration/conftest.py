"""THROWAWAY helpers until main has ``redis_factory``/``auth_factory`` (fixtures/plugin.py).

Real processes in their own session, killed as a group at teardown; readiness polled with a
deadline; ports from the OS.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis

READY_S = 60.0


def free_port_range(n: int) -> int:
    """First of n consecutive ports that are free now (bounded tries)."""
    for _ in range(100):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = int(probe.getsockname()[1])
        if first + n > 65535:
            continue
        try:
            held = []
            for port in range(first, first + n):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
        return first
    raise RuntimeError(f"no {n} consecutive free ports found")


class Proc:
    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.log = workdir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return dict(os.environ)

    def probe(self) -> str | None:
        raise NotImplementedError

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def start(self) -> Proc:
        with self.log.open("ab") as out:
            self.popen = subprocess.Popen(
                self.command(), stdout=out, stderr=subprocess.STDOUT,
                env=self.env(), start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + READY_S
        seen = "not probed"
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited {self.popen.returncode}:\n{self.tail()}")
            seen = self.probe() or ""
            if not seen:
                return self
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} not ready in {READY_S}s ({seen}):\n{self.tail()}")

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])

    def signal_group(self, sig: signal.Signals) -> None:
        if self.popen is not None and self.popen.poll() is None:
            os.killpg(self.popen.pid, sig)

    def pause(self) -> None:
        self.signal_group(signal.SIGSTOP)

    def resume(self) -> None:
        self.signal_group(signal.SIGCONT)

    def stop(self) -> None:
        if self.popen is None:
            return
        try:
            os.killpg(self.popen.pid, signal.SIGCONT)
            os.killpg(self.popen.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            self.popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.popen.kill()
        with contextlib.suppress(ProcessLookupError):  # the whole group, whatever is left
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait()


class RedisProc(Proc):
    def __init__(self, workdir: Path, maxmemory_policy: str = "noeviction") -> None:
        self.port = free_port_range(1)
        self.maxmemory_policy = maxmemory_policy
        super().__init__(f"redis-{self.port}", workdir)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        return [
            "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
            "--appendonly", "yes", "--appendfsync", "always", "--dir", str(self.log.parent),
            "--appenddirname", f"{self.name}-aof", "--maxmemory-policy", self.maxmemory_policy,
        ]  # fmt: skip

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_timeout=1.0, socket_connect_timeout=1.0)

    def probe(self) -> str | None:
        try:
            with self.client() as client:
                client.ping()
        except redis.RedisError as exc:
            return str(exc)
        return None


class AuthProc(Proc):
    def __init__(
        self, workdir: Path, redis_url: str, workers: int, failure_mode: str,
        extra_args: list[str],
    ) -> None:  # fmt: skip
        self.port = free_port_range(workers)
        self.workers = workers
        self.redis_url = redis_url
        self.failure_mode = failure_mode
        self.extra_args = extra_args
        self.secret = secrets.token_urlsafe(48)
        super().__init__(f"auth-{self.port}", workdir)

    @property
    def worker_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{self.port + i}" for i in range(self.workers)]

    def env(self) -> dict[str, str]:
        return {**os.environ, "AUTH_JWT_SECRET": self.secret}

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "system_under_test", "--port", str(self.port),
            "--workers", str(self.workers), "--port-per-worker", "--redis-url", self.redis_url,
            "--failure-mode", self.failure_mode, "--user", "alice:alice-pw",
            "--user", "bob:bob-pw", "--hash-cost", "1024", *self.extra_args,
        ]  # fmt: skip

    def probe(self) -> str | None:
        for url in self.worker_urls:
            try:
                if httpx.get(url + "/health", timeout=1.0).status_code != 200:
                    return f"{url} not healthy"
            except httpx.HTTPError as exc:
                return f"{url}: {exc!r}"
        return None


@pytest.fixture
def redis_factory(tmp_path: Path) -> Iterator[Callable[..., RedisProc]]:
    started: list[RedisProc] = []

    def make(**kw: Any) -> RedisProc:
        proc = RedisProc(tmp_path, **kw)
        started.append(proc)
        proc.start()
        return proc

    yield make
    for proc in started:
        proc.stop()


@pytest.fixture
def auth_factory(tmp_path: Path) -> Iterator[Callable[..., AuthProc]]:
    started: list[AuthProc] = []

    def make(
        redis_url: str, workers: int = 2, failure_mode: str = "open",
        extra_args: list[str] | None = None,
    ) -> AuthProc:  # fmt: skip
        proc = AuthProc(tmp_path, redis_url, workers, failure_mode, list(extra_args or []))
        started.append(proc)
        proc.start()
        return proc

    yield make
    for proc in started:
        proc.stop()
