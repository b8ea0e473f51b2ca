"""The auth workers in a container: enforced, degraded while Redis is partitioned, then healed."""

from __future__ import annotations

import os
import time
from typing import Any

import httpx
import pytest

from chaos.docker_backend import ComposeOptions, ComposeStack, NotReady, Partition

pytestmark = [pytest.mark.docker, pytest.mark.slow]

DEADLINE = 60.0


def verify_header(client: httpx.Client, token: str) -> str:
    """X-Revocation-Check of one verify, or the status when it is not a 200."""
    try:
        response = client.get("/auth/verify", headers={"Authorization": f"Bearer {token}"})
    except httpx.TimeoutException:
        return "timeout"
    if response.status_code != 200:
        return str(response.status_code)
    return response.headers["X-Revocation-Check"]


def steady_answer(
    client: httpx.Client, token: str, want: str, run: int = 10
) -> tuple[float, list[str]]:
    """Seconds until `run` verifies in a row answer `want`, and the answers seen on the way."""
    start = time.monotonic()
    seen: list[str] = []
    while time.monotonic() - start < DEADLINE:
        seen.append(verify_header(client, token))
        if seen[-run:] == [want] * run:
            return time.monotonic() - start, seen
        time.sleep(0.02)  # poll interval of a condition with a deadline
    raise AssertionError(f"no {want!r} verify within {DEADLINE} s; last answers {seen[-10:]}")


def test_partitioned_redis_degrades_then_heals_without_restart(docker_engine: Any) -> None:
    stack = ComposeStack.up(
        ComposeOptions(
            services=("redis-primary", "auth"),
            worker_redis_url="redis://redis-primary:6379/0",
            workers=2,
        )
    )
    try:
        assert stack.urls is not None
        assert stack.urls.service is not None
        # no keep-alive: every request is a new connection, so both workers answer
        no_reuse = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(base_url=stack.urls.service, timeout=5.0, limits=no_reuse) as client:
            login = client.post(
                "/auth/login", json={"username": "alice", "password": "alice-chaos-password"}
            )
            assert login.status_code == 200, login.text
            token = login.json()["access_token"]
            steady_answer(client, token, "enforced")
            workers_before = {client.get("/health").headers["X-Worker-Id"] for _ in range(40)}
            assert len(workers_before) == 2, workers_before

            partition = Partition(stack.handles["redis-primary"])
            partition.inject()
            try:
                detect_s, during = steady_answer(client, token, "degraded")
                # fail-open: while cut off, a verify is degraded or not yet decided, never 500
                assert "500" not in during
            finally:
                partition.heal()
            recover_s, _ = steady_answer(client, token, "enforced")
            workers_after = {client.get("/health").headers["X-Worker-Id"] for _ in range(40)}
        print(
            f"\nservice under a Redis partition: steady degraded after {detect_s:.2f} s, "
            f"steady enforced {recover_s:.2f} s after heal (10 verifies in a row)"
        )
        # no restart needed (I6): the same worker processes (slot and pid) answer after the heal
        assert workers_after == workers_before
    finally:
        stack.down()


def test_a_service_that_refuses_to_start_fails_fast_with_its_log(docker_engine: Any) -> None:
    start = time.monotonic()
    with pytest.raises(NotReady) as caught:
        ComposeStack.up(
            ComposeOptions(
                services=("redis-primary", "auth"),
                worker_redis_url="redis://redis-primary:6379/0",
                jwt_secret="too-short",
                ready_timeout=90,
            )
        )
    # the exited container ends the wait, not the 90 s deadline
    assert time.monotonic() - start < 60
    assert "container exited" in str(caught.value)
    assert "AUTH_JWT_SECRET" in caught.value.log_tail
    leftovers = docker_engine.containers.list(
        all=True, filters={"label": f"auth-chaos.owner={os.getpid()}"}
    )
    assert leftovers == []
