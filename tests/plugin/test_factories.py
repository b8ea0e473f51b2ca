"""Fixtures made by ``fixtures.factories`` start their service once per scope and close it."""

from __future__ import annotations

import pytest

from chaos.services import RedisServer, SentinelGroup
from fixtures import factories

pytestmark = pytest.mark.integration

durable_redis = factories.redis_proc(persistence="always", scope="module")
small_sentinels = factories.sentinel_group(replicas=1, sentinels=1, scope="module")


def test_redis_proc_fixture_uses_the_factory_arguments(durable_redis: RedisServer) -> None:
    assert durable_redis.client().config_get("appendfsync") == {"appendfsync": "always"}
    durable_redis.client().set("k", "v")


def test_redis_proc_fixture_is_shared_within_its_scope(durable_redis: RedisServer) -> None:
    assert durable_redis.client().get("k") in ("v", None)  # order-free under xdist
    assert durable_redis.running


def test_sentinel_group_fixture(small_sentinels: SentinelGroup) -> None:
    assert small_sentinels.primary() is small_sentinels.servers[0]
    assert [r.port for r in small_sentinels.replicas()] == [small_sentinels.servers[1].port]
