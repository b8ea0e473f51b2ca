"""The whole default stack: Redis, the fault proxy in front of it, the auth workers behind it."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
import redis

from chaos.docker_backend import ComposeOptions, ComposeStack

pytestmark = [pytest.mark.docker, pytest.mark.slow]

DEADLINE = 60.0


def steady(client: httpx.Client, token: str, want: str, run: int = 10) -> float:
    """Seconds until `run` verifies in a row carry X-Revocation-Check `want`."""
    start = time.monotonic()
    seen: list[str] = []
    while time.monotonic() - start < DEADLINE:
        response = client.get("/auth/verify", headers={"Authorization": f"Bearer {token}"})
        seen.append(response.headers.get("X-Revocation-Check", str(response.status_code)))
        if seen[-run:] == [want] * run:
            return time.monotonic() - start
        time.sleep(0.02)  # poll interval of a condition with a deadline
    raise AssertionError(f"no steady {want!r} within {DEADLINE} s; last {seen[-10:]}")


def test_default_stack_serves_through_the_proxy_and_a_toxic_degrades_it(
    docker_engine: Any,
) -> None:
    stack = ComposeStack.up(ComposeOptions(workers=2))
    try:
        urls = stack.urls
        assert urls is not None
        assert urls.service is not None
        assert urls.toxiproxy_api is not None
        assert urls.redis_via_proxy is not None
        assert set(stack.handles) == {"redis-primary", "toxiproxy", "auth"}
        # the local Stack's names
        assert stack.toxiproxy_url == urls.toxiproxy_api
        assert stack.proxied_redis_url == urls.redis_via_proxy
        assert stack.base_url == urls.service
        assert stack.redis is stack.handles["redis-primary"]
        proxies = httpx.get(f"{urls.toxiproxy_api}/proxies", timeout=5.0).json()
        assert proxies["redis"]["upstream"] == "redis-primary:6379"
        assert redis.Redis.from_url(urls.redis_via_proxy, socket_timeout=2.0).ping()

        no_reuse = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=urls.service, timeout=10.0, limits=no_reuse) as client:
            login = client.post(
                "/auth/login", json={"username": "bob", "password": "bob-chaos-password"}
            )
            assert login.status_code == 200, login.text
            token = login.json()["access_token"]
            steady(client, token, "enforced")
            toxic = {"name": "blackhole", "type": "timeout", "attributes": {"timeout": 0}}
            added = httpx.post(
                f"{urls.toxiproxy_api}/proxies/redis/toxics", json=toxic, timeout=5.0
            )
            assert added.status_code == 200, added.text
            try:
                degraded_s = steady(client, token, "degraded")
            finally:
                removed = httpx.delete(
                    f"{urls.toxiproxy_api}/proxies/redis/toxics/blackhole", timeout=5.0
                )
                assert removed.status_code == 204, removed.text
            enforced_s = steady(client, token, "enforced")
        print(
            f"\nfull stack, timeout toxic: steady degraded after {degraded_s:.2f} s, "
            f"steady enforced {enforced_s:.2f} s after removal"
        )
    finally:
        stack.down()
