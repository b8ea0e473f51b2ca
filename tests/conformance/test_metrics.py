"""``/metrics``: the real server's proxy metric names and labels, and the process metrics.

Against the embedded server a private one is started with ``--proxy-metrics
--runtime-metrics``; against a given server (``--toxiproxy-url``) that server is used, and
it must have been started with ``-proxy-metrics -runtime-metrics`` for these to compare.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from fixtures.config import ChaosConfig

from .conftest import start_embedded, stop_process, unique
from .support import EchoServer, connect, round_trip, wait_until

pytestmark = pytest.mark.conformance

# the process metrics Go's collector and prometheus-client both expose (Linux)
PROCESS = [
    "process_cpu_seconds_total",
    "process_max_fds",
    "process_open_fds",
    "process_resident_memory_bytes",
    "process_start_time_seconds",
    "process_virtual_memory_bytes",
    "process_virtual_memory_max_bytes",
]


@pytest.fixture
def metrics_url(chaos_config: ChaosConfig, tmp_path: Path) -> Iterator[str]:
    if chaos_config.toxiproxy_url:
        url = chaos_config.toxiproxy_url
        if httpx.get(f"{url}/metrics", timeout=10).status_code == 404:
            pytest.skip(f"{url} serves no /metrics: start it with -proxy-metrics -runtime-metrics")
        yield url
        return
    proc, url = start_embedded(tmp_path / "server.log", ["--proxy-metrics", "--runtime-metrics"])
    try:
        yield url
    finally:
        stop_process(proc)


def samples(text: str) -> dict[str, float]:
    """``name{labels}`` -> value for every sample line."""
    found: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            found[key] = float(value)
    return found


def test_process_metrics_are_exposed(metrics_url: str) -> None:
    response = httpx.get(f"{metrics_url}/metrics", timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    values = samples(response.text)
    for name in PROCESS:
        assert name in values, name
    assert values["process_open_fds"] > 0
    assert values["process_max_fds"] >= values["process_open_fds"]
    # each server's own runtime: go_info on the real one, python_info on the embedded one
    assert any(re.match(r"(go|python)_info\{", key) for key in values)


def test_proxy_byte_counters_have_the_real_names_and_labels(
    metrics_url: str, echo: EchoServer
) -> None:
    name = unique("metrics")
    body = {"name": name, "listen": "127.0.0.1:0", "upstream": echo.address}
    created = httpx.post(f"{metrics_url}/proxies", json=body, timeout=10).json()
    try:
        listen = created["listen"]
        with connect(listen) as sock:
            round_trip(sock, b"x" * 1000)
        labels = f'listener="{listen}",proxy="{name}",upstream="{echo.address}"'
        expected = {
            f'toxiproxy_proxy_{kind}_bytes_total{{direction="{direction}",{labels}}}': 1000.0
            for kind in ("received", "sent")
            for direction in ("upstream", "downstream")
        }

        def counted() -> bool:
            # the real server adds a connection's bytes once it has closed
            values = samples(httpx.get(f"{metrics_url}/metrics", timeout=10).text)
            return all(values.get(key) == value for key, value in expected.items())

        wait_until(counted, "the byte counters of the closed connection")
        text = httpx.get(f"{metrics_url}/metrics", timeout=10).text
        for kind in ("received", "sent"):
            assert f"# TYPE toxiproxy_proxy_{kind}_bytes_total counter" in text
    finally:
        httpx.delete(f"{metrics_url}/proxies/{name}", timeout=10)
