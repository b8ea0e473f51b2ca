"""Attribute values the real server accepts are accepted, and then behave as on the real server.

``bandwidth`` with ``rate`` 0 (also when omitted) stalls its direction until the toxic is
removed or updated; a ``slicer`` with a negative ``size_variation`` cuts smaller pieces.
The values that crash the real server once data flows are accepted here too; what the
embedded server does with them instead is in test_differences.py.
"""

from __future__ import annotations

import socket

import httpx
import pytest

from .conftest import ProxyFactory
from .support import EchoServer, connect, recv_exactly, round_trip

pytestmark = pytest.mark.conformance

STALL_WINDOW = 0.8  # seconds without a byte that count as a stall


@pytest.fixture
def proxy(make_proxy: ProxyFactory, echo: EchoServer) -> dict[str, object]:
    return make_proxy(echo.address)


@pytest.mark.parametrize(
    ("body", "attributes"),
    [
        ({"type": "bandwidth"}, {"rate": 0}),
        ({"type": "bandwidth", "attributes": {"rate": 0}}, {"rate": 0}),
        ({"type": "bandwidth", "attributes": {"rate": -5}}, {"rate": -5}),
        ({"type": "slicer"}, {"average_size": 0, "size_variation": 0, "delay": 0}),
        (
            {"type": "slicer", "attributes": {"average_size": 0, "size_variation": 0}},
            {"average_size": 0, "size_variation": 0, "delay": 0},
        ),
        (
            {"type": "slicer", "attributes": {"average_size": 10, "size_variation": -1}},
            {"average_size": 10, "size_variation": -1, "delay": 0},
        ),
    ],
)
def test_values_the_real_server_accepts_are_accepted(
    api: httpx.Client, proxy: dict[str, object], body: dict[str, object], attributes: object
) -> None:
    response = api.post(f"/proxies/{proxy['name']}/toxics", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["attributes"] == attributes
    # accepting it changes nothing until data flows: the server keeps serving
    assert api.get("/version").status_code == 200


def test_an_update_to_rate_zero_is_accepted(api: httpx.Client, proxy: dict[str, object]) -> None:
    path = f"/proxies/{proxy['name']}/toxics"
    assert api.post(path, json={"type": "bandwidth", "attributes": {"rate": 1000}}).is_success
    response = api.patch(f"{path}/bandwidth_downstream", json={"attributes": {"rate": 0}})
    assert response.status_code == 200, response.text
    assert response.json()["attributes"] == {"rate": 0}


def assert_stalled(sock: socket.socket) -> None:
    sock.settimeout(STALL_WINDOW)
    with pytest.raises(TimeoutError):
        sock.recv(1)
    sock.settimeout(10)


@pytest.mark.parametrize("release", ["remove", "update"])
def test_rate_zero_stalls_until_the_toxic_goes_and_drops_nothing(
    api: httpx.Client, proxy: dict[str, object], release: str
) -> None:
    path = f"/proxies/{proxy['name']}/toxics"
    assert api.post(path, json={"type": "bandwidth", "name": "stall"}).status_code == 200
    payload = b"held by a stalled bandwidth toxic"
    with connect(str(proxy["listen"])) as sock:
        sock.sendall(payload)
        assert_stalled(sock)
        if release == "remove":
            assert api.delete(f"{path}/stall").status_code == 204
        else:
            patched = api.patch(f"{path}/stall", json={"attributes": {"rate": 1000}})
            assert patched.status_code == 200
        assert recv_exactly(sock, len(payload)) == payload
        round_trip(sock)


def test_without_the_toxic_the_same_bytes_flow_at_once(proxy: dict[str, object]) -> None:
    # negative control for the stall above
    with connect(str(proxy["listen"])) as sock:
        assert round_trip(sock, b"held by a stalled bandwidth toxic") < STALL_WINDOW


def test_a_negative_size_variation_cuts_smaller_pieces(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    body = {"type": "slicer", "attributes": {"average_size": 10, "size_variation": -3}}
    assert api.post(f"/proxies/{proxy['name']}/toxics", json=body).status_code == 200
    payload = bytes(range(200))
    with connect(str(proxy["listen"])) as sock:
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload


def test_a_stalling_toxic_without_data_still_passes_the_close(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    # the stall begins at the first chunk: a client that only closes is not left hanging
    body = {"type": "bandwidth", "stream": "upstream", "attributes": {"rate": 0}}
    assert api.post(f"/proxies/{proxy['name']}/toxics", json=body).status_code == 200
    with connect(str(proxy["listen"])) as sock:
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(1) == b""
