"""A flood beyond what one worker serves is shed at arrival: 503 `overloaded` (429 for a login)
with Retry-After, answered at once instead of after the work; the requests it admits are
served, /health answers throughout, nothing fails open and a revoked token stays refused.

Negative control: the same flood with the admission off (`--max-in-flight 0`) sheds nothing
at arrival, so the checks below can tell the two apart.
"""

from __future__ import annotations

import re
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import bearer, login, logout, metric, verify
from tests.integration.test_service_overload import flood

pytestmark = pytest.mark.integration

CONNECTIONS = 2000
FLOOD_S = 6
# a small limit and queue bound, so that this box's flood is far beyond them
ADMISSION = ["--max-in-flight", "8", "--max-queue-wait", "0.2"]
PROBE_EVERY_S = 0.05
# a shed does no work, but this 2-core box is shared with the flood's wrk and other suites
SHED_BOUND_S = 1.0


@dataclass
class Probes:
    """What the probes saw during the flood: (status, seconds, error code, Retry-After)."""

    verifies: list[tuple[int, float, str, str]] = field(default_factory=list)
    logins: list[tuple[int, float, str, str]] = field(default_factory=list)
    health: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def shed(self) -> list[tuple[int, float, str, str]]:
        shed_codes = ("overloaded", "login_overloaded")
        return [p for p in self.verifies + self.logins if p[2] in shed_codes]


def probe(url: str, token: str, stop: threading.Event, seen: Probes) -> None:
    """Fresh connections, one request each, until ``stop``: a verify, a login, /health."""
    while not stop.is_set():
        for kind in ("verify", "login", "health"):
            started = time.monotonic()
            try:
                if kind == "verify":
                    answer = httpx.get(url + "/auth/verify", headers=bearer(token), timeout=10)
                elif kind == "login":
                    body = {"username": "bob", "password": "bob-pw"}
                    answer = httpx.post(url + "/auth/login", json=body, timeout=10)
                else:
                    seen.health.append(httpx.get(url + "/health", timeout=10).status_code)
                    continue
            except httpx.HTTPError as exc:
                seen.failures.append(f"{kind}: {exc!r}")
                continue
            elapsed = time.monotonic() - started
            code = answer.json().get("error", "") if answer.status_code != 200 else ""
            entry = (answer.status_code, elapsed, code, answer.headers.get("retry-after", ""))
            (seen.verifies if kind == "verify" else seen.logins).append(entry)
        stop.wait(PROBE_EVERY_S)


def flooded(url: str, token: str, revoked: str) -> Probes:
    seen = Probes()
    stop = threading.Event()
    prober = threading.Thread(target=probe, args=(url, token, stop, seen), daemon=True)
    prober.start()
    try:
        flood(url, token, revoked, FLOOD_S, CONNECTIONS)
    finally:
        stop.set()
        prober.join(timeout=30)
    return seen


