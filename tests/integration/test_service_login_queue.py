"""A login flood beyond the per-worker queue of password checks is shed at once (429
`login_overloaded` + Retry-After) instead of queueing without bound; the worker stays healthy
and logs in again once the flood is over. While that queue is full, a login is shed at its
header, by the admission, before its body is read; the hashing threads run at a lower CPU
priority than the event loop."""

from __future__ import annotations

import asyncio
import json
import select
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import login, metric, serving, wait_for

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


# --- a full queue sheds at the header; hashing yields the CPU to the loop -------------------

HASH_NICENESS = 10  # users.HASH_NICENESS
SCHED_IDLE = 5  # Linux's scheduling policy of the hashing threads (users.HASH_POLICY)
POOLED_COST = "1024"  # 1 MiB of scrypt memory: checked in the pool, in about a millisecond
SLOW_COST = "65536"  # 64 MiB: a check that lasts tens of milliseconds, longer on a busy box
FULL_BOUND_S = 30.0


def priority_by_thread(pid: int) -> dict[int, tuple[int, int]]:
    """Thread id -> (niceness, scheduling policy), fields 19 and 41 of /proc/PID/task/TID/stat,
    for every thread of pid."""
    seen = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        fields = (task / "stat").read_text().rpartition(")")[2].split()
        seen[int(task.name)] = (int(fields[16]), int(fields[38]))
    return seen


def test_the_password_checks_run_at_a_lower_cpu_priority_than_the_event_loop(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=1, extra_args=["--hash-cost", POOLED_COST])
    url = auth.worker_urls[0]
    login(url)  # the pool starts its first thread for this check
    _, pid = serving(url)
    threads = priority_by_thread(pid)
    loop = threads.pop(pid)  # the main thread runs the event loop
    print(f"\nworker {pid}: loop (niceness, policy) {loop}, other threads {threads}")
    assert (max(loop[0], HASH_NICENESS), SCHED_IDLE) in threads.values(), (loop, threads)
    assert loop[0] < HASH_NICENESS, "the event loop's niceness must not be lowered"
    assert loop[1] != SCHED_IDLE, "the event loop's policy must not be lowered"


def send_login(address: tuple[str, int]) -> socket.socket:
    """A login sent whole on a connection of its own; its answer is read later."""
    body = json.dumps({"username": "alice", "password": "alice-pw"}).encode()
    head = (
        b"POST /auth/login HTTP/1.1\r\nhost: auth\r\ncontent-type: application/json\r\n"
        b"content-length: %d\r\n\r\n" % len(body)
    )
    sock = socket.create_connection(address, timeout=10.0)
    sock.sendall(head + body)
    return sock


@pytest.mark.parametrize("admission", ["on", "off"])
def test_while_the_password_checks_are_full_a_login_is_shed_at_its_header(
    redis_factory: RedisFactory, auth_factory: AuthFactory, admission: str
) -> None:
    """One slow login takes the queue (--login-queue 1); the logins sent while it hashes are
    refused. With the admission on they are shed at their header (counted in
    auth_requests_shed_total, which only the admission counts); with it off (the control)
    the route refuses them after reading their body, and nothing is counted as shed."""
    extra = ["--login-queue", "1", "--hash-cost", SLOW_COST]
    if admission == "off":
        extra += ["--max-in-flight", "0"]
    auth = auth_factory(redis_factory().url, workers=1, extra_args=extra)
    url = auth.worker_urls[0]
    parts = urlsplit(url)
    slow = send_login((parts.hostname or "127.0.0.1", parts.port or 80))
    statuses: list[int] = []
    try:
        deadline = time.monotonic() + FULL_BOUND_S
        with httpx.Client(base_url=url, timeout=10) as client:
            while not select.select([slow], [], [], 0)[0]:  # until the slow login is answered
                assert time.monotonic() < deadline, "the slow login was not answered in time"
                answer = client.post(
                    "/auth/login", json={"username": "alice", "password": "alice-pw"}
                )
                statuses.append(answer.status_code)
                if answer.status_code == 429:
                    assert answer.json()["error"] == "login_overloaded", answer.text
                    assert int(answer.headers["Retry-After"]) >= 1
        first_line = slow.recv(65536).split(b"\r\n", 1)[0]
    finally:
        slow.close()
    refused = statuses.count(429)
    during = ", ".join(f"{statuses.count(code)} x {code}" for code in sorted(set(statuses)))
    print(f"\nadmission {admission}: slow login {first_line!r}; logins during it: {during}")
    assert first_line == b"HTTP/1.1 200 OK", first_line
    assert refused, f"no login was refused while the queue was full: {statuses}"
    wait_for(  # the shed are counted in the same flush as the requests
        "the refused logins to be counted",
        lambda: metric(url, "auth_requests_total", route="/auth/login", status="429") >= refused,
        timeout=10.0,
    )
    shed = metric(url, "auth_requests_shed_total", route="/auth/login")
    if admission == "on":
        assert shed >= 1, f"{refused} logins refused, none of them at its header"
    else:
        assert shed == 0, shed
