"""Pure parts of the API server: request parsing, rendering, JSON bodies, addresses."""

from __future__ import annotations

import pytest

from chaos.toxiproxy.address import AddressError, join_host_port, split_host_port
from chaos.toxiproxy.errors import ApiError
from chaos.toxiproxy.http import (
    BadRequest,
    Response,
    body_length,
    parse_chunked,
    parse_head,
    render_response,
)
from chaos.toxiproxy.jsonbody import decode_first, decode_object, get_bool, get_str


def test_parse_head_reads_method_target_and_headers() -> None:
    request = parse_head(
        b"patch /proxies/a?x=1 HTTP/1.1\r\nHost: h\r\nUser-Agent: curl\r\nX-A: 1\r\nx-a: 2"
    )
    assert request.method == "PATCH"
    assert request.path == "/proxies/a"
    assert request.headers["user-agent"] == "curl"
    assert request.headers["x-a"] == "1, 2"
    assert request.keep_alive()


@pytest.mark.parametrize(
    "head",
    [b"GET /\r\nHost: h", b"GET / HTTP/2.0", b"GET / HTTP/1.1\r\nno colon", b"", b"G3T / HTTP/1.1"],
)
def test_parse_head_rejects_malformed_heads(head: bytes) -> None:
    with pytest.raises(BadRequest):
        parse_head(head)


def test_keep_alive_rules() -> None:
    assert not parse_head(b"GET / HTTP/1.1\r\nConnection: close").keep_alive()
    assert not parse_head(b"GET / HTTP/1.0").keep_alive()
    assert parse_head(b"GET / HTTP/1.0\r\nConnection: keep-alive").keep_alive()


def test_body_length() -> None:
    assert body_length(parse_head(b"POST / HTTP/1.1\r\nContent-Length: 12")) == 12
    assert body_length(parse_head(b"POST / HTTP/1.1")) == 0
    assert body_length(parse_head(b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked")) is None
    with pytest.raises(BadRequest):
        body_length(parse_head(b"POST / HTTP/1.1\r\nContent-Length: -1"))
    with pytest.raises(BadRequest):
        body_length(parse_head(b"POST / HTTP/1.1\r\nContent-Length: 999999999999"))


def test_parse_chunked() -> None:
    wire = b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\nNEXT"
    assert parse_chunked(wire) == (b"Wikipedia", len(wire) - 4)
    assert parse_chunked(b"4\r\nWi") is None
    assert parse_chunked(b"4\r\nWiki\r\n0\r\n") is None
    with pytest.raises(BadRequest):
        parse_chunked(b"zz\r\n")


def test_render_response() -> None:
    wire = render_response(Response(201, b"{}", [("Content-Type", "application/json")]), True)
    head, body = wire.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 201 Created\r\n")
    assert b"Content-Length: 2" in head
    assert b"Connection: close" not in head
    assert body == b"{}"
    no_content = render_response(Response(204), False)
    assert b"Content-Length" not in no_content
    assert b"Connection: close" in no_content


def test_json_body_reads_the_first_value_like_go() -> None:
    assert decode_first(b'  {"a": 1} trailing junk') == {"a": 1}
    with pytest.raises(ApiError, match="bad request body: EOF"):
        decode_first(b"  ")
    with pytest.raises(ApiError, match="bad request body"):
        decode_object(b"[1]", "toxiproxy.Proxy")


def test_json_fields_are_case_insensitive_and_typed() -> None:
    body = {"NAME": "p", "Enabled": False, "listen": None}
    assert get_str(body, "name", "") == "p"
    assert get_bool(body, "enabled", True) is False
    assert get_str(body, "listen", "default") == "default"  # null keeps the default
    with pytest.raises(ApiError, match="bad request body"):
        get_str({"name": 5}, "name", "")


@pytest.mark.parametrize(
    ("address", "parts"),
    [
        ("127.0.0.1:80", ("127.0.0.1", "80")),
        ("[::1]:6379", ("::1", "6379")),
        (":0", ("", "0")),
        ("localhost:", ("localhost", "")),
    ],
)
def test_split_host_port(address: str, parts: tuple[str, str]) -> None:
    assert split_host_port(address) == parts


@pytest.mark.parametrize("address", ["nocolon", "[::1]", "::1:80"])
def test_split_host_port_rejects(address: str) -> None:
    with pytest.raises(AddressError):
        split_host_port(address)


def test_join_host_port_brackets_ipv6() -> None:
    assert join_host_port("::", 5) == "[::]:5"
    assert join_host_port("127.0.0.1", 5) == "127.0.0.1:5"
