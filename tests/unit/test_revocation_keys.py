"""Key naming, TTL rule, pub/sub message format, settings and their time budget."""

from __future__ import annotations

import pytest

from system_under_test.revocation.keys import (
    key_of,
    parse_exp,
    revocation_ttl_s,
    revoked_key,
    window_key,
)
from system_under_test.revocation.settings import (
    FENCE_SLACK_S,
    RETRY_BACKOFF_S,
    StoreSettings,
    attempts_budget_s,
    call_budget_s,
)
from system_under_test.revocation.subscriber import decode_message, encode_message

URL = "redis://127.0.0.1:1/0"


def test_keys_name_ids_and_round_trip() -> None:
    assert revoked_key("abc") == "revoked:abc"
    assert revoked_key("fam:f1") == "revoked:fam:f1"
    assert key_of(revoked_key("fam:f1")) == "fam:f1"
    with pytest.raises(ValueError, match="not a revocation key"):
        key_of("window:alice:1")


def test_ttl_lasts_until_exp_plus_leeway_rounded_up() -> None:
    assert revocation_ttl_s(exp=1000, now=400.0, leeway_s=30) == 630
    assert revocation_ttl_s(exp=1000, now=399.5, leeway_s=0) == 601  # never a second short


def test_ttl_is_at_least_one_second() -> None:
    assert revocation_ttl_s(exp=1000, now=1000.0, leeway_s=0) == 1
    assert revocation_ttl_s(exp=1000, now=5000.0, leeway_s=10) == 1


def test_window_key_changes_with_the_window() -> None:
    assert window_key("login:alice", 60, 120.0) == window_key("login:alice", 60, 179.9)
    assert window_key("login:alice", 60, 179.9) != window_key("login:alice", 60, 180.0)


def test_parse_exp() -> None:
    assert parse_exp(None) is None
    assert parse_exp(b"1700000000") == 1700000000
    assert parse_exp(b"garbage") == 0  # still present, so still revoked


def test_message_round_trip_with_spaces_in_the_key() -> None:
    assert decode_message(encode_message("fam:f1", 42).encode()) == ("fam:f1", 42)
    assert decode_message(encode_message("a b", 7)) == ("a b", 7)
    assert decode_message(b"no-exp") is None


def test_budget_arithmetic() -> None:
    s = StoreSettings(redis_url=URL, redis_timeout_s=0.2, retries=1)
    assert attempts_budget_s(s) == pytest.approx(0.4 + RETRY_BACKOFF_S)
    assert call_budget_s(s) == pytest.approx(0.4 + RETRY_BACKOFF_S + FENCE_SLACK_S)
    assert call_budget_s(s, extra_s=0.1) == pytest.approx(call_budget_s(s) + 0.1)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "exactly one of redis_url or sentinels"),
        ({"redis_url": URL, "sentinels": [("127.0.0.1", 1)]}, "exactly one"),
        ({"sentinels": [("127.0.0.1", 1)]}, "sentinel_service"),
        ({"redis_url": URL, "failure_mode": "maybe"}, "failure_mode"),
        ({"redis_url": URL, "redis_timeout_s": 0}, "redis_timeout_s"),
        ({"redis_url": URL, "retries": -1}, "retries"),
        ({"redis_url": URL, "wait_timeout_ms": 200, "redis_timeout_s": 0.2}, "wait_timeout_ms"),
    ],
)
def test_bad_settings_are_refused_with_the_name(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StoreSettings(**kwargs)  # type: ignore[arg-type]