def test_a_flood_is_shed_at_arrival_and_what_is_admitted_is_served(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    redis = redis_factory()
    auth = auth_factory(redis.url, workers=1, extra_args=["--hash-cost", "16", *ADMISSION])
    url = auth.worker_urls[0]
    revoked = login(url)
    assert logout(url, revoked.access).status_code == 200
    token = login(url).access
    seen = flooded(url, token, revoked.access)
    shed_total = metric(url, "auth_requests_shed_total")
    shed = seen.shed()
    print(
        f"\nflood with {' '.join(ADMISSION)}: {shed_total:.0f} requests shed; probes: "
        f"{len(seen.verifies)} verifies, {len(seen.logins)} logins, {len(shed)} shed, "
        f"slowest shed {max((p[1] for p in shed), default=0):.3f} s"
    )
    assert not seen.failures, seen.failures[:5]
    assert shed_total > 0, "nothing was shed: the flood stayed within the admission"
    assert seen.health, "no /health probe finished"
    assert set(seen.health) == {200}, "/health must answer during a flood"
    for status, elapsed, code, retry_after in shed:
        assert status == (429 if code == "login_overloaded" else 503)
        assert 1 <= int(retry_after) <= 2, retry_after
        assert elapsed < SHED_BOUND_S, f"a shed {code} took {elapsed:.2f} s"
    statuses = {p[0] for p in seen.verifies}
    assert statuses <= {200, 503}, statuses
    assert 200 in statuses, "the admission let no probe verify through"
    assert metric(url, "auth_revocation_check_total", result="degraded") == 0
    assert verify(url, revoked.access).status_code == 401
    assert verify(url, token).status_code == 200  # served again once the flood is over


def test_negative_control_without_admission_nothing_is_shed_at_arrival(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    redis = redis_factory()
    extra = ["--hash-cost", "16", "--max-in-flight", "0"]
    auth = auth_factory(redis.url, workers=1, extra_args=extra)
    url = auth.worker_urls[0]
    revoked = login(url)
    assert logout(url, revoked.access).status_code == 200
    seen = flooded(url, login(url).access, revoked.access)
    assert metric(url, "auth_requests_shed_total") == 0
    assert not seen.shed(), seen.shed()[:5]


# --- the hold after a shed answer ------------------------------------------------------------

HOLD_S = 0.5  # http_protocol.HOLD_AFTER_SHED_S
NOT_HELD_S = 0.4  # a shed answer from a worker doing nothing else: milliseconds, not a hold


def send_and_read(sock: socket.socket, request: bytes) -> tuple[bytes, float]:
    """One keep-alive request and its whole answer (bounded), and how long the answer took."""
    started = time.monotonic()
    sock.sendall(request)
    seen = b""
    deadline = started + 10.0
    while (left := deadline - time.monotonic()) > 0:
        head, _, body = seen.partition(b"\r\n\r\n")
        length = re.search(rb"content-length: (\d+)", head.lower())
        if length and len(body) >= int(length.group(1)):
            return seen, time.monotonic() - started
        if not select.select([sock], [], [], left)[0]:
            break
        chunk = sock.recv(65536)
        if not chunk:
            break
        seen += chunk
    raise AssertionError(f"no whole answer within 10 s: {seen[:200]!r}")


def test_one_shed_holds_nothing_and_a_second_in_a_row_holds_the_connection(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    """A client's next request right after a shed answer (a login after a refused logout) is
    read at once; a second shed in a row within the hold (a retry loop) pauses the connection's
    reads for HOLD_S. The one admission slot is held by a login whose body has not come yet,
    and one verify waits in the queue, so every verify sent after it is shed on arrival.
    Negative control: the third request, after two sheds in a row, waits out the hold."""
    auth = auth_factory(
        redis_factory().url,
        workers=1,
        extra_args=["--hash-cost", "16", "--max-in-flight", "1", "--max-queue-wait", "1e-9"],
    )
    url = auth.worker_urls[0]
    token = login(url).access
    parts = urlsplit(url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    verify_request = (
        f"GET /auth/verify HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    )
    body = b'{"username":"alice","password":"alice-pw"}'
    with (
        socket.create_connection(address, timeout=10) as occupier,
        socket.create_connection(address, timeout=10) as queued,
        socket.create_connection(address, timeout=10) as client,
    ):
        occupier.sendall(
            b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        queued.sendall(verify_request)
        # both were in the worker's sockets before this was sent: once it is answered, the
        # worker has read them (the login admitted and waiting for its body, the verify queued)
        assert httpx.get(url + "/health", timeout=10).status_code == 200
        answers = [send_and_read(client, verify_request) for _ in range(3)]
        for answer, _ in answers:
            assert answer.startswith(b"HTTP/1.1 503 "), answer[:200]
            assert b'"overloaded"' in answer, answer
        (_, first_s), (_, second_s), (_, third_s) = answers
        print(f"\nshed answers: {first_s:.3f} s, {second_s:.3f} s, {third_s:.3f} s (held)")
        assert first_s < NOT_HELD_S, first_s
        assert second_s < NOT_HELD_S, f"the next request after one shed was held: {second_s:.3f} s"
        assert third_s >= HOLD_S * 0.6, f"no hold after two sheds in a row: {third_s:.3f} s"
        occupier.sendall(body)  # the slot's login completes; the queued verify is served
        login_answer, _ = send_and_read(occupier, b"")
        assert login_answer.startswith(b"HTTP/1.1 200 "), login_answer[:200]
        verify_answer, _ = send_and_read(queued, b"")
        assert verify_answer.startswith(b"HTTP/1.1 200 "), verify_answer[:200]
