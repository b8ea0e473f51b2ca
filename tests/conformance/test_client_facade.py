"""The typed client facade (chaos.toxiproxy_client) against the server under test."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import pytest

from chaos.toxiproxy_client import (
    AlreadyExists,
    InvalidRequest,
    NotFound,
    ProxyHandle,
    ServerError,
    ToxiproxyClient,
    Unreachable,
)

from .conftest import unique
from .support import EchoServer, connect, refused, round_trip

pytestmark = pytest.mark.conformance


@pytest.fixture
def client(toxiproxy_url: str) -> Iterator[ToxiproxyClient]:
    with ToxiproxyClient(toxiproxy_url) as c:
        yield c


@pytest.fixture
def proxy(client: ToxiproxyClient, echo: EchoServer) -> Iterator[ProxyHandle]:
    handle = client.create_proxy(unique("facade"), "127.0.0.1:0", echo.address)
    yield handle
    with contextlib.suppress(NotFound):
        handle.delete()


def test_create_get_and_listen_port(client: ToxiproxyClient, proxy: ProxyHandle) -> None:
    assert proxy.listen_port > 0
    assert proxy.enabled
    fetched = client.get_proxy(proxy.name)
    assert fetched.listen == proxy.listen
    assert proxy.name in client.proxies()
    with connect(proxy.listen) as sock:
        round_trip(sock)


def test_toxic_add_update_remove(proxy: ProxyHandle) -> None:
    toxic = proxy.add_toxic("latency", attributes={"latency": 300, "jitter": 0})
    assert toxic.name == "latency_downstream"
    assert toxic.attributes == {"latency": 300, "jitter": 0}
    with connect(proxy.listen) as sock:
        assert round_trip(sock) >= 0.29
        updated = toxic.update(latency=5)
        assert updated.attributes == {"latency": 5, "jitter": 0}
        assert round_trip(sock) < 0.29
    assert [t.name for t in proxy.list_toxics()] == ["latency_downstream"]
    toxic.remove()
    assert proxy.list_toxics() == []


def test_disable_enable(proxy: ProxyHandle) -> None:
    proxy.disable()
    assert refused(proxy.listen)
    proxy.enable()
    assert proxy.enabled
    with connect(proxy.listen) as sock:
        round_trip(sock)


def test_errors_map_to_the_hierarchy(
    client: ToxiproxyClient, proxy: ProxyHandle, echo: EchoServer
) -> None:
    with pytest.raises(AlreadyExists) as exists:
        client.create_proxy(proxy.name, "127.0.0.1:0", echo.address)
    assert exists.value.status == 409
    with pytest.raises(NotFound) as missing:
        client.get_proxy(unique("missing"))
    assert missing.value.status == 404
    with pytest.raises(InvalidRequest) as invalid:
        proxy.add_toxic("no_such_type")
    assert invalid.value.message == "invalid toxic type"
    proxy.add_toxic("noop", name="dup")
    with pytest.raises(AlreadyExists):
        proxy.add_toxic("noop", name="dup")
    with pytest.raises(NotFound):
        proxy.remove_toxic("ghost")
    with pytest.raises(NotFound):
        proxy.update_toxic("ghost", attributes={"latency": 1})


def test_bind_failure_is_a_server_error_with_the_os_message(
    client: ToxiproxyClient, echo: EchoServer
) -> None:
    busy = socket.create_server(("127.0.0.1", 0))
    try:
        with pytest.raises(ServerError) as caught:
            client.create_proxy(unique("busy"), f"127.0.0.1:{busy.getsockname()[1]}", echo.address)
        assert caught.value.status == 500
        assert "address already in use" in caught.value.message
    finally:
        busy.close()


def test_populate_reset_version(client: ToxiproxyClient, echo: EchoServer) -> None:
    name = unique("pop")
    handles = client.populate([{"name": name, "listen": "127.0.0.1:0", "upstream": echo.address}])
    try:
        assert [h.name for h in handles] == [name]
        handles[0].add_toxic("latency", attributes={"latency": 1})
        handles[0].disable()
        client.reset()
        refreshed = handles[0].refresh()
        assert refreshed.enabled
        assert refreshed.toxics == []
        assert client.version()
    finally:
        handles[0].delete()


def test_an_unreachable_server_fails_fast() -> None:
    dead = socket.create_server(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{dead.getsockname()[1]}"
    dead.close()
    with ToxiproxyClient(url, timeout=2) as client:
        start = time.monotonic()
        with pytest.raises(Unreachable):
            client.version()
        with pytest.raises(Unreachable):
            client.get_proxy("x")
        assert time.monotonic() - start < 10


def test_a_hung_server_times_out_every_call() -> None:
    # a server that accepts connections and never answers: the kernel completes the handshake
    hung = socket.create_server(("127.0.0.1", 0), backlog=16)
    url = f"http://127.0.0.1:{hung.getsockname()[1]}"
    try:
        with ToxiproxyClient(url, timeout=0.5) as client:
            calls = {
                "version": client.version,
                "get_proxy": lambda: client.get_proxy("x"),
                "proxies": client.proxies,
            }
            for name, call in calls.items():
                start = time.monotonic()
                with pytest.raises(Unreachable):
                    call()
                took = time.monotonic() - start
                # a bound, not a benchmark: without a timeout the call never returns
                assert took < 10, f"{name} took {took:.1f} s against a hung server"
    finally:
        hung.close()
