"""Requests the service must refuse or cut off: two Authorization headers (F3), an undeclared
body past the bound (F4), a request head that never completes (F5). docs/hostile-findings.md."""

from __future__ import annotations

import select
import socket
import time
from urllib.parse import urlsplit

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import TIMEOUT, login, verify

pytestmark = pytest.mark.integration

CHEAP_HASH = ["--hash-cost", "1024"]
HEADER_TIMEOUT_S = 1.0
BODY_TIMEOUT_S = 1.5
CLOSE_BOUND_S = 6.0  # generous: the timer is 1 s, the box is shared and busy
BODY_BOUND = 64 * 1024


def port_of(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def closed_after(sock: socket.socket, bound_s: float) -> tuple[float | None, bytes]:
    """Seconds until the server closed ``sock`` (None: still open after ``bound_s``), and
    whatever it sent before."""
    started = time.monotonic()
    seen = b""
    while (left := bound_s - (time.monotonic() - started)) > 0:
        if select.select([sock], [], [], left)[0]:
            try:
                chunk = sock.recv(65536)
            except ConnectionError:
                chunk = b""
            if not chunk:
                return time.monotonic() - started, seen
            seen += chunk
    return None, seen


def test_two_authorization_headers_are_refused_by_verify_and_logout(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    url = auth_factory(redis_factory().url, workers=1, extra_args=CHEAP_HASH).worker_urls[0]
    token = login(url).access
    valid, garbage = ("Authorization", f"Bearer {token}"), ("Authorization", "Bearer garbage")
    for route, method in (("/auth/verify", "GET"), ("/auth/logout", "POST")):
        for headers in ([valid, garbage], [garbage, valid], [valid, valid]):
            answer = httpx.request(method, url + route, headers=headers, timeout=TIMEOUT)
            assert answer.status_code == 401, (route, answer.text)
            assert answer.json()["error"] == "invalid_token", (route, answer.text)
            assert "invalid_token" in answer.headers["www-authenticate"]
    # none of the refused logouts revoked it; the control: one header verifies, then logs out
    assert verify(url, token).status_code == 200
    single = httpx.post(url + "/auth/logout", headers=[valid], timeout=TIMEOUT)
    assert single.status_code == 200, single.text
    assert verify(url, token).status_code == 401


def chunked_post(
    port: int, path: str, body: bytes, ask_close: bool = False, piece: int = 16 * 1024
) -> tuple[int, bytes]:
    """POST ``body`` chunked, watching for an answer after every piece; the body bytes sent
    before the answer came, and all the server sent until it closed the connection."""
    close = "Connection: close\r\n" if ask_close else ""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{close}"
            "Transfer-Encoding: chunked\r\n\r\n".encode()
        )
        sent = 0
        try:
            while sent < len(body) and not select.select([sock], [], [], 0.05)[0]:
                chunk = body[sent : sent + piece]
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            if sent == len(body):
                sock.sendall(b"0\r\n\r\n")
        except ConnectionError:
            pass  # refused and closed while sending: the answer is already in the buffer
        after, answer = closed_after(sock, CLOSE_BOUND_S)
        assert after is not None, f"still open {CLOSE_BOUND_S} s after {answer[:100]!r}"
        return sent, answer


@pytest.mark.parametrize("path", ["/auth/login", "/auth/refresh"])
def test_a_chunked_body_past_the_bound_is_refused_before_it_is_read(
    redis_factory: RedisFactory, auth_factory: AuthFactory, path: str
) -> None:
    url = auth_factory(redis_factory().url, workers=1, extra_args=CHEAP_HASH).worker_urls[0]
    oversized = b'{"refresh_token":"' + b"a" * (4 * 1024 * 1024) + b'"}'
    sent, answer = chunked_post(port_of(url), path, oversized)
    assert answer.startswith(b"HTTP/1.1 422 "), answer[:200]
    assert b"connection: close" in answer.lower(), answer[:300]
    assert answer.endswith(b'{"error":"invalid_request","detail":"body too large"}'), answer
    assert sent < len(oversized) // 2, f"{sent} body bytes were read before the answer"
    # the control: a chunked body under the bound is still read and answered
    small = b'{"username":"alice","password":"alice-pw"}'
    sent, answer = chunked_post(port_of(url), "/auth/login", small, ask_close=True)
    assert sent == len(small)
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]


