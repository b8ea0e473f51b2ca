"""The secret scan finds a planted secret in every spelling, and nothing in clean data."""

from __future__ import annotations

import base64

import pytest

from chaos.attacks import Secret, find_leaks

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJlLXNlZ21lbnQtb2YtdGhlLXRva2Vu"
JWT_SECRET = "a-jwt-secret-that-is-32-bytes-long!!"
SECRETS = [
    Secret("access_token:alice", TOKEN),
    Secret("jwt_secret", JWT_SECRET),
    Secret("password:alice", "correct-horse-battery"),
]


@pytest.mark.parametrize(
    ("haystack", "label", "spelling"),
    [
        (f"revoked:{TOKEN}".encode(), "access_token:alice", "raw"),
        (f"log line sig={TOKEN.rsplit('.', 1)[1]} end".encode(), "access_token:alice", "signature"),
        (b"key=" + base64.b64encode(JWT_SECRET.encode()), "jwt_secret", "base64"),
        (b"key=" + JWT_SECRET.encode().hex().upper().encode(), "jwt_secret", "hex"),
        (
            b'{"error":"bad","detail":"password correct-horse-battery wrong"}',
            "password:alice",
            "raw",
        ),
    ],
)
def test_a_planted_secret_is_found(haystack: bytes, label: str, spelling: str) -> None:
    leaks = find_leaks({"source": haystack}, SECRETS)
    assert [(leak.secret, leak.spelling) for leak in leaks] == [(label, spelling)]
    assert "source" in str(leaks[0])


def test_clean_data_has_no_leak() -> None:
    clean = {
        "redis:revoked:3f2a": b"1795656000",
        "metrics": b'auth_requests_total{route="/auth/verify",status="401"} 12\n',
        "body": b'{"error":"invalid_token","detail":"signature verification failed"}',
    }
    assert find_leaks(clean, SECRETS) == []


def test_short_secrets_are_not_searched() -> None:
    # a 3-byte needle would match by chance: it is skipped rather than reported everywhere
    assert find_leaks({"s": b"abc abc"}, [Secret("password:bob", "abc")]) == []
