"""Malformed requests to login and refresh: refused with the documented status (422, or 413/422
beyond the body bound), never 500, and the service keeps serving afterwards."""

from __future__ import annotations

import select
import socket
import time

import httpx
import pytest

from chaos.attacks import Outcome, body_attacks, describe, error_code, problems, send

from .conftest import Target

pytestmark = pytest.mark.hostile

GROUPS = ("json", "utf8", "size", "content-type", "field")
CHUNK = b"A" * 65536
EARLY_BYTES = 8 * 1024 * 1024  # a bounded service answers after its bound (64 KiB here)
POLL_S = 0.002  # per chunk: time for a bounded server to answer while we are still sending


@pytest.fixture(scope="module")
def outcomes(client: httpx.Client, figures: dict[str, int]) -> list[Outcome]:
    sent = [send(client, case) for case in body_attacks()]
    figures["malformed_request_cases"] = len(sent)
    figures["malformed_request_refused_as_documented"] = sum(1 for o in sent if not problems(o))
    return sent


@pytest.mark.parametrize("group", GROUPS)
def test_every_malformed_request_is_refused_as_documented(
    group: str, outcomes: list[Outcome]
) -> None:
    mine = [outcome for outcome in outcomes if outcome.case.group == group]
    assert mine
    wrong = [describe(outcome) for outcome in mine if problems(outcome)]
    assert not wrong, f"{len(wrong)} of {len(mine)} {group} cases:\n" + "\n".join(wrong)


def test_the_service_still_serves_after_the_malformed_requests(
    target: Target, client: httpx.Client, outcomes: list[Outcome]
) -> None:
    assert outcomes
    token = target.login(client, "alice")["access_token"]
    answer = client.get("/auth/verify", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text


def streamed_upload(port: int, path: str, chunked: bool) -> tuple[int, bytes]:
    """POST a JSON body of ``EARLY_BYTES`` (chunked, or with its Content-Length declared),
    watching for an answer after every piece; return the bytes sent before the server
    answered (or all of them, then the answer it gives to the whole)."""
    sent = 0
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {EARLY_BYTES + 8}"
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{framing}\r\n\r\n".encode()
        )
        sock.sendall(b'6\r\n{"a":"\r\n' if chunked else b'{"a":"')
        try:
            while sent < EARLY_BYTES:
                if select.select([sock], [], [], POLL_S)[0]:
                    return sent, sock.recv(4096)
                piece = f"{len(CHUNK):x}\r\n".encode() + CHUNK + b"\r\n" if chunked else CHUNK
                sock.sendall(piece)
                sent += len(CHUNK)
            sock.sendall(b'2\r\n"}\r\n0\r\n\r\n' if chunked else b'"}')
            return sent, sock.recv(4096)
        except (ConnectionError, TimeoutError):
            return sent, b""  # closed or silent: no answer to show


def test_a_chunked_body_is_bounded_too(target: Target, figures: dict[str, int]) -> None:
    """Without Content-Length the body bound must still hold: the service answers (or closes)
    before reading megabytes, instead of buffering whatever it is sent."""
    path = "/auth/login"  # every POST route shares the bound (and would share its absence)
    started = time.monotonic()
    sent, answer = streamed_upload(target.auth.port, path, chunked=True)
    figures["chunked_bytes_sent_before_refusal"] = sent
    status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/") else b"none"
    print(f"\nchunked {path}: {sent} bytes sent in {time.monotonic() - started:.1f} s, {status!r}")
    assert status not in {b"500", b"502", b"503"}, answer[:200]
    assert sent < EARLY_BYTES, (
        f"{path} took a {sent}-byte chunked body without answering, then said "
        f"{answer[:80]!r} to the whole: the body bound only applies to Content-Length"
    )


def test_a_declared_oversized_body_is_refused_before_it_is_sent(target: Target) -> None:
    # control for the chunked check: with Content-Length the bound holds, and is seen to hold
    sent, answer = streamed_upload(target.auth.port, "/auth/login", chunked=False)
    assert sent < EARLY_BYTES
    assert answer.startswith((b"HTTP/1.1 413", b"HTTP/1.1 422")), answer[:80]


VERIFY_HEAD = b"GET /auth/verify HTTP/1.1\r\nHost: x\r\n"
RAW_REQUESTS = {
    "del-in-header": VERIFY_HEAD + b"Authorization: Bearer a\x7fb\r\n\r\n",
    "nul-in-header": VERIFY_HEAD + b"Authorization: Bearer a\x00b\r\n\r\n",
    "header-without-colon": b"GET /health HTTP/1.1\r\nHost: x\r\nAuthorization Bearer a\r\n\r\n",
    "bad-request-line": b"GARBAGE\r\n\r\n",
    "unknown-version": b"GET /health HTTP/9.9\r\nHost: x\r\n\r\n",
    "bad-content-length": b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "conflicting-framing": b"POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    "huge-request-line": b"GET /health?" + b"a" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
}


@pytest.mark.parametrize("name", sorted(RAW_REQUESTS))
def test_requests_broken_at_the_http_level_get_a_json_400(target: Target, name: str) -> None:
    """The HTTP parser refuses these before any route: the service still answers 400 with
    the contract's JSON error (or closes), promptly; never a 5xx or a hang."""
    with socket.create_connection(("127.0.0.1", target.auth.port), timeout=5) as sock:
        try:
            sock.sendall(RAW_REQUESTS[name])
            answer = sock.recv(65536)
        except ConnectionError:
            answer = b""  # closed on us: a refusal
    if not answer:
        return
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == b"400", answer[:300]
    assert error_code(body) == "invalid_request", answer[:300]