def test_a_request_head_that_never_completes_is_cut_off(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    url = auth_factory(
        redis_factory().url,
        workers=1,
        extra_args=[*CHEAP_HASH, "--header-timeout", str(HEADER_TIMEOUT_S)],
    ).worker_urls[0]
    port = port_of(url)
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as silent:
        after_silent, _ = closed_after(silent, CLOSE_BOUND_S)  # connects, sends nothing
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as half:
        half.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: aaa")
        after_half, _ = closed_after(half, CLOSE_BOUND_S)
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as kept:
        # one whole request first, then the next head stalls on the kept-alive connection
        kept.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert kept.recv(65536).startswith(b"HTTP/1.1 200 ")
        kept.sendall(b"GET /health HTTP/1.1\r\nHo")
        after_kept, _ = closed_after(kept, CLOSE_BOUND_S)
    assert after_silent is not None, "a silent connection stayed open"
    assert after_half is not None, "a half-sent head stayed open"
    assert after_kept is not None, "a stalled second head stayed open"
    # the control: a head completed in pieces within the timeout is served as usual
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as slow_but_done:
        slow_but_done.sendall(b"GET /health HTTP/1.1\r\n")
        assert not select.select([slow_but_done], [], [], HEADER_TIMEOUT_S / 4)[0]
        slow_but_done.sendall(b"Host: x\r\n\r\n")
        assert slow_but_done.recv(65536).startswith(b"HTTP/1.1 200 ")
    assert httpx.get(url + "/health", timeout=TIMEOUT).status_code == 200


def test_a_request_body_that_stops_after_its_head_is_cut_off(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    url = auth_factory(
        redis_factory().url,
        workers=1,
        extra_args=[*CHEAP_HASH, "--body-timeout", str(BODY_TIMEOUT_S)],
    ).worker_urls[0]
    port = port_of(url)
    body = b'{"username":"alice","password":"alice-pw"}'
    head = (
        b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as stalled:
        stalled.sendall(head + body[:10])  # a complete head, a third of the body, then nothing
        after_stalled, answer = closed_after(stalled, CLOSE_BOUND_S)
    assert after_stalled is not None, "a connection whose body stopped half-way stayed open"
    assert answer == b"", f"no answer is due to a request never finished: {answer[:200]!r}"
    # the control: a body sent in pieces within the timeout is answered as usual
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as slow_but_done:
        slow_but_done.sendall(head + body[:10])
        assert not select.select([slow_but_done], [], [], BODY_TIMEOUT_S / 4)[0]
        slow_but_done.sendall(body[10:])
        assert slow_but_done.recv(65536).startswith(b"HTTP/1.1 200 ")
    assert httpx.get(url + "/health", timeout=TIMEOUT).status_code == 200


KEEP_ALIVE_S = 5.0  # uvicorn's timeout_keep_alive, which the service keeps
IDLE_CLOSE_BOUND_S = KEEP_ALIVE_S + 6.0  # the worker reads idle times once a second; busy box
HEALTH = b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n"


def test_an_idle_kept_alive_connection_is_closed_after_the_keep_alive_timeout(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    """The idle gap is a time stamp read by the worker's tick, not a timer per answer: a kept-
    alive connection asked nothing for KEEP_ALIVE_S is closed, a request in between starts the
    gap again, and a connection is never closed sooner."""
    url = auth_factory(redis_factory().url, workers=1, extra_args=CHEAP_HASH).worker_urls[0]
    with socket.create_connection(("127.0.0.1", port_of(url)), timeout=TIMEOUT) as sock:
        sock.sendall(HEALTH)
        after, answer = closed_after(sock, KEEP_ALIVE_S * 0.6)
        assert after is None, f"closed {after:.2f} s after its answer, before the timeout"
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
        sock.sendall(HEALTH)  # the gap starts again from this answer
        after, answer = closed_after(sock, IDLE_CLOSE_BOUND_S)
        assert answer.startswith(b"HTTP/1.1 200 "), answer[:200]
        assert after is not None, f"still open {IDLE_CLOSE_BOUND_S} s after its last answer"
        assert after >= KEEP_ALIVE_S * 0.9, f"closed {after:.2f} s after its last answer"
