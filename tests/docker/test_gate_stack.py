"""The gate's stack on Docker: one host port per worker (pid in X-Worker-Id is the host's,
so a worker fault aims from the host), the Redis container under RedisServer's names, and
``chaos_stack`` of a ``--chaos-backend docker`` run handing out such a stack."""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from chaos.docker_backend import STACK_LABEL, open_gate_stack
from chaos.gate.worker_target import pid_of
from tests.plugin.inner_pytest import run_sample

pytestmark = [pytest.mark.docker, pytest.mark.slow]

DEADLINE = 60.0


def worker_id(url: str) -> str:
    return str(httpx.get(url + "/health", timeout=2.0).headers["x-worker-id"])


def test_port_per_worker_stack(tmp_path: Path, docker_engine: Any) -> None:
    stack = open_gate_stack(tmp_path, workers=3, failure_mode="open")
    try:
        ids = [worker_id(url) for url in stack.auth.worker_urls]
        assert [i.split("-")[0] for i in ids] == ["w0", "w1", "w2"], ids
        os.kill(pid_of(ids[1]), signal.SIGKILL)  # a host pid: the container shares pid ns
        deadline = time.monotonic() + DEADLINE
        seen = ids[1]
        while time.monotonic() < deadline and seen in (ids[1], "down"):
            try:
                seen = worker_id(stack.auth.worker_urls[1])
            except httpx.HTTPError:
                seen = "down"
            time.sleep(0.05)  # poll interval of a condition with a deadline
        assert seen.startswith("w1-"), f"slot 1 not answering: {seen}"
        assert seen != ids[1], f"slot 1 not replaced: {seen}"
        assert worker_id(stack.auth.worker_urls[0]) == ids[0]  # the others untouched
        with stack.redis.client() as client:
            client.set("revoked:probe", "1")
            assert list(client.scan_iter(match="revoked:*")) == ["revoked:probe"]  # str
        assert stack.proxy_name == "redis"
        assert stack.proxied_redis_url.endswith("/0")
    finally:
        stack_id = stack.compose.stack_id
        stack.close()
    left = docker_engine.containers.list(all=True, filters={"label": f"{STACK_LABEL}={stack_id}"})
    assert left == [], [c.name for c in left]


def test_chaos_stack_fixture_on_docker() -> None:
    """A user's test on ``chaos_stack`` gets a compose stack with ``--chaos-backend docker``."""
    done = run_sample("sample_docker_stack.py", "--chaos-backend", "docker", timeout=240)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 passed" in done.stdout, done.stdout[-2000:]
    assert re.search(r"leftover containers of \S+: 0", done.stdout), done.stdout[-2000:]
