"""Failover faults: each one breaks a topology and, on heal, waits for it to settle.

A heal never undoes a failover: it waits for the promotion, then brings the lost member
back (it rejoins as a replica). ``inject`` and ``heal`` remember what they touched.
"""

from __future__ import annotations

import time

from chaos.failover.link import cut_link, link_address
from chaos.failover.topology import ClusterTopology, SentinelTopology
from chaos.faults.base import REDIS_LOSS, Settling
from chaos.services import RedisServer, SentinelServer, ServiceError

__all__ = [
    "CUT_LEAD_S",
    "ClusterLinkCutKill",
    "ClusterPrimaryKill",
    "ManualFailover",
    "RedisRestart",
    "ReplicaKill",
    "SentinelLinkCutKill",
    "SentinelMinorityKill",
    "SentinelPrimaryKill",
    "SentinelPrimaryPause",
    "Settling",
]

FAILOVER_DEADLINE_S = 30.0  # a failover with down-after 1 s takes 2-4 s here
# from the link cut to the primary's kill: longer than the 1 s the auto policy trusts its
# INFO replication, so under it every worker has acknowledged writes on the primary alone
CUT_LEAD_S = 1.5
REPLICA_LOSS = "replica_loss"  # writes lose a replica; reads are untouched
SENTINEL_LOSS = "sentinel_loss"  # discovery loses a sentinel
# the primary moves: no answers until a replica is promoted, then answers again (within
# the window, so no redis_loss: that would say Redis cannot answer until the heal)
FAILOVER = "failover"


class _SentinelPromotion:
    """A fault on the sentinel group's primary that ends in a promotion: the primary is
    asked at construction (inject only acts), ``wait_settled`` waits for the failover."""

    def __init__(self, topology: SentinelTopology) -> None:
        self.group = topology.group
        self.target = self.group.primary()  # asked now: inject only acts on it
        self._old: RedisServer | None = None

    def wait_settled(self) -> None:
        if self._old is not None:
            self.group.wait_for_failover(self._old, FAILOVER_DEADLINE_S)


class SentinelPrimaryKill(_SentinelPromotion):
    """kill -9 of the primary; heal: wait for the promotion, restart the old primary."""

    name = "sentinel_primary_kill9"
    effects = frozenset({FAILOVER})

    def inject(self) -> None:
        self._old = self.target
        self._old.kill()

    def heal(self) -> None:
        old, self._old = self._old, None
        if old is not None:
            # back as a lone empty primary until sentinel turns it into a replica; the drill
            # waits for the group to agree again only before it reads the keys
            old.start()


class SentinelPrimaryPause(_SentinelPromotion):
    """SIGSTOP of the primary (hung, not dead); heal: wait for the promotion, SIGCONT."""

    name = "sentinel_primary_sigstop"
    effects = frozenset({FAILOVER})

    def inject(self) -> None:
        self._old = self.target
        self._old.pause()

    def heal(self) -> None:
        old, self._old = self._old, None
        if old is not None:
            old.resume()


class LinkCutKill:
    """The replica paused (SIGSTOP) and its link cut on the primary (``CLIENT KILL``);
    ``lead_s`` later the primary is killed (kill -9) and the replica resumed, to be promoted.
    Remembers what it touched: ``undo`` resumes a replica left paused by a failed ``run``
    and hands back the killed primary (to restart)."""

    def __init__(self, primary: RedisServer, replica: RedisServer, lead_s: float) -> None:
        self.primary = primary
        self.replica = replica
        self.lead_s = lead_s
        self._paused: RedisServer | None = None
        self._killed: RedisServer | None = None

    def run(self) -> None:
        address = link_address(self.replica)  # asked while the replica still answers
        self._paused = self.replica
        self.replica.pause()
        cut_link(self.primary, address)
        time.sleep(self.lead_s)  # the fault's shape: writes meet a primary without its replica
        self._killed = self.primary
        self.primary.kill()
        self.replica.resume()
        self._paused = None

    def undo(self) -> RedisServer | None:
        paused, self._paused = self._paused, None
        if paused is not None:
            paused.resume()
        killed, self._killed = self._killed, None
        return killed


