"""A worker accepts every connection waiting in the kernel's queue in one go (acceptor.py).

The mechanism, not its timing: the worker is SIGSTOPped, CONNECTIONS clients connect (the
kernel completes their handshakes into the listening socket's accept queue) and send a
request, the worker is SIGCONTed. Its first readiness then finds them all waiting, and
``auth_accept_batch_max`` records how many one readiness took. Negative control:
``--accept-batch 1`` is libuv's own behaviour (one accept per loop iteration, uvloop >= 0.23):
the same scenario then records 1, and every client is still answered (just later under load).

Balance: a worker whose loop is on time takes only ``--accept-fair`` connections a readiness,
so a burst of connections (wrk opening its 64) is shared between the workers instead of landing
on whichever woke first. The stalled worker above is late, so it still takes its whole batch.
"""

from __future__ import annotations

import os
import re
import resource
import select
import signal
import socket
import time
from functools import partial
from urllib.parse import urlsplit

import httpx
import pytest

from benchmarks.wrk import Expectation, WrkRun, run_wrk
from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import serving, wait_for

pytestmark = pytest.mark.integration

CHEAP_HASH = ["--hash-cost", "1024"]
CONNECTIONS = 50
ANSWER_BOUND_S = 30.0  # generous: only a bound on a hang, the box is shared and busy
REQUEST = b"GET /health HTTP/1.1\r\nHost: accept-test\r\nConnection: close\r\n\r\n"
KEEP_ALIVE_REQUEST = b"GET /health HTTP/1.1\r\nHost: accept-test\r\n\r\n"
HEALTH_BODY = b'{"status":"ok"}'
FD_CLIENTS = 10  # well past the 2 spare descriptors the worker is left with
STALL_S = 0.3  # the stopped worker's loop is this late: over acceptor's "behind" (50 ms)
BURSTS = 5
MIN_SHARE = 0.2  # each of 2 workers; greedy accept gave one worker 100% in 2 runs of 12


def batch_max(url: str, worker_id: str) -> int:
    text = httpx.get(f"{url}/metrics", timeout=5.0).text
    found = re.search(rf'^auth_accept_batch_max{{worker="{worker_id}"}} (\S+)$', text, re.M)
    assert found, f"no auth_accept_batch_max for {worker_id} in:\n{text[-2000:]}"
    return int(float(found.group(1)))


def read_answer(sock: socket.socket, deadline: float) -> bytes:
    """Everything the server sends until it closes (Connection: close), bounded."""
    seen = b""
    while (left := deadline - time.monotonic()) > 0:
        if select.select([sock], [], [], left)[0]:
            chunk = sock.recv(65536)
            if not chunk:
                return seen
            seen += chunk
    raise AssertionError(f"no complete answer within {ANSWER_BOUND_S} s; got {seen[:200]!r}")


def queued_then_resumed(url: str, pid: int) -> list[bytes]:
    """CONNECTIONS requests sent while the worker is stopped; their answers after SIGCONT."""
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    clients: list[socket.socket] = []
    os.kill(pid, signal.SIGSTOP)
    try:
        for _ in range(CONNECTIONS):
            client = socket.create_connection(address, timeout=5.0)  # the kernel completes it
            clients.append(client)
            client.sendall(REQUEST)
        time.sleep(STALL_S)  # the fault's length (a stalled loop), not a wait for readiness
    finally:
        os.kill(pid, signal.SIGCONT)
    try:
        deadline = time.monotonic() + ANSWER_BOUND_S
        return [read_answer(client, deadline) for client in clients]
    finally:
        for client in clients:
            client.close()


@pytest.mark.parametrize("port_per_worker", [True, False], ids=["port-per-worker", "shared"])
def test_one_readiness_accepts_every_waiting_connection(
    redis_factory: RedisFactory, auth_factory: AuthFactory, port_per_worker: bool
) -> None:
    auth = auth_factory(
        redis_factory().url, workers=1, port_per_worker=port_per_worker, extra_args=CHEAP_HASH
    )
    url = auth.worker_urls[0]
    worker_id, pid = serving(url)
    answers = queued_then_resumed(url, pid)
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert f"x-worker-id: {worker_id}".encode() in answer.lower(), answer[:300]
    assert batch_max(url, worker_id) == CONNECTIONS


