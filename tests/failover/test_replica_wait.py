"""A logout waits for the replicas the topology knows, not for those connected right now:
with the replica paused and its link cut (what happens just before a primary dies), every
logout answers 503 + Retry-After, through Sentinel and on a plain primary that has had a
replica. The control: ``--replica-wait auto`` (the older policy) answers 200 from the primary
alone within about a second, which is the write a failover then loses."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest

from chaos.failover.link import cut_link, link_address
from chaos.services import RedisServer
from chaos.services.readiness import wait_until
from fixtures.services import AuthFactory, RedisFactory, SentinelFactory
from tests.integration.auth_calls import login, logout, metric, verify

pytestmark = [pytest.mark.failover]

# longer than the 1 s the policies trust a topology answer: auto has re-read the count by then
REFUSED_FOR_S = 2.5
PACING_S = 0.02


def _logouts_until_acknowledged(base: str, seconds: float) -> list[httpx.Response]:
    """One token logged out again and again (a 503 leaves it live) for ``seconds``, stopping
    at the first 200."""
    token = login(base).access
    answers: list[httpx.Response] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        answers.append(logout(base, token))
        if answers[-1].status_code == 200:
            break
        time.sleep(PACING_S)  # pacing of the client's retries, not readiness
    return answers


@contextmanager
def _replica_cut_off(primary: RedisServer, replica: RedisServer) -> Iterator[None]:
    """The replica paused (SIGSTOP) and its link closed by the primary; resumed on exit."""
    address = link_address(replica)
    replica.pause()
    try:
        cut_link(primary, address)
        yield
    finally:
        replica.resume()


def _in_sync(primary: RedisServer) -> str | None:
    info = primary.client().info("replication")
    state = info.get("slave0", {}).get("state") if info.get("connected_slaves") else None
    return None if state == "online" else f"replica state {state}"


@pytest.mark.parametrize("policy", ["all", "auto"])
def test_sentinel_logouts_wait_for_the_replica_sentinel_knows(
    sentinel_factory: SentinelFactory, auth_factory: AuthFactory, policy: str
) -> None:
    group = sentinel_factory(replicas=1, sentinels=1)
    auth = auth_factory(
        None,
        workers=1,
        sentinels=group.sentinel_addrs,
        sentinel_service=group.service,
        extra_args=["--replica-wait", policy],
    )
    base = auth.worker_urls[0]
    assert logout(base, login(base).access).status_code == 200  # confirmed by the replica
    (replica,) = group.replicas()
    opened = metric(base, "auth_breaker_opened_total")
    with _replica_cut_off(group.primary(), replica):
        answers = _logouts_until_acknowledged(base, REFUSED_FOR_S)
        _reads_stay_enforced(base, opened)
    _judge(answers, policy)
    if policy == "all":
        wait_until(lambda: _in_sync(group.primary()), 20, "replica back", group.members)
        assert logout(base, login(base).access).status_code == 200  # available again, no restart


@pytest.mark.parametrize("policy", ["all", "auto"])
def test_a_primary_that_has_had_a_replica_keeps_waiting_for_it(
    redis_factory: RedisFactory, auth_factory: AuthFactory, policy: str
) -> None:
    primary = redis_factory()
    replica = redis_factory(replica_of=primary)
    wait_until(lambda: _in_sync(primary), 20, "replica in sync", [primary, replica])
    auth = auth_factory(primary.url, workers=1, extra_args=["--replica-wait", policy])
    base = auth.worker_urls[0]
    assert logout(base, login(base).access).status_code == 200  # the worker has seen the replica
    opened = metric(base, "auth_breaker_opened_total")
    with _replica_cut_off(primary, replica):
        answers = _logouts_until_acknowledged(base, REFUSED_FOR_S)
        _reads_stay_enforced(base, opened)
    _judge(answers, policy)


def _reads_stay_enforced(base: str, opened_before: float) -> None:
    """An unconfirmed write is no Redis failure: a WAIT answered late (Redis serves its
    timeout on a 100 ms tick) must not open the breaker and degrade the verifies."""
    assert metric(base, "auth_breaker_opened_total") == opened_before
    answer = verify(base, login(base).access)
    assert answer.status_code == 200, answer.text
    assert answer.headers["x-revocation-check"] == "enforced"


def _judge(answers: list[httpx.Response], policy: str) -> None:
    statuses = [a.status_code for a in answers]
    if policy == "auto":
        # negative control: the older policy acknowledges what no replica has
        assert statuses[-1] == 200, f"auto never acknowledged on the primary alone: {statuses}"
        return
    assert len(answers) >= 10, statuses
    assert set(statuses) == {503}, statuses
    assert all(a.json()["error"] == "revocation_unavailable" for a in answers)
    assert all(int(a.headers["retry-after"]) >= 1 for a in answers)
