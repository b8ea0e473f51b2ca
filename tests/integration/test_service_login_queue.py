"""A login flood beyond the per-worker queue of password checks is shed at once (429
`login_overloaded` + Retry-After) instead of queueing without bound; the worker stays healthy
and logs in again once the flood is over."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import login

pytestmark = pytest.mark.integration

QUEUE = 2
FLOOD = 24  # concurrent logins against one worker: far more than QUEUE
# the default cost: tens of ms per hash, so the flood outruns the 2-thread pool
HASH_COST = "32768"
REFUSAL_BOUND_S = 5.0  # a refusal does no hashing; generous for a busy, shared 2-core box


async def flood(url: str) -> list[tuple[int, float, httpx.Response]]:
    async def one(client: httpx.AsyncClient) -> tuple[int, float, httpx.Response]:
        started = time.monotonic()
        answer = await client.post(
            "/auth/login", json={"username": "alice", "password": "alice-pw"}
        )
        return answer.status_code, time.monotonic() - started, answer

    limits = httpx.Limits(max_connections=FLOOD)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        return await asyncio.gather(*(one(client) for _ in range(FLOOD)))


def test_a_login_flood_beyond_the_queue_is_shed_quickly(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    redis = redis_factory()
    auth = auth_factory(
        redis.url,
        workers=1,
        extra_args=["--login-queue", str(QUEUE), "--hash-cost", HASH_COST],
    )
    url = auth.worker_urls[0]
    answers = asyncio.run(flood(url))
    statuses = sorted(status for status, _, _ in answers)
    assert set(statuses) <= {200, 429}, statuses
    shed = [(elapsed, answer) for status, elapsed, answer in answers if status == 429]
    print(f"\nlogin flood of {FLOOD} with --login-queue {QUEUE}: statuses {statuses}")
    assert shed, f"no login was shed: {statuses}"
    assert 200 in statuses, "the queue took no login at all"
    for elapsed, answer in shed:
        assert answer.json()["error"] == "login_overloaded", answer.text
        assert int(answer.headers["Retry-After"]) >= 1
        assert elapsed < REFUSAL_BOUND_S, f"a shed login took {elapsed:.2f} s"
    login(url)  # once the flood is over, the worker logs in again
