"""The compose file's sentinel profile: three sentinels see the primary and fail over."""

from __future__ import annotations

import time
from typing import Any

import pytest
import redis

from chaos.docker_backend import ComposeOptions, ComposeStack, redis_client

pytestmark = [pytest.mark.docker, pytest.mark.slow]

SERVICES = ("redis-primary", "redis-replica-1", "redis-replica-2")
SENTINELS = ("sentinel-1", "sentinel-2", "sentinel-3")


def primary_seen_by(sentinel: redis.Redis) -> str | None:
    try:
        address = sentinel.sentinel_get_master_addr_by_name("auth-primary")
    except redis.RedisError:
        return None
    if not isinstance(address, tuple):
        return None
    host = address[0]
    return host.decode() if isinstance(host, bytes) else str(host)


def known(reply: object) -> int:
    """How many replicas or peers a SENTINEL listing reply names."""
    assert isinstance(reply, list), reply
    return len(reply)


def test_sentinels_promote_a_replica_when_the_primary_hangs(docker_engine: Any) -> None:
    stack = ComposeStack.up(
        ComposeOptions(profiles=("replicas", "sentinel"), services=SERVICES + SENTINELS)
    )
    try:
        sentinel = redis_client(stack.handles["sentinel-1"], timeout=1.0, port=26379)
        assert primary_seen_by(sentinel) == "redis-primary"
        start = time.monotonic()
        # a failover needs the replicas and a quorum of peers, learnt through the primary
        while (
            known(sentinel.sentinel_slaves("auth-primary")) < 2
            or known(sentinel.sentinel_sentinels("auth-primary")) < 2
        ):
            assert time.monotonic() - start < 30, "sentinels never saw both replicas and peers"
            time.sleep(0.1)  # poll interval of a condition with a deadline
        stack.handles["redis-primary"].pause()
        paused = time.monotonic()
        seen = primary_seen_by(sentinel)
        while seen in (None, "redis-primary"):
            assert time.monotonic() - paused < 60, stack.log_tails(20)
            time.sleep(0.1)  # poll interval of a condition with a deadline
            seen = primary_seen_by(sentinel)
        print(f"\nsentinel failover: {seen} promoted {time.monotonic() - paused:.1f} s after pause")
        assert seen in ("redis-replica-1", "redis-replica-2")
        promoted = redis_client(stack.handles[seen], timeout=1.0)
        assert promoted.info("replication")["role"] == "master"
    finally:
        stack.down()
