"""Listen addresses: every interface when omitted, how they are shown, when two spellings are
the same address, and Go's error texts for those that cannot be used."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from .conftest import ProxyFactory, unique
from .support import EchoServer, connect, port_of, round_trip

pytestmark = pytest.mark.conformance


@pytest.fixture
def names(api: httpx.Client) -> Iterator[list[str]]:
    """Proxy names a test creates by hand; every one is deleted afterwards."""
    created: list[str] = []
    yield created
    for name in created:
        api.delete(f"/proxies/{name}")


def assert_every_interface(listen: object) -> int:
    """``[::]:PORT`` with a real port, reachable over IPv4 and IPv6 loopback."""
    assert isinstance(listen, str)
    assert listen.startswith("[::]:"), listen
    port = port_of(listen)
    assert port > 0
    for host in ("127.0.0.1", "[::1]"):
        with connect(f"{host}:{port}") as sock:
            round_trip(sock)
    return port


@pytest.mark.parametrize("listen", ["omitted", "", None], ids=["omitted", "empty", "null"])
def test_a_proxy_without_listen_binds_every_interface(
    api: httpx.Client, echo: EchoServer, names: list[str], listen: str | None
) -> None:
    name = unique("nolisten")
    names.append(name)
    body: dict[str, object] = {"name": name, "upstream": echo.address}
    if listen != "omitted":
        body["listen"] = listen
    response = api.post("/proxies", json=body)
    assert response.status_code == 201, response.text
    assert_every_interface(response.json()["listen"])


def test_populate_without_listen_binds_every_interface(
    api: httpx.Client, echo: EchoServer, names: list[str]
) -> None:
    first, second = unique("nolisten"), unique("nolisten")
    names.extend([first, second])
    body = [
        {"name": first, "upstream": echo.address},
        {"name": second, "listen": None, "upstream": echo.address},
    ]
    response = api.post("/populate", json=body)
    assert response.status_code == 201, response.text
    ports = [assert_every_interface(p["listen"]) for p in response.json()["proxies"]]
    assert ports[0] != ports[1]


def test_every_ipv4_interface_is_shown_and_bound_as_every_interface(
    make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address, listen="0.0.0.0:0")
    assert_every_interface(proxy["listen"])


def test_a_loopback_proxy_is_not_reachable_over_ipv6(
    make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    # negative control for the dual-stack checks above
    proxy = make_proxy(echo.address)
    with pytest.raises(ConnectionRefusedError), connect(f"[::1]:{port_of(str(proxy['listen']))}"):
        pass


def add_marker_toxic(api: httpx.Client, name: str) -> None:
    """A toxic named ``kept``: it survives only if the proxy is kept."""
    added = api.post(f"/proxies/{name}/toxics", json={"type": "latency", "name": "kept"})
    assert added.status_code == 200, added.text


def test_populate_keeps_a_proxy_under_an_equivalent_listen_spelling(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    name, port = str(proxy["name"]), port_of(str(proxy["listen"]))
    add_marker_toxic(api, name)
    with connect(str(proxy["listen"])) as sock:
        round_trip(sock)
        body = [{"name": name, "listen": f"localhost:{port}", "upstream": echo.address}]
        response = api.post("/populate", json=body)
        assert response.status_code == 201, response.text
        round_trip(sock)  # the live connection survived
    shown = api.get(f"/proxies/{name}").json()
    assert shown["listen"] == f"127.0.0.1:{port}"
    assert [t["name"] for t in shown["toxics"]] == ["kept"]
    assert echo.accepted == 1


def test_populate_keeps_an_every_interface_proxy_given_its_shown_address(
    api: httpx.Client, echo: EchoServer, names: list[str]
) -> None:
    name = unique("wild")
    names.append(name)
    created = api.post("/proxies", json={"name": name, "upstream": echo.address}).json()
    add_marker_toxic(api, name)
    body = [{"name": name, "listen": created["listen"], "upstream": echo.address}]
    assert api.post("/populate", json=body).status_code == 201
    assert [t["name"] for t in api.get(f"/proxies/{name}").json()["toxics"]] == ["kept"]


@pytest.mark.parametrize("spelling", ["0.0.0.0:{port}", ""])
def test_populate_replaces_an_every_interface_proxy_spelt_otherwise(
    api: httpx.Client, echo: EchoServer, names: list[str], spelling: str
) -> None:
    # the real server compares 0.0.0.0:P (and an empty listen, :0) with [::]:P: they differ,
    # so populating the same 0.0.0.0 config twice drops the proxy's toxics
    name = unique("wild")
    names.append(name)
    created = api.post("/proxies", json={"name": name, "upstream": echo.address}).json()
    add_marker_toxic(api, name)
    listen = spelling.format(port=port_of(created["listen"]))
    body = [{"name": name, "listen": listen, "upstream": echo.address}]
    response = api.post("/populate", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["proxies"][0]["toxics"] == []
    assert_every_interface(response.json()["proxies"][0]["listen"])


def test_patch_with_an_equivalent_listen_spelling_does_not_restart(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    port = port_of(str(proxy["listen"]))
    with connect(str(proxy["listen"])) as sock:
        round_trip(sock)
        response = api.patch(f"/proxies/{proxy['name']}", json={"listen": f"localhost:{port}"})
        assert response.status_code == 200, response.text
        assert response.json()["listen"] == f"127.0.0.1:{port}"
        round_trip(sock)
    assert echo.accepted == 1


# Go's texts for listen addresses that cannot be used (the 256.1.1.1 case is never sent to
# DNS: Go treats an all-numeric name as no host at all)
UNUSABLE = [
    ("notanaddress", "address notanaddress: missing port in address"),
    ("99999", "address 99999: missing port in address"),
    ("127.0.0.1:99999", "address 99999: invalid port"),
    (":-1", "address -1: invalid port"),
    ("127.0.0.1:abc", "lookup tcp/abc: unknown port"),
    ("256.1.1.1:0", "lookup 256.1.1.1: no such host"),
    ("::1:0", "address ::1:0: too many colons in address"),
    ("[::1:0", "address [::1:0: missing ']' in address"),
]


@pytest.mark.parametrize(("listen", "message"), UNUSABLE)
def test_unusable_listen_addresses_get_gos_text(
    api: httpx.Client, echo: EchoServer, listen: str, message: str
) -> None:
    name = unique("badlisten")
    body = {"name": name, "listen": listen, "upstream": echo.address}
    response = api.post("/proxies", json=body)
    assert response.status_code == 500
    assert response.json() == {"error": f"listen tcp: {message}", "status": 500}
    assert api.get(f"/proxies/{name}").status_code == 404


def test_a_busy_port_names_the_address_it_tried(api: httpx.Client, echo: EchoServer) -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        body = {"name": unique("busy"), "listen": f"localhost:{port}", "upstream": echo.address}
        response = api.post("/proxies", json=body)
    assert response.status_code == 500
    assert response.json()["error"] == f"listen tcp 127.0.0.1:{port}: bind: address already in use"


@pytest.mark.parametrize(("listen", "message"), UNUSABLE[:3])
def test_patch_to_an_unusable_listen_is_a_500_and_leaves_the_proxy_running(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer, listen: str, message: str
) -> None:
    proxy = make_proxy(echo.address)
    response = api.patch(f"/proxies/{proxy['name']}", json={"listen": listen})
    assert response.status_code == 500
    assert response.json() == {"error": message, "status": 500}
    assert api.get(f"/proxies/{proxy['name']}").json() == proxy
    with connect(str(proxy["listen"])) as sock:
        round_trip(sock)


def test_populate_over_an_existing_proxy_with_an_unusable_listen_is_a_500(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    body = [{"name": proxy["name"], "listen": "nope", "upstream": echo.address}]
    response = api.post("/populate", json=body)
    assert response.status_code == 500
    assert response.json() == {
        "error": "address nope: missing port in address",
        "status": 500,
        "proxies": None,
    }
    assert api.get(f"/proxies/{proxy['name']}").json()["enabled"] is True