class SentinelLinkCutKill(SentinelPrimaryKill):
    """The replica Sentinel will promote is paused and cut off, the primary killed
    ``CUT_LEAD_S`` later, the replica resumed; heal: wait for the promotion, restart the old
    primary (it rejoins as a replica)."""

    name = "sentinel_replica_cut_primary_kill9"

    def __init__(self, topology: SentinelTopology, lead_s: float = CUT_LEAD_S) -> None:
        super().__init__(topology)
        self.cut = LinkCutKill(self.target, topology.preferred_replica, lead_s)

    def inject(self) -> None:
        self._old = self.target  # wait_settled waits for its successor
        self.cut.run()

    def wait_settled(self) -> None:
        """Wait for the promotion, and check it promoted the replica that was cut off (the
        drill's premise: with two replicas, the other one holds what WAIT 1 confirmed)."""
        if self._old is None:
            return
        promoted = self.group.wait_for_failover(self._old, FAILOVER_DEADLINE_S)
        if promoted is not self.cut.replica:
            raise ServiceError(
                f"Sentinel promoted {promoted.name}, not the replica cut off "
                f"({self.cut.replica.name}): check its replica-priority"
            )

    def heal(self) -> None:
        if self.cut.undo() is None:
            self._old = None  # the kill never happened: nothing to restart
        super().heal()


class ReplicaKill:
    """kill -9 of one replica; heal: restart it (it re-syncs from the primary)."""

    name = "sentinel_replica_kill9"
    effects = frozenset({REPLICA_LOSS})

    def __init__(self, topology: SentinelTopology) -> None:
        self.group = topology.group
        self.target = self.group.replicas()[0]  # asked now: inject only kills
        self._lost: RedisServer | None = None

    def inject(self) -> None:
        self._lost = self.target
        self._lost.kill()

    def heal(self) -> None:
        lost, self._lost = self._lost, None
        if lost is not None:
            lost.start()
            self.group.wait_ready(FAILOVER_DEADLINE_S)


class SentinelMinorityKill:
    """kill -9 of a minority of the sentinels (1 of 3): no failover may follow."""

    name = "sentinel_minority_kill9"
    effects = frozenset({SENTINEL_LOSS})

    def __init__(self, topology: SentinelTopology) -> None:
        self.group = topology.group
        self._lost: list[SentinelServer] = []

    def inject(self) -> None:
        minority = (len(self.group.sentinels) - 1) // 2
        for sentinel in self.group.sentinels[:minority]:
            self._lost.append(sentinel)
            sentinel.kill()

    def heal(self) -> None:
        lost, self._lost = self._lost, []
        for sentinel in lost:
            sentinel.start()
        if lost:
            self.group.wait_ready(FAILOVER_DEADLINE_S)


class ManualFailover(_SentinelPromotion):
    """``SENTINEL FAILOVER``: the primary moves while it is still alive (a planned switch)."""

    name = "sentinel_manual_failover"
    effects = frozenset({FAILOVER})

    def inject(self) -> None:
        self._old = self.target
        self.group.sentinels[0].command_reply("SENTINEL", "FAILOVER", self.group.service)

    def heal(self) -> None:
        self._old = None  # nothing to undo: the old primary follows the new one


class ClusterPrimaryKill:
    """kill -9 of one shard's primary; heal: wait for its replica's promotion, restart it."""

    name = "cluster_shard_primary_kill9"
    effects = frozenset({FAILOVER})

    def __init__(self, topology: ClusterTopology) -> None:
        self.topology = topology
        self.target = topology.primaries()[0]  # asked now: inject only kills
        self._old: RedisServer | None = None

    def inject(self) -> None:
        self._old = self.target
        self._old.kill()

    def wait_settled(self) -> None:
        if self._old is not None:
            self.topology.wait_settled(FAILOVER_DEADLINE_S)  # the replica took the shard over

    def heal(self) -> None:
        old, self._old = self._old, None
        if old is not None:
            old.start()  # nodes.conf keeps its identity: it rejoins as a replica


class ClusterLinkCutKill(ClusterPrimaryKill):
    """One shard's replica paused and cut off, its primary killed ``CUT_LEAD_S`` later, the
    replica resumed to take the shard over; heal: restart the old primary."""

    name = "cluster_replica_cut_primary_kill9"

    def __init__(self, topology: ClusterTopology, lead_s: float = CUT_LEAD_S) -> None:
        super().__init__(topology)
        self.cut = LinkCutKill(self.target, topology.replica_of(self.target), lead_s)

    def inject(self) -> None:
        self._old = self.target
        self.cut.run()

    def heal(self) -> None:
        if self.cut.undo() is None:
            self._old = None
        super().heal()


class RedisRestart:
    """kill -9 of a single Redis; heal: restart it on the same port and data directory."""

    name = "redis_kill9_restart"
    effects = frozenset({REDIS_LOSS})

    def __init__(self, server: RedisServer) -> None:
        self.server = server
        self._killed = False

    def inject(self) -> None:
        self._killed = True
        self.server.kill()

    def heal(self) -> None:
        if self._killed:
            self._killed = False
            self.server.start()  # replays the AOF (if any) before it answers
