"""Proxy lifecycle: listen resolution, enable/disable, update, delete, populate, reset."""

from __future__ import annotations

import socket

import httpx
import pytest

from .conftest import ProxyFactory, unique
from .support import EchoServer, connect, recv_until_closed, refused, round_trip, wait_until

pytestmark = pytest.mark.conformance


def test_listen_port_zero_comes_back_resolved(make_proxy: ProxyFactory, echo: EchoServer) -> None:
    proxy = make_proxy(echo.address)
    host, port = str(proxy["listen"]).rsplit(":", 1)
    assert host == "127.0.0.1"
    assert int(port) > 0
    with connect(str(proxy["listen"])) as sock:
        round_trip(sock)


def test_localhost_is_resolved_to_loopback(make_proxy: ProxyFactory, echo: EchoServer) -> None:
    proxy = make_proxy(echo.address, listen="localhost:0")
    assert str(proxy["listen"]).startswith("127.0.0.1:")
    assert not str(proxy["listen"]).endswith(":0")


def test_disabled_proxy_does_not_listen_and_echoes_listen_unresolved(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address, enabled=False)
    assert proxy["enabled"] is False
    assert proxy["listen"] == "127.0.0.1:0"
    enabled = api.patch(f"/proxies/{proxy['name']}", json={"enabled": True})
    assert enabled.status_code == 200
    assert not str(enabled.json()["listen"]).endswith(":0")


