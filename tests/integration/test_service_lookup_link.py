"""The pipelined lookup connection under load: no verify begun after a logout's 200 passes;
and a logout's write rides that connection once the topology says no replica must confirm it."""

import asyncio
import re
import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory, StackFactory
from tests.integration.auth_calls import bearer, login, logout, metric, verify, wait_for

pytestmark = pytest.mark.integration

CHEAP_HASH = ["--hash-cost", "1024"]
ROUNDS = 4
BURST = 60  # concurrent verifies: many share each MGET batch, several batches are pipelined


async def burst(urls: list[str], token: str) -> list[tuple[int, str]]:
    async with httpx.AsyncClient(timeout=5, headers=bearer(token)) as client:

        async def one(url: str) -> tuple[int, str]:
            answer = await client.get(url + "/auth/verify")
            return answer.status_code, answer.headers.get("x-revocation-check", "-")

        return list(await asyncio.gather(*(one(urls[i % len(urls)]) for i in range(BURST))))


async def logout_under_load(urls: list[str], token: str) -> list[tuple[float, float, int]]:
    """Verifies stream to the other worker while the first logs out; (start, ack, status)."""
    here, there = urls
    stop = asyncio.Event()
    ack: list[float] = []
    seen: list[tuple[float, float, int]] = []
    async with httpx.AsyncClient(timeout=5, limits=httpx.Limits(max_connections=100)) as client:

        async def stream() -> None:
            while not stop.is_set():
                started = time.monotonic()
                answer = await client.get(there + "/auth/verify", headers=bearer(token))
                seen.append((started, ack[0] if ack else float("inf"), answer.status_code))

        async def log_out() -> None:
            await asyncio.sleep(0.05)  # let the streams fill the batches first
            answer = await client.post(here + "/auth/logout", headers=bearer(token))
            assert answer.status_code == 200, answer.text
            ack.append(time.monotonic())
            await asyncio.sleep(0.2)  # keep verifying after the acknowledgement
            stop.set()

        await asyncio.gather(log_out(), *(stream() for _ in range(16)))
    return [(s, ack[0], status) for s, _, status in seen]


def test_no_verify_begun_after_a_logout_on_another_worker_is_accepted(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=2, extra_args=CHEAP_HASH)
    urls = auth.worker_urls
    for _ in range(ROUNDS):
        pair = login(urls[0])
        accepted = asyncio.run(
            burst(urls, pair.access)
        )  # positive control: the token is good everywhere
        assert set(accepted) == {(200, "enforced")}, accepted
        seen = asyncio.run(logout_under_load(urls, pair.access))
        after_ack = [status for started, ack, status in seen if started > ack]
        assert after_ack, "no verify began after the logout's acknowledgement"
        assert set(after_ack) == {401}, seen
        refused = asyncio.run(burst(urls, pair.access))
        assert {status for status, _ in refused} == {401}, refused
    # the lookup connection counts in pool_in_use while requests are on it, and only then
    wait_for(
        "pool_in_use back to 0",
        lambda: metric(urls[0], "auth_redis_pool_in_use") == 0,
        timeout=5,
    )


# a MONITOR line: +<time> [<db> <client address>] "<COMMAND>" ...
MONITORED = re.compile(r'^\+[\d.]+ \[\d+ (?P<client>[^\]]+)\] "(?P<command>[A-Za-z]+)"')
LOGOUTS = 3


def commands_by_client(redis_url: str, act: Callable[[], None]) -> list[tuple[str, str]]:
    """(client address, command) of every command Redis ran while ``act()`` ran (MONITOR)."""
    address = urlsplit(redis_url)
    with socket.create_connection((address.hostname, address.port), timeout=5) as monitor:
        monitor.sendall(b"MONITOR\r\n")
        stream = monitor.makefile("rb")
        assert stream.readline().strip() == b"+OK"
        act()
        monitor.settimeout(0.5)  # the act is over: read what Redis streamed until it goes quiet
        seen: list[tuple[str, str]] = []
        try:
            for raw in stream:
                found = MONITORED.match(raw.decode(errors="replace"))
                if found:
                    seen.append((found["client"], found["command"].upper()))
        except TimeoutError:
            pass
    return seen


