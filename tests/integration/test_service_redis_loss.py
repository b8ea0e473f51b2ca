"""Redis lost, hung or unsafe: fail-open within the bound, fail-closed, recovery, time budget."""

import asyncio
import time
from functools import partial

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import (
    bearer,
    login,
    logout,
    metric,
    refresh,
    verify,
    wait_for,
    worker_of,
)

pytestmark = pytest.mark.integration

BOUND_S = 4.0  # short for the test, long enough for a busy box to ask every worker
# per-attempt timeout x (1 + retries) + backoff + fence slack, the store's documented budget
REDIS_TIMEOUT_S = 0.1
BUDGET_S = REDIS_TIMEOUT_S * 2 + 0.01 + 0.05
CHEAP_HASH = ["--hash-cost", "1024"]  # logins inside the degraded window must be quick
HTTP_SLACK_S = 0.5  # loopback HTTP on a shared, busy 2-core box, on top of the budget


def knows_revocations(url: str, n: int) -> bool:
    stats = httpx.get(url + "/redis/stats", timeout=5).json()
    return bool(stats["local_synced"]) and int(stats["local_revocations"]) >= n


def answer_if(status: int, url: str, token: str) -> httpx.Response | None:
    answer = verify(url, token)
    return answer if answer.status_code == status else None


def enforced(url: str, token: str) -> bool:
    return str(verify(url, token).headers.get("x-revocation-check")) == "enforced"


def test_fail_open_within_the_bound_then_closed_then_enforced_again(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    redis = redis_factory(persistence="always")  # the documented setting: restart keeps data
    auth = auth_factory(
        redis.url,
        workers=2,
        extra_args=["--degraded-bound", str(BOUND_S), "--breaker-reset", "0.3", *CHEAP_HASH],
    )
    urls = auth.worker_urls
    revoked = login(urls[0])
    assert logout(urls[0], revoked.access).status_code == 200
    kept = login(urls[1])
    for url in urls:  # pub/sub reached every worker's local copy (jti and family)
        wait_for(f"{url} knows the revocation", partial(knows_revocations, url, 2), 10)
    for url in urls:  # the last good contact of each worker, just before the loss
        assert verify(url, kept.access).headers["x-revocation-check"] == "enforced"

    redis.stop()
    lost_at = time.monotonic()
    degraded = [verify(url, kept.access) for url in urls]  # first, well within the bound
    for url, answer in zip(urls, degraded, strict=True):
        assert answer.status_code == 200, answer.text
        assert answer.headers["x-revocation-check"] == "degraded"
        worker = "w{}-{}".format(*worker_of(answer))
        assert metric(url, "auth_revocation_degraded_total", worker=worker) >= 1
    for url in urls:
        refused = verify(url, revoked.access)
        assert refused.status_code == 401, refused.text  # known before the loss: still refused
        not_stored = logout(url, kept.access)
        assert not_stored.status_code == 503, not_stored.text
        assert int(not_stored.headers["retry-after"]) >= 1
        assert not_stored.json()["error"] == "revocation_unavailable"
        assert refresh(url, kept.refresh).status_code == 503  # the rotation cannot be recorded
        assert login(url).access  # logins need no Redis (the limit counts locally)

    for url in urls:
        closed = wait_for(
            f"{url} fails closed past the bound",
            partial(answer_if, 503, url, kept.access),
            BOUND_S + 5,
        )
        assert isinstance(closed, httpx.Response)
        assert int(closed.headers["retry-after"]) >= 1
    assert time.monotonic() - lost_at >= BOUND_S - 0.5  # not before the bound (last contact)

    redis.start()
    back_at = time.monotonic()
    for url in urls:
        wait_for(f"{url} enforced again", partial(enforced, url, kept.access), 10)
    assert time.monotonic() - back_at < 3.0  # about the breaker reset, no restart
    for url in urls:
        assert verify(url, revoked.access).status_code == 401


def test_fail_closed_answers_503_throughout_the_loss(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    redis = redis_factory()
    auth = auth_factory(redis.url, workers=2, failure_mode="closed")
    urls = auth.worker_urls
    kept = login(urls[0])
    assert verify(urls[1], kept.access).status_code == 200  # positive control
    redis.stop()
    statuses = []
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        for url in urls:
            answer = verify(url, kept.access)
            statuses.append(answer.status_code)
            if answer.status_code == 503:
                assert int(answer.headers["retry-after"]) >= 1
    assert set(statuses) == {503}, statuses
    assert logout(urls[0], kept.access).status_code == 503
    assert httpx.get(urls[0] + "/ready", timeout=5).status_code == 503
    assert httpx.get(urls[0] + "/redis/stats", timeout=5).status_code == 503
    redis.start()
    for url in urls:
        wait_for(f"{url} back", partial(answer_if, 200, url, kept.access), 10)


def test_a_hung_redis_costs_each_request_at_most_the_budget(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    redis = redis_factory()
    auth = auth_factory(redis.url, workers=2, extra_args=["--redis-timeout", str(REDIS_TIMEOUT_S)])
    urls = auth.worker_urls
    kept = login(urls[0])
    for url in urls:  # a good contact on each worker starts its degraded window
        assert verify(url, kept.access).status_code == 200
    redis.pause()
    try:
        seen: list[tuple[str, int, str, float]] = []
        for _ in range(5):
            for url in urls:
                started = time.monotonic()
                answer = verify(url, kept.access)
                check = answer.headers.get("x-revocation-check", "-")
                seen.append(("verify", answer.status_code, check, time.monotonic() - started))
            started = time.monotonic()
            answer = logout(urls[0], kept.access)
            seen.append(("logout", answer.status_code, "-", time.monotonic() - started))
        concurrent = asyncio.run(concurrent_verifies(urls, kept.access, 40))
        print(f"hung Redis: max sequential {max(s[3] for s in seen):.3f} s, "
              f"max of 40 concurrent {max(concurrent):.3f} s, budget {BUDGET_S:.3f} s")  # fmt: skip
        expected = {("verify", 200, "degraded"), ("logout", 503, "-")}
        assert {s[:3] for s in seen} <= expected, seen
        assert max(s[3] for s in seen) < BUDGET_S + HTTP_SLACK_S, seen
        assert max(concurrent) < BUDGET_S + 2 * HTTP_SLACK_S, concurrent
    finally:
        redis.resume()


async def concurrent_verifies(urls: list[str], token: str, n: int) -> list[float]:
    async with httpx.AsyncClient(timeout=5, headers=bearer(token)) as client:

        async def one(url: str) -> float:
            started = time.monotonic()
            answer = await client.get(url + "/auth/verify")
            assert answer.status_code == 200, answer.text
            return time.monotonic() - started

        return list(await asyncio.gather(*(one(urls[i % len(urls)]) for i in range(n))))


@pytest.mark.parametrize(("policy", "ready"), [("allkeys-lru", False), ("noeviction", True)])
def test_ready_refuses_an_evicting_redis(
    redis_factory: RedisFactory, auth_factory: AuthFactory, policy: str, ready: bool
) -> None:
    auth = auth_factory(redis_factory(maxmemory_policy=policy).url, workers=1)
    answer = httpx.get(auth.worker_urls[0] + "/ready", timeout=5)
    if ready:
        assert answer.status_code == 200, answer.text
    else:
        assert answer.status_code == 503
        assert answer.json()["error"] == "not_ready"
        assert "maxmemory-policy" in answer.json()["detail"]
        assert int(answer.headers["retry-after"]) >= 1
