"""Pure parts of the API server: request parsing, rendering, JSON bodies, addresses."""

from __future__ import annotations

import re

import pytest

from chaos.toxiproxy.errors import ApiError
from chaos.toxiproxy.http import (
    BadRequest,
    Response,
    body_length,
    parse_chunked,
    parse_head,
    render_response,
)
from chaos.toxiproxy.jsonbody import (
    GoField,
    decode_array,
    decode_fields,
    decode_first,
    decode_object,
)


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


FIELDS = (
    GoField("name", "string", "Proxy.name"),
    GoField("enabled", "bool", "Proxy.enabled"),
    GoField("listen", "string", "Proxy.listen"),
)


def test_json_fields_are_case_insensitive_typed_and_null_is_absent() -> None:
    body = {"NAME": "p", "Enabled": False, "listen": None, "bogus": [1]}
    assert decode_fields(body, FIELDS) == {"name": "p", "enabled": False}


def test_a_null_body_is_an_empty_one_as_in_go() -> None:
    assert decode_object(b"null", "toxiproxy.Proxy") == {}
    assert decode_array(b"null", "[]x") == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": 5}, "number into Go struct field Proxy.name of type string"),
        ({"enabled": "yes", "name": 5}, "string into Go struct field Proxy.enabled of type bool"),
        ({"name": True}, "bool into Go struct field Proxy.name of type string"),
        ({"name": {"a": 1}}, "object into Go struct field Proxy.name of type string"),
    ],
)
def test_the_first_wrong_type_in_document_order_gets_gos_text(
    body: dict[str, object], message: str
) -> None:
    with pytest.raises(ApiError) as caught:
        decode_fields(body, FIELDS)
    assert caught.value.message == f"bad request body: json: cannot unmarshal {message}"


ATTRIBUTE = GoField("latency", "int64", "LatencyToxic.attributes.latency")
TOXICITY = GoField("toxicity", "float32", "ToxicWrapper.toxicity")


@pytest.mark.parametrize(
    ("text", "value_text"),
    [
        ("1.5", "number 1.5"),
        ("1e30", "number 1e30"),
        ("1e3", "number 1e3"),
        ("1.0", "number 1.0"),
        ("9223372036854775808", "number 9223372036854775808"),
        ('"abc"', "string"),
        ("[1]", "array"),
    ],
)
def test_integer_fields_take_integer_literals_only(text: str, value_text: str) -> None:
    body = decode_object(f'{{"latency": {text}}}'.encode(), "x")
    with pytest.raises(ApiError) as caught:
        decode_fields(body, (ATTRIBUTE,))
    assert caught.value.message == (
        f"bad request body: json: cannot unmarshal {value_text} into Go struct field "
        "LatencyToxic.attributes.latency of type int64"
    )


def test_integer_fields_accept_the_int64_range() -> None:
    body = decode_object(b'{"latency": -9223372036854775808}', "x")
    assert decode_fields(body, (ATTRIBUTE,)) == {"latency": -(2**63)}


def test_float32_fields_refuse_what_overflows_float32() -> None:
    assert decode_fields(decode_object(b'{"toxicity": 1e38}', "x"), (TOXICITY,)) == {
        "toxicity": 1e38
    }
    with pytest.raises(
        ApiError, match=re.escape("number 1e39 into Go struct field ToxicWrapper.toxicity")
    ):
        decode_fields(decode_object(b'{"toxicity": 1e39}', "x"), (TOXICITY,))


def test_nested_struct_errors_come_in_document_order() -> None:
    attributes = GoField("attributes", "toxics.LatencyToxic", ".attributes", (ATTRIBUTE,))
    toxicity = GoField("toxicity", "float32", ".toxicity")
    body = decode_object(b'{"attributes": {"latency": "x"}, "toxicity": "y"}', "x")
    with pytest.raises(ApiError, match=re.escape("LatencyToxic.attributes.latency of type int64")):
        decode_fields(body, (attributes, toxicity))
    with pytest.raises(
        ApiError, match=re.escape("string into Go struct field .attributes of type toxics")
    ):
        decode_fields({"attributes": "x"}, (attributes,))
