"""ComposeStack: the compose file's Redis replication brought up and torn down from Python."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis

from chaos.docker_backend import STACK_LABEL, ComposeOptions, ComposeStack, redis_client

pytestmark = pytest.mark.docker


def test_replicas_profile_up_replicates_and_down_leaves_nothing(docker_engine: Any) -> None:
    stack = ComposeStack.up(
        ComposeOptions(
            profiles=("replicas",),
            services=("redis-primary", "redis-replica-1", "redis-replica-2"),
            ready_timeout=60,
        )
    )
    try:
        assert set(stack.handles) == {"redis-primary", "redis-replica-1", "redis-replica-2"}
        assert stack.urls is not None
        assert stack.urls.redis_direct is not None
        assert stack.urls.redis_direct.startswith("redis://127.0.0.1:")
        assert stack.urls.service is None
        assert stack.urls.toxiproxy_api is None
        primary = redis.Redis.from_url(stack.urls.redis_direct, socket_timeout=1.0)
        assert primary.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
        primary.set("revoked:j1", "1")
        replica = redis_client(stack.handles["redis-replica-2"], timeout=1.0)
        start = time.monotonic()
        while replica.get("revoked:j1") != b"1":
            assert time.monotonic() - start < 30, replica.info("replication")
            time.sleep(0.05)  # poll interval of a condition with a deadline
        stack.handles["redis-primary"].kill()
        assert stack.handles["redis-primary"].status() == "exited"
    finally:
        reaped = stack.down()
    assert reaped.containers == [], "compose down should have removed every container"
    selector = {"label": f"{STACK_LABEL}={stack.stack_id}"}
    assert docker_engine.containers.list(all=True, filters=selector) == []
    assert docker_engine.networks.list(filters=selector) == []
