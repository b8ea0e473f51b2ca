"""The server under test driven by toxiproxy-python, the PyPI client users already have:
what a user's existing script does (create, toxics, down, populate, reset, destroy) works
unchanged against it, as against a real Toxiproxy.

toxiproxy-python keeps its server address in class-level globals: this module points them at
the server under test and puts them back (one test at a time per process, as under xdist).
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from toxiproxy import Toxiproxy
from toxiproxy.api import APIConsumer

from .conftest import unique
from .support import EchoServer, connect, refused, round_trip

pytestmark = pytest.mark.conformance


@pytest.fixture
def server(toxiproxy_url: str) -> Iterator[Toxiproxy]:
    saved = APIConsumer.host, APIConsumer.port
    parts = urlsplit(toxiproxy_url)
    client = Toxiproxy()
    client.update_api_consumer(parts.hostname, parts.port)
    try:
        yield client
    finally:
        APIConsumer.host, APIConsumer.port = saved


def test_create_toxic_down_and_destroy(server: Toxiproxy, echo: EchoServer) -> None:
    name = unique("pypi")
    proxy = server.create(upstream=echo.address, name=name, listen="127.0.0.1:0")
    try:
        with connect(proxy.listen) as sock:
            round_trip(sock, b"hello")
        proxy.add_toxic(type="latency", name="slow", attributes={"latency": 50})
        assert set(proxy.toxics()) == {"slow"}
        assert proxy.get_toxic("slow").attributes["latency"] == 50
        assert proxy.destroy_toxic("slow")
        assert proxy.toxics() == {}
        with proxy.down():
            assert refused(proxy.listen)
        with connect(proxy.listen) as sock:
            round_trip(sock, b"back")
        assert server.get_proxy(name) is not None
    finally:
        assert server.destroy(proxy)
    assert server.get_proxy(name) is None


def test_populate_and_reset(server: Toxiproxy, echo: EchoServer) -> None:
    names = [unique("pypi-pop"), unique("pypi-pop")]
    made = server.populate(
        [{"name": n, "upstream": echo.address, "listen": "127.0.0.1:0"} for n in names]
    )
    try:
        assert sorted(p.name for p in made) == sorted(names)
        made[0].add_toxic(type="timeout", attributes={"timeout": 0})
        made[1].disable()
        assert server.reset()
        proxies = server.proxies()
        assert all(proxies[n].enabled for n in names)
        assert proxies[names[0]].toxics() == {}
    finally:
        for proxy in made:
            server.destroy(proxy)