def test_disable_closes_listener_and_connections_and_enable_rebinds_same_port(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    listen = str(proxy["listen"])
    with connect(listen) as sock:
        round_trip(sock)
        disabled = api.patch(f"/proxies/{proxy['name']}", json={"enabled": False})
        assert disabled.status_code == 200
        assert disabled.json()["enabled"] is False
        assert recv_until_closed_or_reset(sock) == b""
    assert refused(listen)
    enabled = api.patch(f"/proxies/{proxy['name']}", json={"enabled": True})
    assert enabled.json()["listen"] == listen
    with connect(listen) as sock:
        round_trip(sock)


def recv_until_closed_or_reset(sock: socket.socket) -> bytes:
    try:
        return recv_until_closed(sock)
    except ConnectionResetError:
        return b""


def test_deprecated_post_updates_like_patch(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    response = api.post(f"/proxies/{proxy['name']}", json={"enabled": False})
    assert response.status_code == 200
    assert response.json()["enabled"] is False


def test_changing_upstream_restarts_the_proxy(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    other = EchoServer().start()
    try:
        proxy = make_proxy(echo.address)
        with connect(str(proxy["listen"])) as sock:
            round_trip(sock)
            response = api.patch(f"/proxies/{proxy['name']}", json={"upstream": other.address})
            assert response.status_code == 200
            assert response.json()["upstream"] == other.address
            assert recv_until_closed_or_reset(sock) == b""
        with connect(str(response.json()["listen"])) as sock:
            round_trip(sock)
        assert other.accepted == 1
    finally:
        other.stop()


def test_patch_listen_to_a_busy_port_is_500_and_leaves_proxy_disabled(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    busy = socket.create_server(("127.0.0.1", 0))
    try:
        busy_listen = f"127.0.0.1:{busy.getsockname()[1]}"
        proxy = make_proxy(echo.address)
        response = api.patch(f"/proxies/{proxy['name']}", json={"listen": busy_listen})
        assert response.status_code == 500
        assert response.json()["status"] == 500
        assert "address already in use" in response.json()["error"]
        shown = api.get(f"/proxies/{proxy['name']}").json()
        assert shown["enabled"] is False
        assert shown["listen"] == busy_listen
    finally:
        busy.close()


def test_create_on_a_busy_port_is_500_and_the_proxy_is_not_added(
    api: httpx.Client, echo: EchoServer
) -> None:
    busy = socket.create_server(("127.0.0.1", 0))
    name = unique("busy")
    try:
        listen = f"127.0.0.1:{busy.getsockname()[1]}"
        response = api.post(
            "/proxies", json={"name": name, "listen": listen, "upstream": echo.address}
        )
        assert response.status_code == 500
        assert "address already in use" in response.json()["error"]
        assert api.get(f"/proxies/{name}").status_code == 404
    finally:
        busy.close()
        api.delete(f"/proxies/{name}")


def test_delete_closes_listener_and_connections(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    listen = str(proxy["listen"])
    with connect(listen) as sock:
        round_trip(sock)
        response = api.delete(f"/proxies/{proxy['name']}")
        assert response.status_code == 204
        assert response.content == b""
        assert recv_until_closed_or_reset(sock) == b""
    assert refused(listen)
    assert api.get(f"/proxies/{proxy['name']}").status_code == 404


def test_unreachable_upstream_accepts_then_closes(make_proxy: ProxyFactory) -> None:
    dead = socket.create_server(("127.0.0.1", 0))
    dead_address = f"127.0.0.1:{dead.getsockname()[1]}"
    dead.close()
    proxy = make_proxy(dead_address)
    with connect(str(proxy["listen"])) as sock:  # accepted, not refused
        assert recv_until_closed_or_reset(sock) == b""


def test_populate_creates_and_answers_201(api: httpx.Client, echo: EchoServer) -> None:
    names = [unique("pop"), unique("pop")]
    body = [{"name": n, "listen": "127.0.0.1:0", "upstream": echo.address} for n in names]
    try:
        response = api.post("/populate", json=body)
        assert response.status_code == 201, response.text
        assert [p["name"] for p in response.json()["proxies"]] == names
        for proxy in response.json()["proxies"]:
            with connect(proxy["listen"]) as sock:
                round_trip(sock)
    finally:
        for n in names:
            api.delete(f"/proxies/{n}")


def test_populate_empty_array_gives_null(api: httpx.Client) -> None:
    response = api.post("/populate", json=[])
    assert response.status_code == 201
    assert response.json() == {"proxies": None}


def test_populate_missing_name_names_the_entry(api: httpx.Client, echo: EchoServer) -> None:
    name = unique("pop")
    body = [{"name": name, "upstream": echo.address}, {"upstream": echo.address}]
    response = api.post("/populate", json=body)
    assert response.status_code == 400
    assert response.json()["error"] == "missing required field: name at proxy 2"
    assert response.json()["proxies"] is None
    api.delete(f"/proxies/{name}")


def test_populate_keeps_an_identical_proxy_and_replaces_a_changed_one(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    kept = make_proxy(echo.address)
    changed = make_proxy(echo.address)
    for proxy in (kept, changed):
        added = api.post(f"/proxies/{proxy['name']}/toxics", json={"type": "latency"})
        assert added.status_code == 200
    with connect(str(kept["listen"])) as sock:
        round_trip(sock)
        body = [
            {
                "name": kept["name"],
                "listen": kept["listen"],
                "upstream": echo.address,
                "enabled": False,
            },
            {"name": changed["name"], "listen": "127.0.0.1:0", "upstream": echo.address},
        ]
        response = api.post("/populate", json=body)
        assert response.status_code == 201, response.text
        # the identical proxy keeps its toxics and live connection; enabled is ignored
        round_trip(sock)
    shown_kept = api.get(f"/proxies/{kept['name']}").json()
    assert shown_kept["enabled"] is True
    assert len(shown_kept["toxics"]) == 1
    assert api.get(f"/proxies/{changed['name']}").json()["toxics"] == []


def test_reset_enables_proxies_and_removes_toxics_keeping_connections(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    live = make_proxy(echo.address)
    off = make_proxy(echo.address)
    api.post(
        f"/proxies/{live['name']}/toxics", json={"type": "latency", "attributes": {"latency": 1}}
    )
    api.patch(f"/proxies/{off['name']}", json={"enabled": False})
    with connect(str(live["listen"])) as sock:
        round_trip(sock)
        response = api.post("/reset")
        assert response.status_code == 204
        round_trip(sock)
    assert api.get(f"/proxies/{live['name']}").json()["toxics"] == []
    assert api.get(f"/proxies/{off['name']}").json()["enabled"] is True
    wait_until(lambda: not refused(str(off["listen"])), "the re-enabled proxy to listen")


def test_populate_failing_midway_is_500_with_the_proxies_done(
    api: httpx.Client, echo: EchoServer
) -> None:
    busy = socket.create_server(("127.0.0.1", 0))
    first, second = unique("pop"), unique("pop")
    body = [
        {"name": first, "listen": "127.0.0.1:0", "upstream": echo.address},
        {"name": second, "listen": f"127.0.0.1:{busy.getsockname()[1]}", "upstream": echo.address},
    ]
    try:
        response = api.post("/populate", json=body)
        assert response.status_code == 500
        assert response.json()["status"] == 500
        assert "address already in use" in response.json()["error"]
        assert [p["name"] for p in response.json()["proxies"]] == [first]
        assert api.get(f"/proxies/{second}").status_code == 404
    finally:
        busy.close()
        api.delete(f"/proxies/{first}")
        api.delete(f"/proxies/{second}")


def test_populate_that_cannot_bind_a_replacement_leaves_the_old_proxy_stopped(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    added = api.post(f"/proxies/{proxy['name']}/toxics", json={"type": "latency"})
    assert added.status_code == 200
    with socket.create_server(("127.0.0.1", 0)) as busy:
        listen = f"127.0.0.1:{busy.getsockname()[1]}"
        body = [{"name": proxy["name"], "listen": listen, "upstream": echo.address}]
        response = api.post("/populate", json=body)
        assert response.status_code == 500
        assert "address already in use" in response.json()["error"]
    shown = api.get(f"/proxies/{proxy['name']}").json()
    assert shown["enabled"] is False
    assert shown["listen"] == proxy["listen"]
    assert [t["name"] for t in shown["toxics"]] == ["latency_downstream"]
    assert refused(str(proxy["listen"]))
