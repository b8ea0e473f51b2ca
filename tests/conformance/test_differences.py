"""Where the real server crashes, the embedded one stalls that direction and keeps serving.

A ``bandwidth`` toxic with a negative ``rate`` panics the real server (a slice bound of
``rate * 100``) and a ``slicer`` whose ``average_size + size_variation`` is below 1 recurses
until the stack overflows, both at the first chunk. These cases cannot run against a real
Toxiproxy (it would die), so they run only when the server under test reports the embedded
version; docs/fault-proxy.md lists them.
"""

from __future__ import annotations

import httpx
import pytest

from .conftest import ProxyFactory
from .support import EchoServer, connect, recv_exactly, round_trip

pytestmark = pytest.mark.conformance

STALL_WINDOW = 0.8


@pytest.fixture
def proxy(api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer) -> dict[str, object]:
    if not api.get("/version").json()["version"].endswith("-embedded"):
        pytest.skip("documented difference: the real server crashes or blocks here")
    return make_proxy(echo.address)


@pytest.mark.parametrize(
    "body",
    [
        {"type": "bandwidth", "attributes": {"rate": -5}},
        {"type": "slicer"},
        {"type": "slicer", "attributes": {"average_size": 5, "size_variation": -5}},
        {"type": "slicer", "attributes": {"average_size": -10, "size_variation": 3}},
    ],
)
def test_values_that_crash_the_real_server_stall_the_direction(
    api: httpx.Client, proxy: dict[str, object], body: dict[str, object]
) -> None:
    path = f"/proxies/{proxy['name']}/toxics"
    created = api.post(path, json={**body, "name": "crasher"})
    assert created.status_code == 200, created.text
    payload = b"x" * 100
    with connect(str(proxy["listen"])) as sock:
        sock.sendall(payload)
        sock.settimeout(STALL_WINDOW)
        with pytest.raises(TimeoutError):
            sock.recv(1)
        sock.settimeout(10)
        assert api.get("/version").status_code == 200  # still serving
        assert api.delete(f"{path}/crasher").status_code == 204
        assert recv_exactly(sock, len(payload)) == payload
        round_trip(sock)


def test_delete_of_a_toxic_holding_data_finishes_promptly(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    # the real server's DELETE can block for seconds on a toxic that holds data
    path = f"/proxies/{proxy['name']}/toxics"
    api.post(path, json={"type": "bandwidth", "attributes": {"rate": 1}})
    with connect(str(proxy["listen"])) as sock:
        sock.sendall(b"z" * 200_000)  # 200 s worth at 1 KB/s
        response = api.delete(f"{path}/bandwidth_downstream", timeout=5)
        assert response.status_code == 204
        received = 0
        while received < 200_000:
            piece = sock.recv(65536)
            assert piece
            received += len(piece)
        round_trip(sock)
