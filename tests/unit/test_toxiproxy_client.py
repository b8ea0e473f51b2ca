"""Pure parts of the client facade: error mapping and URL handling."""

from __future__ import annotations

import pytest

from chaos.toxiproxy_client import (
    AlreadyExists,
    InvalidRequest,
    NotFound,
    ServerError,
    ToxiproxyClient,
    ToxiproxyError,
    error_for,
)


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, InvalidRequest),
        (404, NotFound),
        (409, AlreadyExists),
        (500, ServerError),
        (502, ServerError),
    ],
)
def test_status_maps_to_exception(status: int, cls: type[ToxiproxyError]) -> None:
    error = error_for(status, b'{"error":"proxy not found","status":404}\n')
    assert type(error) is cls
    assert error.status == status
    assert error.message == "proxy not found"


def test_non_json_body_keeps_its_text() -> None:
    error = error_for(404, b"404 page not found\n")
    assert error.message == "404 page not found"


def test_url_needs_host_and_port() -> None:
    with pytest.raises(ValueError, match="host and a port"):
        ToxiproxyClient("http://127.0.0.1")
    client = ToxiproxyClient("127.0.0.1:8474")
    assert client.url == "http://127.0.0.1:8474"
    client.close()
