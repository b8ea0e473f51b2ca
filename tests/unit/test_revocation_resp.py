"""RESP encoding of the lookup connection's requests, and the handshake a URL implies."""

from __future__ import annotations

import hiredis
import pytest
from redis.asyncio.connection import parse_url

from system_under_test.revocation.lookup_link import handshake_of
from system_under_test.revocation.resp import encode_command


def test_a_command_is_an_array_of_bulk_strings() -> None:
    assert encode_command("MGET", "revoked:a", b"revoked:\xc3\xa9") == (
        b"*3\r\n$4\r\nMGET\r\n$9\r\nrevoked:a\r\n$10\r\nrevoked:\xc3\xa9\r\n"
    )


def test_lengths_count_bytes_not_characters() -> None:
    assert encode_command("GET", "é") == b"*2\r\n$3\r\nGET\r\n$2\r\n\xc3\xa9\r\n"


def test_an_encoded_request_parses_back_as_the_same_words() -> None:
    words = [b"MGET", b"a\r\nb", b"", b"$3\r\n"]  # separators inside values stay data
    reader = hiredis.Reader()
    reader.feed(encode_command(*words))
    assert reader.gets() == words


def test_no_command_is_refused() -> None:
    with pytest.raises(ValueError, match="command name"):
        encode_command()


def test_the_default_url_needs_no_handshake() -> None:
    assert handshake_of(parse_url("redis://127.0.0.1:6379/0")) == []
    assert handshake_of(parse_url("redis://127.0.0.1:6379")) == []


def test_credentials_and_a_database_are_sent_before_the_first_lookup() -> None:
    assert handshake_of(parse_url("redis://bob:pw@127.0.0.1:6379/3")) == [
        encode_command("AUTH", "bob", "pw"),
        encode_command("SELECT", "3"),
    ]
    assert handshake_of(parse_url("redis://:pw@127.0.0.1:6379")) == [encode_command("AUTH", "pw")]