def test_negative_control_one_accept_per_readiness_records_one(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(
        redis_factory().url, workers=1, extra_args=[*CHEAP_HASH, "--accept-batch", "1"]
    )
    url = auth.worker_urls[0]
    worker_id, pid = serving(url)
    answers = queued_then_resumed(url, pid)
    assert all(answer.startswith(b"HTTP/1.1 200") for answer in answers)
    assert batch_max(url, worker_id) == 1


def read_health(sock: socket.socket, deadline: float) -> bytes:
    """One keep-alive /health answer (its body ends the message), bounded."""
    seen = b""
    while HEALTH_BODY not in seen and (left := deadline - time.monotonic()) > 0:
        if select.select([sock], [], [], left)[0]:
            chunk = sock.recv(65536)
            if not chunk:
                break
            seen += chunk
    return seen


def test_out_of_descriptors_pauses_accepting_and_loses_no_connection(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    """The worker's descriptor limit is lowered (prlimit) to a few above what it holds: the
    acceptor hits EMFILE, logs it and pauses instead of crashing or dropping the connections
    (libuv's own answer to EMFILE accepts and closes them); once the limit is restored every
    queued client is answered by the same worker."""
    auth = auth_factory(redis_factory().url, workers=1, extra_args=CHEAP_HASH)
    url = auth.worker_urls[0]
    worker_id, pid = serving(url)
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    limit = resource.prlimit(pid, resource.RLIMIT_NOFILE)
    held = len(os.listdir(f"/proc/{pid}/fd"))
    clients: list[socket.socket] = []
    try:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, (held + 2, limit[1]))
        for _ in range(FD_CLIENTS):
            client = socket.create_connection(address, timeout=5.0)
            clients.append(client)
            client.sendall(KEEP_ALIVE_REQUEST)
        deadline = time.monotonic() + ANSWER_BOUND_S
        while "accept failed" not in auth.log_tail(200):
            assert time.monotonic() < deadline, f"no EMFILE logged:\n{auth.log_tail(40)}"
            time.sleep(0.05)  # polling the log with a deadline
        os.kill(pid, 0)  # still alive
    finally:
        resource.prlimit(pid, resource.RLIMIT_NOFILE, limit)
    try:
        deadline = time.monotonic() + ANSWER_BOUND_S
        answers = [read_health(client, deadline) for client in clients]
    finally:
        for client in clients:
            client.close()
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 200"), (answer[:200], auth.log_tail(40))
        assert f"x-worker-id: {worker_id}".encode() in answer.lower(), answer[:300]


def health_per_worker(url: str) -> dict[str, float]:
    text = httpx.get(f"{url}/metrics", timeout=5.0).text
    pattern = r'^auth_requests_total\{route="/health",status="200",worker="([^"]+)"\} (\S+)$'
    return {worker: float(value) for worker, value in re.findall(pattern, text, re.M)}


@pytest.mark.alone  # a worker the box does not schedule during a burst cannot accept
def test_a_burst_of_connections_is_shared_between_the_workers(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(
        redis_factory().url, workers=2, port_per_worker=False, extra_args=CHEAP_HASH
    )
    run = WrkRun(connections=64, threads=2, duration_s=1, timeout_s=5)
    # both workers serving (each answered on a fresh connection) before the first burst
    wait_for(
        "both workers answering /health",
        partial(_both_answer, auth.base_url, set()),
        timeout=10,
    )
    shares = []
    for _ in range(BURSTS):  # each wrk run opens its 64 connections at once
        before = health_per_worker(auth.base_url)
        done = run_wrk(auth.base_url, run, Expectation("GET", "/health"))
        assert done.unexpected == 0, done
        assert done.socket_errors == 0, done
        gained = wait_for(
            "every answer counted in /metrics (the other worker flushes within 0.2 s)",
            partial(counted_since, auth.base_url, before, done.requests),
            timeout=10,
        )
        assert isinstance(gained, dict), gained
        assert len(gained) == 2, gained
        total = sum(gained.values())
        shares.append(sorted(round(n / total, 2) for n in gained.values()))
    assert all(low >= MIN_SHARE for low, _ in shares), f"per-run shares {shares}"


def _both_answer(url: str, seen: set[str]) -> bool | None:
    """One /health on a fresh connection; true once two workers have answered."""
    answer = httpx.get(f"{url}/health", timeout=5.0, headers={"Connection": "close"})
    seen.add(answer.headers.get("x-worker-id", ""))
    return True if len(seen - {""}) >= 2 else None


def counted_since(url: str, before: dict[str, float], answered: int) -> dict[str, float] | None:
    """Per-worker /health answers since ``before``, once they add up to ``answered``."""
    after = health_per_worker(url)
    gained = {worker: after[worker] - before.get(worker, 0.0) for worker in after}
    return gained if sum(gained.values()) >= answered else None
