"""Values of the wrong JSON type: 400 with Go's encoding/json text, naming the Go struct field.

The real server decodes bodies into Go structs; its error names the first field in document
order that cannot hold its value. Clients that match on these texts see the same ones.
"""

from __future__ import annotations

import httpx
import pytest

from .conftest import ProxyFactory
from .support import EchoServer

pytestmark = pytest.mark.conformance

PREFIX = "bad request body: json: cannot unmarshal "


@pytest.fixture
def proxy_path(make_proxy: ProxyFactory, echo: EchoServer) -> str:
    return f"/proxies/{make_proxy(echo.address)['name']}"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '{"type":"latency","attributes":{"latency":"abc"}}',
            "string into Go struct field LatencyToxic.attributes.latency of type int64",
        ),
        (
            '{"type":"latency","attributes":{"latency":1.5}}',
            "number 1.5 into Go struct field LatencyToxic.attributes.latency of type int64",
        ),
        (
            '{"type":"latency","attributes":{"latency":1e30}}',
            "number 1e30 into Go struct field LatencyToxic.attributes.latency of type int64",
        ),
        (
            '{"type":"latency","attributes":{"jitter":true}}',
            "bool into Go struct field LatencyToxic.attributes.jitter of type int64",
        ),
        (
            '{"type":"latency","attributes":{"jitter":"a","latency":"b"}}',
            "string into Go struct field LatencyToxic.attributes.jitter of type int64",
        ),
        (
            '{"type":"slicer","attributes":{"average_size":[1]}}',
            "array into Go struct field SlicerToxic.attributes.average_size of type int",
        ),
        (
            '{"type":"reset_peer","attributes":{"timeout":{}}}',
            "object into Go struct field ResetToxic.attributes.timeout of type int64",
        ),
        (
            '{"type":"limit_data","attributes":{"bytes":99999999999999999999}}',
            "number 99999999999999999999 into Go struct field "
            "LimitDataToxic.attributes.bytes of type int64",
        ),
        (
            '{"type":"latency","attributes":"x"}',
            "string into Go struct field ToxicWrapper.attributes of type toxics.NoopToxic",
        ),
        (
            '{"type":"latency","toxicity":"high"}',
            "string into Go struct field ToxicWrapper.toxicity of type float32",
        ),
        (
            '{"type":"latency","toxicity":1e39}',
            "number 1e39 into Go struct field ToxicWrapper.toxicity of type float32",
        ),
        ('{"type":5}', "number into Go struct field ToxicWrapper.type of type string"),
        (
            '{"stream":true,"type":5}',
            "bool into Go struct field ToxicWrapper.stream of type string",
        ),
        ("[1]", "array into Go value of type toxics.ToxicWrapper"),
    ],
)
def test_toxic_create(api: httpx.Client, proxy_path: str, body: str, message: str) -> None:
    response = api.post(f"{proxy_path}/toxics", content=body)
    assert response.status_code == 400
    assert response.json() == {"error": PREFIX + message, "status": 400}
    assert api.get(f"{proxy_path}/toxics").json() == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '{"attributes":{"latency":"x"}}',
            "string into Go struct field LatencyToxic.attributes.latency of type int64",
        ),
        (
            '{"attributes":"x"}',
            "string into Go struct field .attributes of type toxics.LatencyToxic",
        ),
        ('{"toxicity":"x"}', "string into Go struct field .toxicity of type float32"),
        (
            '{"attributes":{"latency":"x"},"toxicity":"y"}',
            "string into Go struct field LatencyToxic.attributes.latency of type int64",
        ),
        (
            "[]",
            'array into Go value of type struct { Attributes interface {} "json:\\"attributes\\""; '
            'Toxicity float32 "json:\\"toxicity\\"" }',
        ),
    ],
)
def test_toxic_update(api: httpx.Client, proxy_path: str, body: str, message: str) -> None:
    created = api.post(f"{proxy_path}/toxics", json={"type": "latency", "name": "lat"})
    assert created.status_code == 200
    response = api.patch(f"{proxy_path}/toxics/lat", content=body)
    assert response.status_code == 400
    assert response.json() == {"error": PREFIX + message, "status": 400}
    assert api.get(f"{proxy_path}/toxics/lat").json() == created.json()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"name":5}', "number into Go struct field Proxy.name of type string"),
        (
            '{"name":"x","upstream":["y"]}',
            "array into Go struct field Proxy.upstream of type string",
        ),
        ('{"enabled":"no","name":7}', "string into Go struct field Proxy.enabled of type bool"),
        ("[]", "array into Go value of type toxiproxy.Proxy"),
    ],
)
def test_proxy_create(api: httpx.Client, body: str, message: str) -> None:
    response = api.post("/proxies", content=body)
    assert response.status_code == 400
    assert response.json() == {"error": PREFIX + message, "status": 400}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"enabled":"yes"}', "string into Go struct field Proxy.enabled of type bool"),
        ('{"listen":5}', "number into Go struct field Proxy.listen of type string"),
    ],
)
def test_proxy_update(api: httpx.Client, proxy_path: str, body: str, message: str) -> None:
    before = api.get(proxy_path).json()
    response = api.patch(proxy_path, content=body)
    assert response.status_code == 400
    assert response.json() == {"error": PREFIX + message, "status": 400}
    assert api.get(proxy_path).json() == before


ENTRY = 'struct { toxiproxy.Proxy; Enabled *bool "json:\\"enabled\\"" }'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[{"name":5}]', "number into Go struct field .Proxy.name of type string"),
        (
            '[{"name":"q","upstream":"x:1","enabled":"no"}]',
            "string into Go struct field .enabled of type bool",
        ),
        ("[5]", f"number into Go value of type {ENTRY}"),
        ("{}", f"object into Go value of type []{ENTRY}"),
    ],
)
def test_populate(api: httpx.Client, body: str, message: str) -> None:
    response = api.post("/populate", content=body)
    assert response.status_code == 400
    assert response.json() == {"error": PREFIX + message, "status": 400, "proxies": None}


def test_null_bodies_leave_the_defaults(api: httpx.Client, proxy_path: str) -> None:
    assert api.post("/proxies", content=b"null").json()["error"] == "missing required field: name"
    assert api.post("/populate", content=b"null").json() == {"proxies": None}
    populate_null = api.post("/populate", content=b"[null]").json()
    assert populate_null["error"] == "missing required field: name at proxy 1"
    assert api.post(f"{proxy_path}/toxics", content=b"null").json()["error"] == "invalid toxic type"
    before = api.get(proxy_path).json()
    patched = api.patch(proxy_path, content=b"null")
    assert patched.status_code == 200
    assert patched.json() == before
