"""The pipelined lookup connection under load: no verify begun after a logout's 200 passes."""

import asyncio
import time

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import bearer, login, metric, wait_for

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
