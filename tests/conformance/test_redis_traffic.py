"""Real traffic: redis-cli and redis-benchmark through the proxy to a real redis-server."""

from __future__ import annotations

import subprocess
import time

import httpx
import pytest

from fixtures.services import RedisFactory

from .conftest import ProxyFactory

pytestmark = [pytest.mark.conformance, pytest.mark.integration]


def cli(port: int, *args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def redis_port(redis_factory: RedisFactory) -> int:
    """A real redis-server (persistence off) from the plugin's handle, torn down after."""
    return redis_factory().port


@pytest.fixture
def proxy_port(make_proxy: ProxyFactory, redis_port: int) -> int:
    return int(str(make_proxy(f"127.0.0.1:{redis_port}")["listen"]).rsplit(":", 1)[1])


def add(api: httpx.Client, proxy_port: int, body: dict[str, object]) -> None:
    name = next(
        n
        for n, p in api.get("/proxies").json().items()
        if str(p["listen"]).endswith(f":{proxy_port}")
    )
    assert api.post(f"/proxies/{name}/toxics", json=body).status_code == 200


def timed_cli(
    port: int, *args: str, timeout: float = 30
) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.monotonic()
    result = cli(port, *args, timeout=timeout)
    return time.monotonic() - start, result


def test_redis_cli_through_the_proxy(proxy_port: int, redis_port: int) -> None:
    assert cli(proxy_port, "SET", "k", "through-proxy").stdout.strip() == "OK"
    assert cli(redis_port, "GET", "k").stdout.strip() == "through-proxy"


def test_latency_adds_the_expected_delay(api: httpx.Client, proxy_port: int) -> None:
    baseline, _ = timed_cli(proxy_port, "PING")
    add(api, proxy_port, {"type": "latency", "attributes": {"latency": 500}})
    elapsed, result = timed_cli(proxy_port, "PING")
    assert result.stdout.strip() == "PONG"
    assert elapsed >= 0.5
    assert elapsed < baseline + 0.5 + 3.0


def test_timeout_toxic_makes_redis_cli_time_out(api: httpx.Client, proxy_port: int) -> None:
    add(api, proxy_port, {"type": "timeout", "attributes": {"timeout": 0}})
    with pytest.raises(subprocess.TimeoutExpired):
        cli(proxy_port, "PING", timeout=2)


def test_timeout_toxic_with_a_limit_closes_and_redis_cli_fails(
    api: httpx.Client, proxy_port: int
) -> None:
    add(api, proxy_port, {"type": "timeout", "attributes": {"timeout": 300}})
    elapsed, result = timed_cli(proxy_port, "PING")
    assert "PONG" not in result.stdout
    assert elapsed >= 0.3


def test_reset_peer_makes_redis_cli_fail(api: httpx.Client, proxy_port: int) -> None:
    add(api, proxy_port, {"type": "reset_peer", "attributes": {"timeout": 0}})
    result = cli(proxy_port, "PING")
    assert "PONG" not in result.stdout
    assert "reset" in (result.stdout + result.stderr).lower()


def benchmark(port: int, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-q", "--csv", *extra],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_redis_benchmark_through_the_proxy(proxy_port: int) -> None:
    result = benchmark(proxy_port, "-c", "10", "-n", "2000", "-t", "get,set")
    assert result.returncode == 0, result.stderr
    assert '"GET"' in result.stdout
    assert '"SET"' in result.stdout


def test_redis_benchmark_with_latency_is_slowed(api: httpx.Client, proxy_port: int) -> None:
    add(api, proxy_port, {"type": "latency", "attributes": {"latency": 100}})
    start = time.monotonic()
    result = benchmark(proxy_port, "-c", "5", "-n", "50", "-t", "get")
    elapsed = time.monotonic() - start
    assert result.returncode == 0, result.stderr
    # 50 requests over 5 connections, each at least 100 ms: 10 rounds, at least 1 s
    assert elapsed >= 1.0