def write_connections(
    redis_url: str, url: str, apart_s: float = 0.0
) -> tuple[set[str], set[str], list[tuple[str, str]]]:
    """(the clients that ran MGET, the clients that ran the logouts' EVAL, everything seen),
    after one logout has let the worker learn the replica count; ``apart_s``: the time between
    two logouts (the scenario's shape, not a wait for readiness)."""
    first = login(url)
    assert logout(url, first.access).status_code in (200, 503)  # the pool's write asks INFO
    pairs = [login(url) for _ in range(LOGOUTS)]

    def act() -> None:
        for pair in pairs:
            time.sleep(apart_s)
            assert verify(url, pair.access).status_code == 200
            logout(url, pair.access)  # 503 under --min-replicas 1 without a replica

    seen = commands_by_client(redis_url, act)
    lookups = {client for client, command in seen if command == "MGET"}
    writes = {client for client, command in seen if command == "EVAL"}
    assert lookups, f"no MGET seen: {seen}"
    assert writes, f"no EVAL seen: {seen}"
    return lookups, writes, seen


def test_a_logout_is_written_on_the_lookup_link_when_no_replica_must_confirm_it(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    """With the default flags and a Redis without replicas, the logouts after the first take
    the link (one EVAL between the MGETs) instead of a redis-py pool connection each."""
    redis_url = redis_factory().url
    auth = auth_factory(redis_url, workers=1, extra_args=CHEAP_HASH)
    lookups, writes, _ = write_connections(redis_url, auth.base_url)
    assert writes == lookups, f"logouts written from {writes}, lookups from {lookups}"


def test_logouts_past_the_replica_counts_age_stay_on_the_link_while_the_pool_asks_again(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    """The replica count is trusted for REPLICA_INFO_TTL_S (1 s). Logouts 1.2 s apart each find
    it past that age: each still rides the link, and the pool reads INFO again beside it,
    instead of every write waiting on a pool connection for its own INFO (under load the
    pool filled and those logouts answered 503 late)."""
    redis_url = redis_factory().url
    auth = auth_factory(redis_url, workers=1, extra_args=CHEAP_HASH)
    lookups, writes, seen = write_connections(redis_url, auth.base_url, apart_s=1.2)
    assert writes == lookups, f"logouts written from {writes}, lookups from {lookups}"
    pair = login(auth.base_url)
    assert logout(auth.base_url, pair.access).status_code == 200  # stored, acknowledged
    asked = {client for client, command in seen if command == "INFO"}
    assert asked, f"the replica count was never asked again: {seen}"
    assert not asked & lookups, f"INFO asked on the lookup link: {seen}"


def test_negative_control_a_write_that_must_wait_for_a_replica_keeps_the_pool(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    """--min-replicas 1: every write needs WAIT, so it goes on a pool connection; the same
    check sees its EVALs come from another client than the MGETs."""
    redis_url = redis_factory().url
    auth = auth_factory(redis_url, workers=1, extra_args=[*CHEAP_HASH, "--min-replicas", "1"])
    lookups, writes, _ = write_connections(redis_url, auth.base_url)
    assert not writes & lookups, f"logouts written from {writes}, lookups from {lookups}"


def test_a_write_slower_than_a_lookup_still_rides_the_link_and_is_acknowledged(
    stack_factory: StackFactory,
) -> None:
    """A write's reply may wait for its fsync (appendfsync always on a slow disk): on the link
    it gets the write connections' read timeout, not the lookups' 0.1 s. With every reply
    150 ms late, a logout on the link is still stored and acknowledged (it answered 503 when
    the link timed the write out like a lookup, and the breaker opened on a healthy Redis)."""
    stack = stack_factory(workers=1, extra_args=CHEAP_HASH)
    url = stack.auth.base_url
    first = login(url)
    assert logout(url, first.access).status_code == 200  # the pool's write learns the count
    pair = login(url)

    def act() -> None:
        assert verify(url, pair.access).status_code == 200  # an MGET: the link's address
        stack.proxy.add_toxic("latency", attributes={"latency": 150})
        answer = logout(url, pair.access)
        assert answer.status_code == 200, answer.text

    seen = commands_by_client(stack.redis.url, act)
    lookups = {client for client, command in seen if command == "MGET"}
    writes = [client for client, command in seen if command == "EVAL"]
    assert len(writes) == 1, f"the logout was written {len(writes)} times: {seen}"
    assert set(writes) == lookups, f"the logout was not written on the link: {seen}"
    assert metric(url, "auth_breaker_opened_total") == 0
