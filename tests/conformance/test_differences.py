"""Where the real server crashes or hangs, the embedded one answers 400 and keeps serving.

These cases cannot run against a real Toxiproxy (it would stall or die), so they run only
when the server under test reports the embedded version; docs/fault-proxy.md lists them.
"""

from __future__ import annotations

import httpx
import pytest

from .conftest import ProxyFactory
from .support import EchoServer, connect, round_trip

pytestmark = pytest.mark.conformance


@pytest.fixture
def toxics_path(api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer) -> str:
    if not api.get("/version").json()["version"].endswith("-embedded"):
        pytest.skip("documented difference: the real server crashes or stalls here")
    return f"/proxies/{make_proxy(echo.address)['name']}/toxics"


@pytest.mark.parametrize(
    "body",
    [
        {"type": "bandwidth"},
        {"type": "bandwidth", "attributes": {"rate": 0}},
        {"type": "bandwidth", "attributes": {"rate": -5}},
        {"type": "slicer"},
        {"type": "slicer", "attributes": {"average_size": 0, "size_variation": 0}},
        {"type": "slicer", "attributes": {"average_size": 10, "size_variation": -1}},
    ],
)
def test_hanging_or_crashing_attributes_are_a_clear_400(
    api: httpx.Client, toxics_path: str, body: dict[str, object]
) -> None:
    response = api.post(toxics_path, json=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith("bad request body: ")
    assert api.get(toxics_path).json() == []
    assert api.get("/version").status_code == 200  # still serving


def test_update_to_a_hanging_rate_is_refused_and_the_toxic_kept(
    api: httpx.Client, toxics_path: str
) -> None:
    created = api.post(toxics_path, json={"type": "bandwidth", "attributes": {"rate": 1000}})
    assert created.status_code == 200
    response = api.patch(f"{toxics_path}/bandwidth_downstream", json={"attributes": {"rate": 0}})
    assert response.status_code == 400
    assert api.get(f"{toxics_path}/bandwidth_downstream").json()["attributes"] == {"rate": 1000}


def test_delete_of_a_toxic_holding_data_finishes_promptly(
    api: httpx.Client, toxics_path: str, make_proxy: ProxyFactory
) -> None:
    proxy_name = toxics_path.split("/")[2]
    listen = api.get(f"/proxies/{proxy_name}").json()["listen"]
    api.post(toxics_path, json={"type": "bandwidth", "attributes": {"rate": 1}})
    with connect(listen) as sock:
        sock.sendall(b"z" * 200_000)  # 200 s worth at 1 KB/s
        response = api.delete(f"{toxics_path}/bandwidth_downstream", timeout=5)
        assert response.status_code == 204
        received = 0
        while received < 200_000:
            piece = sock.recv(65536)
            assert piece
            received += len(piece)
        round_trip(sock)
