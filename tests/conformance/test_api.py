"""The HTTP API's general rules: routing answers, headers, error bodies, version."""

from __future__ import annotations

import httpx
import pytest

from .conftest import ProxyFactory, unique
from .support import EchoServer

pytestmark = pytest.mark.conformance

REQUEST_ID = "X-Toxiproxy-Request-Id"


def test_unknown_path_is_a_plain_text_404_without_request_id(api: httpx.Client) -> None:
    response = api.get("/no/such/path")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert "404 page not found" in response.text
    assert REQUEST_ID not in response.headers


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "/reset"), ("PUT", "/proxies"), ("DELETE", "/populate"), ("POST", "/version")],
)
def test_wrong_method_is_an_empty_405_without_request_id(
    api: httpx.Client, method: str, path: str
) -> None:
    response = api.request(method, path)
    assert response.status_code == 405
    assert response.content == b""
    assert REQUEST_ID not in response.headers


def test_every_routed_response_carries_a_request_id(api: httpx.Client) -> None:
    for response in (
        api.get("/proxies"),
        api.get("/version"),
        api.get(f"/proxies/{unique('missing')}"),
        api.post("/proxies", content=b"{"),
    ):
        assert response.headers.get(REQUEST_ID), response.request.url


def test_browser_user_agent_is_refused(api: httpx.Client) -> None:
    response = api.get("/proxies", headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"})
    assert response.status_code == 403
    assert response.text.strip() == "User agent not allowed"
    # negative control: a non-browser agent passes
    assert api.get("/proxies", headers={"User-Agent": "curl/8.0"}).status_code == 200


def test_version(api: httpx.Client) -> None:
    response = api.get("/version")
    assert response.status_code == 200
    assert isinstance(response.json()["version"], str)


def test_error_body_is_json_with_status_and_a_newline(api: httpx.Client) -> None:
    response = api.get(f"/proxies/{unique('missing')}")
    assert response.status_code == 404
    assert response.content.endswith(b"\n")
    assert response.json() == {"error": "proxy not found", "status": 404}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "bad request body"),
        (b"{not json", "bad request body"),
        (b'{"upstream": "127.0.0.1:1"}', "missing required field: name"),
        (b'{"name": "x_missing_upstream"}', "missing required field: upstream"),
    ],
)
def test_create_proxy_rejects_bad_bodies(api: httpx.Client, body: bytes, message: str) -> None:
    response = api.post("/proxies", content=body)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    assert response.json()["status"] == 400


def test_body_is_json_whatever_the_content_type_and_unknown_fields_are_ignored(
    api: httpx.Client, echo: EchoServer
) -> None:
    name = unique("ctype")
    body = f'{{"name":"{name}","listen":"127.0.0.1:0","upstream":"{echo.address}","x":1}}'
    response = api.post("/proxies", content=body, headers={"Content-Type": "text/plain"})
    try:
        assert response.status_code == 201, response.text
        assert response.json()["name"] == name
    finally:
        api.delete(f"/proxies/{name}")


def test_proxy_index_is_an_object_keyed_by_name(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    index = api.get("/proxies").json()
    assert index[str(proxy["name"])] == proxy


def test_proxy_json_shape(make_proxy: ProxyFactory, echo: EchoServer) -> None:
    proxy = make_proxy(echo.address)
    assert proxy["upstream"] == echo.address
    assert proxy["enabled"] is True
    assert proxy["toxics"] == []
    assert {"name", "listen", "upstream", "enabled", "toxics"} <= set(proxy)


def test_duplicate_proxy_is_409(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    body = {"name": proxy["name"], "listen": "127.0.0.1:0", "upstream": echo.address}
    response = api.post("/proxies", json=body)
    assert response.status_code == 409
    assert response.json() == {"error": "proxy already exists", "status": 409}


def test_missing_proxy_is_404_on_every_proxy_route(api: httpx.Client) -> None:
    name = unique("missing")
    for method, path, body in (
        ("GET", f"/proxies/{name}", None),
        ("PATCH", f"/proxies/{name}", {"enabled": False}),
        ("POST", f"/proxies/{name}", {"enabled": False}),
        ("DELETE", f"/proxies/{name}", None),
        ("GET", f"/proxies/{name}/toxics", None),
        ("POST", f"/proxies/{name}/toxics", {"type": "latency"}),
        ("GET", f"/proxies/{name}/toxics/t", None),
        ("PATCH", f"/proxies/{name}/toxics/t", {}),
        ("DELETE", f"/proxies/{name}/toxics/t", None),
    ):
        response = api.request(method, path, json=body)
        assert response.status_code == 404, (method, path, response.text)
        assert response.json()["error"] == "proxy not found"


def test_keep_alive_serves_several_requests_on_one_connection(toxiproxy_url: str) -> None:
    transport = httpx.HTTPTransport(retries=0)
    with httpx.Client(base_url=toxiproxy_url, transport=transport, timeout=10) as client:
        for _ in range(5):
            assert client.get("/version").status_code == 200


def test_malformed_http_is_a_400_and_the_server_keeps_serving(
    api: httpx.Client, toxiproxy_url: str
) -> None:
    import socket  # noqa: PLC0415

    host, port = toxiproxy_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"THIS IS NOT HTTP\r\n\r\n")
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 400")
    assert api.get("/version").status_code == 200


def test_patch_with_a_bad_body_is_400(
    api: httpx.Client, make_proxy: ProxyFactory, echo: EchoServer
) -> None:
    proxy = make_proxy(echo.address)
    response = api.patch(f"/proxies/{proxy['name']}", content=b"{oops")
    assert response.status_code == 400
    assert response.json()["error"].startswith("bad request body")
    bad_type = api.patch(f"/proxies/{proxy['name']}", json={"enabled": "yes"})
    assert bad_type.status_code == 400
    assert api.get(f"/proxies/{proxy['name']}").json()["enabled"] is True


def test_expect_100_continue_is_honoured(api: httpx.Client, echo: EchoServer) -> None:
    import socket  # noqa: PLC0415

    host, port = str(api.base_url).removeprefix("http://").rstrip("/").rsplit(":", 1)
    name = unique("expect")
    body = f'{{"name":"{name}","listen":"127.0.0.1:0","upstream":"{echo.address}"}}'.encode()
    head = (
        f"POST /proxies HTTP/1.1\r\nHost: {host}\r\nContent-Length: {len(body)}\r\n"
        "Expect: 100-continue\r\n\r\n"
    ).encode()
    try:
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(head)
            assert sock.recv(4096).startswith(b"HTTP/1.1 100")
            sock.sendall(body)
            assert sock.recv(4096).startswith(b"HTTP/1.1 201")
    finally:
        api.delete(f"/proxies/{name}")
