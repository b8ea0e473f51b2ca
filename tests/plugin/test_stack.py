"""chaos_stack: workers -> the real fault proxy -> Redis, and the toxiproxy_url fixture."""

from __future__ import annotations

import time

import httpx
import pytest
import redis

from chaos.services import Stack
from fixtures.services import StackFactory

pytestmark = pytest.mark.integration


def test_toxiproxy_url_serves_the_toxiproxy_api(toxiproxy_url: str) -> None:
    response = httpx.get(f"{toxiproxy_url}/version")
    assert response.status_code == 200
    assert "version" in response.json()


def test_the_service_reaches_redis_only_through_the_proxy(
    chaos_stack: Stack, toxiproxy_url: str
) -> None:
    proxy = httpx.get(f"{toxiproxy_url}/proxies/{chaos_stack.proxy_name}").json()
    assert proxy["listen"] == f"127.0.0.1:{chaos_stack.proxy_port}"
    assert proxy["upstream"] == f"127.0.0.1:{chaos_stack.redis.port}"
    assert chaos_stack.auth.redis_url == chaos_stack.proxied_redis_url
    ready = chaos_stack.auth.worker_urls[0] + "/ready"
    assert httpx.get(ready, timeout=10).status_code == 200

    chaos_stack.proxy.disable()
    assert chaos_stack.redis.client().ping()  # Redis itself is fine: only the path is cut
    assert httpx.get(ready, timeout=10).status_code == 503
    chaos_stack.proxy.enable()
    assert httpx.get(ready, timeout=10).status_code == 200


def test_a_toxic_on_the_stack_proxy_slows_the_services_redis_path(chaos_stack: Stack) -> None:
    chaos_stack.redis.client().set("probe", "1")
    via_proxy = redis.Redis(port=chaos_stack.proxy_port, socket_timeout=5, decode_responses=True)
    chaos_stack.proxy.add_toxic("latency", attributes={"latency": 500})
    before = time.monotonic()
    assert via_proxy.get("probe") == "1"
    assert time.monotonic() - before >= 0.5  # each reply waits the toxic's 500 ms
    via_proxy.close()


def test_closing_a_stack_deletes_its_proxy_and_stops_everything(
    stack_factory: StackFactory, toxiproxy_url: str
) -> None:
    stack = stack_factory(workers=1)
    assert httpx.get(f"{toxiproxy_url}/proxies/{stack.proxy_name}").status_code == 200
    stack.close()
    assert httpx.get(f"{toxiproxy_url}/proxies/{stack.proxy_name}").status_code == 404
    assert not stack.redis.running
    assert not stack.auth.running
