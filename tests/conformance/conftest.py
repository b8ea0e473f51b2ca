"""Conformance fixtures: an API client, an echo upstream, proxies with unique names.

The server under test is the plugin's ``toxiproxy_url`` (fixtures/): the embedded server,
one per xdist worker, or the one given with ``--toxiproxy-url URL`` / env ``TOXIPROXY_URL``.
``start_embedded`` starts a private one for the command-line tests.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from .support import EchoServer

STARTUP_DEADLINE = 30.0  # seconds: the machine is shared and CPU is contended


def start_embedded(
    log_path: Path, extra: Sequence[str] = ()
) -> tuple[subprocess.Popen[bytes], str]:
    """Start ``python -m chaos.toxiproxy --port 0 [extra]`` in its own session; return it and
    its URL."""
    log = log_path.open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "chaos.toxiproxy", "--host", "127.0.0.1", "--port", "0", *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log.close()
    deadline = time.monotonic() + STARTUP_DEADLINE
    while time.monotonic() < deadline:
        for line in log_path.read_text(errors="replace").splitlines():
            if "Starting Toxiproxy HTTP server" in line:
                url = "http://" + json.loads(line)["address"]
                if httpx.get(url + "/version", timeout=2).status_code == 200:
                    return proc, url
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    stop_process(proc)
    tail = log_path.read_text(errors="replace")[-2000:]
    raise RuntimeError(f"chaos.toxiproxy did not become ready; log tail:\n{tail}")


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group, then SIGKILL if it lingers."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


@pytest.fixture
def api(toxiproxy_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=toxiproxy_url, timeout=15) as client:
        yield client


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer().start()
    yield server
    server.stop()


ProxyFactory = Callable[..., dict[str, object]]


@pytest.fixture
def make_proxy(api: httpx.Client) -> Iterator[ProxyFactory]:
    """Create proxies with unique names on 127.0.0.1:0; every one is deleted afterwards."""
    names: list[str] = []

    def create(
        upstream: str, *, enabled: bool = True, listen: str = "127.0.0.1:0"
    ) -> dict[str, object]:
        name = f"conf_{uuid.uuid4().hex[:10]}"
        names.append(name)
        body = {"name": name, "listen": listen, "upstream": upstream, "enabled": enabled}
        response = api.post("/proxies", json=body)
        assert response.status_code == 201, response.text
        proxy: dict[str, object] = response.json()
        return proxy

    yield create
    for name in names:
        api.delete(f"/proxies/{name}")


def unique(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:10]}"
