"""The failover scenarios by name: a topology, a fault, the service settings and what I8
must say (zero loss under the documented settings; loss caught for the negative control).

SCENARIOS["sentinel-primary-kill"].fault(topology)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chaos.failover.faults import (
    CUT_LEAD_S,
    ClusterLinkCutKill,
    ClusterPrimaryKill,
    ManualFailover,
    RedisRestart,
    ReplicaKill,
    SentinelLinkCutKill,
    SentinelMinorityKill,
    SentinelPrimaryKill,
    SentinelPrimaryPause,
)
from chaos.failover.topology import ClusterTopology, SentinelTopology, SingleTopology, Topology
from chaos.faults import Fault
from chaos.services.redis_server import Persistence
from chaos.workload import Mix

__all__ = ["LOGOUT_HEAVY", "LOGOUT_STORM", "SCENARIOS", "Scenario"]

# logout-heavy: every logout is followed by a verify on every worker (the I1 pattern)
LOGOUT_HEAVY = Mix(verify=2.0, logout=4.0, refresh=0.2, login=0.2, revisit=1.0)
LOGOUT_STORM = Mix(verify=0.5, logout=8.0, refresh=0.0, login=0.1, revisit=0.5)
# WAIT waits for the replicas' acks: 200 ms leaves room on a busy 2-core box
TIMEOUT_ARGS = ("--redis-timeout", "0.25", "--wait-timeout-ms", "200")
# Sentinel: every logout waits for every replica (WAIT 2 of 2). WAIT 1 lost revocations in
# a planned failover: acknowledged by the replica that was not promoted (docs/failover.md).
SENTINEL_ARGS = ("--min-replicas", "2", *TIMEOUT_ARGS)
# a Cluster shard has one replica
CLUSTER_ARGS = ("--min-replicas", "1", *TIMEOUT_ARGS)
# the service's default replica policy (--replica-wait all), and the older one it replaced
AUTO_ARGS = ("--replica-wait", "auto", *TIMEOUT_ARGS)
# the cut drills watch until logouts are acknowledged again: after a Sentinel failover that
# is when the old primary rejoins (Sentinel converts it 8 s after its restart, then a sync)
CUT_DURATION_S = 20.0
CLUSTER_CUT_DURATION_S = 12.0


@dataclass(frozen=True)
class Scenario:
    """One drill. ``expect_loss``: a negative control whose loss the I8 checker must catch."""

    name: str
    summary: str
    topology: Callable[[Path], Topology]
    fault: Callable[[Any], Fault]
    service_args: tuple[str, ...] = ()
    mix: Mix = field(default_factory=lambda: LOGOUT_HEAVY)
    clients: int = 8
    duration_s: float = 8.0  # the workload's deadline: covers the failover and a watch after
    fault_at_s: float = 2.0  # after the workload starts
    hold_s: float = 0.0  # the fault lasts this long (after the failover, if any) before its heal
    expect_loss: bool = False
    # False: drilled only from the command line (not deterministic, or a second control of
    # the same checker on another stack)
    in_suite: bool = True


def _single(persistence: Persistence) -> Callable[[Path], Topology]:
    return lambda workdir: SingleTopology(workdir, persistence)


def _sentinel(workdir: Path) -> Topology:
    return SentinelTopology(workdir)


def _sentinel_replicas(replicas: int) -> Callable[[Path], Topology]:
    """One or more replicas; the first is the one Sentinel promotes (replica-priority). AOF on
    every server: the old primary is restarted automatically, and without persistence it came
    back empty and a second failover promoted it (2 of 20 runs lost every revocation)."""
    return lambda workdir: SentinelTopology(
        workdir, replicas=replicas, prefer_first=True, persistence="everysec"
    )


def _restart(topology: SingleTopology) -> Fault:
    return RedisRestart(topology.server)


def _link_cut_drills() -> list[Scenario]:
    """The replica paused and its link cut just before the primary dies: under the default
    policy nothing unconfirmed is acknowledged; under ``--replica-wait auto`` (the older
    policy, the negative control) writes acknowledged by the primary alone are lost."""
    stacks: list[tuple[str, str, Callable[[Path], Topology], Callable[[Any], Fault], float]] = [
        ("sentinel-link-cut-kill", "Sentinel, 1 replica", _sentinel_replicas(1),
         SentinelLinkCutKill, CUT_DURATION_S),
        ("sentinel2-link-cut-kill", "Sentinel, 2 replicas (the cut one promoted)",
         _sentinel_replicas(2), SentinelLinkCutKill, CUT_DURATION_S),
        ("cluster-link-cut-kill", "Redis Cluster (3 primaries, 3 replicas), one shard",
         ClusterTopology, ClusterLinkCutKill, CLUSTER_CUT_DURATION_S),
    ]  # fmt: skip
    drills: list[Scenario] = []
    for index, (name, stack, topology, fault, duration) in enumerate(stacks):
        shape = f"replica paused, link cut, primary killed {CUT_LEAD_S:g} s later, replica promoted"
        drills.append(Scenario(name, f"{stack}: {shape}", topology, fault, TIMEOUT_ARGS,
                               duration_s=duration))  # fmt: skip
        # the suite runs the first stack's control (the checker is the same for all three);
        # the others from the command line (python -m chaos.failover --scenario NAME-auto)
        drills.append(Scenario(
            f"{name}-auto", f"NEGATIVE CONTROL: the same with --replica-wait auto ({stack})",
            topology, fault, AUTO_ARGS, duration_s=duration, expect_loss=True,
            in_suite=index == 0,
        ))  # fmt: skip
    return drills


_LIST = [
    Scenario(
        "sentinel-primary-kill",
        "Sentinel: the primary is killed (SIGKILL), a replica is promoted",
        _sentinel,
        SentinelPrimaryKill,
        SENTINEL_ARGS,
        duration_s=8.0,
    ),
    Scenario(
        "sentinel-primary-pause",
        "Sentinel: the primary hangs (SIGSTOP), a replica is promoted, the old one resumes",
        _sentinel,
        SentinelPrimaryPause,
        SENTINEL_ARGS,
        duration_s=8.0,
    ),
    Scenario(
        "sentinel-replica-kill",
        "Sentinel: one of two replicas is killed; WAIT 1 is still met by the other",
        _sentinel,
        ReplicaKill,
        SENTINEL_ARGS,
        hold_s=2.0,
    ),
    Scenario(
        "sentinel-minority-kill",
        "Sentinel: one of three sentinels is killed; no failover, discovery goes on",
        _sentinel,
        SentinelMinorityKill,
        SENTINEL_ARGS,
        hold_s=2.0,
    ),
    Scenario(
        "sentinel-failover-storm",
        "Sentinel: a failover (SENTINEL FAILOVER) in the middle of a logout storm",
        _sentinel,
        ManualFailover,
        SENTINEL_ARGS,
        duration_s=8.0,
        mix=LOGOUT_STORM,
        clients=12,
    ),
    Scenario(
        "sentinel-failover-storm-wait1",
        "DEMONSTRATION: the same storm with WAIT 1 of 2 replicas; may lose revocations",
        _sentinel,
        ManualFailover,
        ("--min-replicas", "1", *TIMEOUT_ARGS),
        duration_s=8.0,
        mix=LOGOUT_STORM,
        clients=12,
        expect_loss=True,
        in_suite=False,
    ),
    Scenario(
        "cluster-primary-kill",
        "Redis Cluster (3 primaries, 3 replicas): one shard's primary is killed",
        ClusterTopology,
        ClusterPrimaryKill,
        CLUSTER_ARGS,
        duration_s=9.0,
    ),
    Scenario(
        "restart-aof-always",
        "Single Redis, appendfsync always: kill -9 and restart",
        _single("always"),
        _restart,
        duration_s=5.0,
        hold_s=1.0,
    ),
    Scenario(
        "restart-aof-everysec",
        "Single Redis, appendfsync everysec: kill -9 and restart (may lose about 1 s)",
        _single("everysec"),
        _restart,
        duration_s=5.0,
        hold_s=1.0,
    ),
    Scenario(
        "restart-persistence-off",
        "NEGATIVE CONTROL: single Redis without persistence, kill -9 and restart",
        _single("off"),
        _restart,
        duration_s=5.0,
        hold_s=1.0,
        expect_loss=True,
    ),
    *_link_cut_drills(),
]
SCENARIOS: dict[str, Scenario] = {s.name: s for s in _LIST}
