"""How many replicas a revocation waits for: the policy's arithmetic and the topology's
answer (`CLUSTER NODES`) read; the service-level behaviour is in tests/failover."""

from __future__ import annotations

import pytest
from redis.exceptions import RedisError

from system_under_test.revocation.replica_topology import cluster_replica_view
from system_under_test.revocation.replicas import REPLICA_INFO_TTL_S, ReplicaPolicy, ReplicaView
from system_under_test.revocation.settings import StoreSettings

URL = "redis://127.0.0.1:6379/0"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_fixed_count_needs_no_topology() -> None:
    policy = ReplicaPolicy(2, "all", Clock())
    assert policy.required() == 2
    assert policy.required("any primary") == 2


def test_all_waits_for_every_known_replica_and_never_for_none_once_replicated() -> None:
    clock = Clock()
    policy = ReplicaPolicy(None, "all", clock)
    assert policy.required("p") is None  # nothing known yet: ask the topology
    assert policy.observe(ReplicaView(known=2, replicated=True), "p") == 2
    assert policy.required("p") == 2
    # the shard's primary just promoted lists no replica yet: still one to wait for
    assert policy.observe(ReplicaView(known=0, replicated=True), "q") == 1
    # a primary that never had a replica: nothing to wait for
    assert policy.observe(ReplicaView(known=0, replicated=False), "r") == 0
    clock.now += REPLICA_INFO_TTL_S + 0.1
    assert policy.required("p") is None  # stale: ask again


def test_a_count_past_its_age_counts_only_within_the_grace_asked_for() -> None:
    clock = Clock()
    policy = ReplicaPolicy(None, "all", clock)
    assert policy.required("p", older_s=REPLICA_INFO_TTL_S) is None  # never read: no grace
    policy.observe(ReplicaView(known=0, replicated=False), "p")
    clock.now += REPLICA_INFO_TTL_S + 0.5
    assert policy.required("p") is None  # stale: the topology must be asked
    assert policy.required("p", older_s=REPLICA_INFO_TTL_S) == 0  # still counts, asked beside
    clock.now += REPLICA_INFO_TTL_S
    assert policy.required("p", older_s=REPLICA_INFO_TTL_S) is None  # past the grace too


def test_auto_trusts_the_connected_count() -> None:
    # the older policy, kept as the negative control: it stops waiting when the link drops
    policy = ReplicaPolicy(None, "auto", Clock())
    assert policy.observe(ReplicaView(known=3, replicated=False), "p") == 1
    assert policy.observe(ReplicaView(known=0, replicated=False), "p") == 0


def test_an_unreadable_topology_keeps_the_last_count_or_waits_for_one() -> None:
    clock = Clock()
    policy = ReplicaPolicy(None, "all", clock)
    assert policy.observe(None, "p") == 1  # never known: unconfirmed is not acknowledged
    policy.observe(ReplicaView(known=2, replicated=True), "p")
    clock.now += 5.0
    assert policy.observe(None, "p") == 2
    assert policy.required("p") == 2  # and not asked again for the TTL


def test_a_bad_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="replica wait mode 'sometimes'"):
        ReplicaPolicy(None, "sometimes", Clock())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="replica_wait"):
        StoreSettings(redis_url=URL, replica_wait="some")  # type: ignore[arg-type]


# CLUSTER NODES as a primary answers it after its shard failed over and came back: the old
# primary (a1) follows the promoted one (b2); c3 has a replica (d4); e5 is a failed node
NODES = """\
b2 127.0.0.1:7001@17001 myself,master - 0 0 7 connected 0-5460
a1 127.0.0.1:7000@17000 slave b2 0 1 7 connected
c3 127.0.0.1:7002@17002 master - 0 1 2 connected 5461-10922
d4 127.0.0.1:7003@17003 slave c3 0 1 2 connected
e5 127.0.0.1:7004@17004 master,fail - 0 1 3 disconnected
"""


def test_cluster_nodes_count_the_replicas_of_myself_only() -> None:
    assert cluster_replica_view(NODES) == ReplicaView(known=1, replicated=True)
    alone = NODES.replace("a1 127.0.0.1:7000@17000 slave b2", "a1 127.0.0.1:7000@17000 master -")
    assert cluster_replica_view(alone) == ReplicaView(known=0, replicated=True)
    unreplicated = "b2 127.0.0.1:7001@17001 myself,master - 0 0 1 connected 0-16383\n"
    assert cluster_replica_view(unreplicated) == ReplicaView(known=0, replicated=False)


def test_cluster_nodes_without_myself_is_an_error_not_zero() -> None:
    with pytest.raises(RedisError, match="myself"):
        cluster_replica_view(NODES.replace("myself,", ""))
