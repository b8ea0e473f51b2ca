"""SentinelGroup and RedisCluster as real processes."""

from __future__ import annotations

import pytest
import redis

from chaos.services import RedisServer, ServiceNotReady
from fixtures.services import ClusterFactory, SentinelFactory

pytestmark = pytest.mark.integration


def test_sentinel_group_fails_over_and_the_old_primary_rejoins(
    sentinel_factory: SentinelFactory,
) -> None:
    group = sentinel_factory(replicas=2, sentinels=3, down_after_ms=1000)
    old = group.primary()
    assert len(group.replicas()) == 2
    assert len(group.sentinel_addrs) == 3
    old.client().set("revoked:before", "1")
    old.command_reply("WAIT", 2, 2000)

    old.kill()
    new = group.wait_for_failover(old, deadline=60)
    assert new is not old
    assert new.client().get("revoked:before") == "1"
    assert old not in group.replicas() or not old.running

    old.restart()  # sentinel turns the returning primary into a replica of the new one
    group.wait_ready(timeout=90)
    assert group.primary() is new
    assert old.client().info("replication")["role"] == "slave"


def test_a_paused_sentinel_member_resumes(sentinel_factory: SentinelFactory) -> None:
    group = sentinel_factory(replicas=1, sentinels=3)
    replica = group.replicas()[0]
    replica.pause()
    with pytest.raises(redis.TimeoutError):
        replica.client(timeout=0.3).ping()
    sentinel = group.sentinels[0]
    sentinel.pause()
    sentinel.resume()
    replica.resume()
    group.wait_ready(timeout=60)
    assert replica.client().ping()


def test_sentinel_group_not_ready_carries_member_logs(
    sentinel_factory: SentinelFactory,
) -> None:
    group = sentinel_factory(replicas=1, sentinels=1, down_after_ms=60_000)
    replica = group.servers[1]
    replica.pause()  # a hung replica can never report in sync: readiness must time out
    with pytest.raises(ServiceNotReady) as caught:
        group.wait_ready(timeout=1.0)
    replica.resume()
    message = str(caught.value)
    assert f"last seen: {replica.name}: Timeout" in message
    assert "+monitor master mymaster" in message  # the sentinel's log tail


def test_cluster_starts_and_answers_cluster_info_ok(cluster_factory: ClusterFactory) -> None:
    cluster = cluster_factory(primaries=3, replicas_per_primary=1)
    assert len(cluster.nodes) == 6
    for node in cluster.nodes:
        assert "cluster_state:ok" in node.command_reply("CLUSTER", "INFO")
    roles = [node.command_reply("ROLE")[0] for node in cluster.nodes]
    assert sorted(roles) == ["master"] * 3 + ["slave"] * 3


def test_cluster_refuses_fewer_than_three_primaries(cluster_factory: ClusterFactory) -> None:
    with pytest.raises(ValueError, match="at least 3 primaries"):
        cluster_factory(primaries=2)


def test_cluster_node_is_a_redis_server(cluster_factory: ClusterFactory) -> None:
    cluster = cluster_factory(primaries=3, replicas_per_primary=0)
    node = cluster.nodes[0]
    assert isinstance(node, RedisServer)
    node.kill()
    node.restart()  # rejoins with its nodes.conf, same port
    assert node.client().ping()
