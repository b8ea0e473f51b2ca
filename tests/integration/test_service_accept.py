"""A worker accepts every connection waiting in the kernel's queue in one go (acceptor.py).

The mechanism, not its timing: the worker is SIGSTOPped, CONNECTIONS clients connect (the
kernel completes their handshakes into the listening socket's accept queue) and send a
request, the worker is SIGCONTed. Its first readiness then finds them all waiting, and
``auth_accept_batch_max`` records how many one readiness took. Negative control:
``--accept-batch 1`` is libuv's own behaviour (one accept per loop iteration, uvloop >= 0.23):
the same scenario then records 1, and every client is still answered (just later under load).
"""

from __future__ import annotations

import os
import re
import resource
import select
import signal
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import serving

pytestmark = pytest.mark.integration

CHEAP_HASH = ["--hash-cost", "1024"]
CONNECTIONS = 50
ANSWER_BOUND_S = 30.0  # generous: only a bound on a hang, the box is shared and busy
REQUEST = b"GET /health HTTP/1.1\r\nHost: accept-test\r\nConnection: close\r\n\r\n"
KEEP_ALIVE_REQUEST = b"GET /health HTTP/1.1\r\nHost: accept-test\r\n\r\n"
HEALTH_BODY = b'{"status":"ok"}'
FD_CLIENTS = 10  # well past the 2 spare descriptors the worker is left with


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
