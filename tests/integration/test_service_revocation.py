"""Login, verify, logout and refresh across workers: a revocation holds on every worker at once."""

import json
import socket
from typing import Any

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import login, logout, refresh, verify, wait_for, worker_of

pytestmark = pytest.mark.integration

CHEAP_HASH = ["--hash-cost", "1024"]  # many logins; the hash format is the same at any cost


def test_a_logout_on_one_worker_is_refused_by_every_other_on_its_next_request(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    redis = redis_factory()
    auth = auth_factory(redis.url, workers=3, extra_args=CHEAP_HASH)
    urls = auth.worker_urls
    for round_ in range(12):
        here = urls[round_ % len(urls)]
        pair = login(here)
        for url in urls:  # positive control: the token is good everywhere first
            accepted = verify(url, pair.access)
            assert accepted.status_code == 200, accepted.text
            assert accepted.headers["x-revocation-check"] == "enforced"
        assert logout(here, pair.access).status_code == 200
        for url in urls:
            refused = verify(url, pair.access)
            assert refused.status_code == 401, (round_, url, refused.text)
            assert refused.json()["error"] == "token_revoked"
            assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'


def test_every_answer_names_its_worker(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=2)
    slots = set()
    for slot, url in enumerate(auth.worker_urls):
        for path in ("/health", "/nope", "/auth/verify", "/ready"):
            answer = httpx.get(url + path, timeout=5)
            assert worker_of(answer)[0] == slot, path
        slots.add(worker_of(httpx.post(url + "/auth/login", content=b"{", timeout=5)))
        assert worker_of(httpx.delete(url + "/health", timeout=5))[0] == slot
    assert len(slots) == 2


def test_refresh_rotates_and_a_reused_refresh_token_kills_the_family(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=2)
    first, second = auth.worker_urls
    pair = login(first)
    rotated = refresh(second, pair.refresh)
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()
    assert new["token_type"] == "bearer"
    assert verify(first, new["access_token"]).status_code == 200
    reused = refresh(first, pair.refresh)
    assert reused.status_code == 401
    assert reused.json()["error"] == "refresh_reused"
    # the whole family is revoked: the rotated pair is dead on both workers
    for url in (first, second):
        assert verify(url, new["access_token"]).status_code == 401
        assert refresh(url, new["refresh_token"]).status_code == 401


def test_logout_also_ends_the_session_refresh_token(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=2)
    first, second = auth.worker_urls
    pair = login(first)
    assert logout(first, pair.access).status_code == 200
    refused = refresh(second, pair.refresh)
    assert refused.status_code == 401
    assert refused.json()["error"] == "token_revoked"


def test_tokens_of_one_type_are_refused_as_the_other(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=1)
    url = auth.worker_urls[0]
    pair = login(url)
    assert verify(url, pair.refresh).json()["error"] == "wrong_token_type"
    assert refresh(url, pair.access).json()["error"] == "wrong_token_type"
    assert logout(url, pair.refresh).status_code == 401


def test_bad_credentials_and_the_failed_login_limit(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    # fixed windows start at multiples of the window since the epoch: with the default 60 s,
    # five attempts that straddle a minute were counted in two windows (401, 401 at the end,
    # seen in a fresh-clone run); a window of 10^6 s makes a straddle a one-in-a-million event
    limit_args = ["--login-limit", "3", "--login-window", "1000000"]
    auth = auth_factory(redis_factory().url, workers=2, extra_args=limit_args)
    urls = auth.worker_urls
    statuses = []
    for attempt in range(5):
        answer = httpx.post(
            urls[attempt % 2] + "/auth/login",
            json={"username": "bob", "password": "wrong"},
            timeout=5,
        )
        statuses.append(answer.status_code)
        if answer.status_code == 429:
            assert answer.json()["error"] == "too_many_attempts"
            assert int(answer.headers["retry-after"]) >= 1
    assert statuses[:3] == [401, 401, 401]
    assert statuses[3:] == [429, 429]  # counted across both workers through Redis
    assert login(urls[0], "alice", "alice-pw").access  # other users are not affected


def test_malformed_input_is_a_json_error_never_a_500(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=1)
    url = auth.worker_urls[0]
    cases: list[tuple[str, str, dict[str, Any], int]] = [
        ("POST", "/auth/login", {"content": b"not json"}, 422),
        ("POST", "/auth/login", {"json": {"username": "alice"}}, 422),
        ("POST", "/auth/login", {"json": {"username": "a", "password": "x" * 5000}}, 422),
        ("POST", "/auth/refresh", {"json": {"refresh_token": 5}}, 422),
        ("GET", "/auth/verify", {"headers": {"Authorization": "Bearer a.b.c"}}, 401),
        ("GET", "/auth/verify", {"headers": {"Authorization": "Basic eA=="}}, 401),
        ("GET", "/auth/verify", {"headers": {"Authorization": "Bearer " + "a" * 9000}}, 401),
        ("POST", "/auth/logout", {}, 401),
        ("PUT", "/auth/login", {}, 405),
        ("GET", "/nowhere", {}, 404),
    ]
    for method, path, kw, status in cases:
        answer = httpx.request(method, url + path, timeout=5, **kw)
        assert answer.status_code == status, (method, path, answer.text)
        assert isinstance(answer.json()["error"], str)
        assert "detail" in answer.json()


def test_ready_stats_and_metrics_answer(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=2)
    url = auth.worker_urls[0]
    assert httpx.get(url + "/ready", timeout=5).status_code == 200
    stats = httpx.get(url + "/redis/stats", timeout=5).json()
    assert {"clients", "revoked_keys", "pool_in_use", "breaker_state"} <= set(stats)
    login(auth.worker_urls[1])

    def slots_counted() -> set[str]:
        text = httpx.get(url + "/metrics", timeout=5).text
        workers = {line.split('worker="')[1].split('"')[0] for line in text.splitlines()
                   if line.startswith("auth_requests_total{")}  # fmt: skip
        return {w.split("-")[0] for w in workers}

    # every worker's series is visible from any worker: another worker's request counts reach
    # the files within FLUSH_S (docs/service.md "Metrics"), so poll, with a deadline
    wait_for("both workers' requests visible from w0", lambda: len(slots_counted()) == 2, 10)


def test_unparsable_http_is_a_json_400_that_names_the_worker(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=1)
    port = int(auth.worker_urls[0].rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(b"GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n")
        raw = b""
        while chunk := conn.recv(4096):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400"), raw
    assert b"x-worker-id: w0-" in head.lower(), raw
    assert json.loads(body)["error"] == "invalid_request"
