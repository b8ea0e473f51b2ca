"""Toxic endpoints: defaults, validation order, listing order, update merge, delete."""

from __future__ import annotations

import httpx
import pytest

from .conftest import ProxyFactory
from .support import EchoServer

pytestmark = pytest.mark.conformance


@pytest.fixture
def toxics_path(make_proxy: ProxyFactory, echo: EchoServer) -> str:
    return f"/proxies/{make_proxy(echo.address)['name']}/toxics"


def test_create_answers_200_with_defaults(api: httpx.Client, toxics_path: str) -> None:
    response = api.post(toxics_path, json={"type": "latency", "attributes": {"latency": 5}})
    assert response.status_code == 200
    assert response.json() == {
        "name": "latency_downstream",
        "type": "latency",
        "stream": "downstream",
        "toxicity": 1,
        "attributes": {"latency": 5, "jitter": 0},
    }


@pytest.mark.parametrize(
    ("type_name", "attributes"),
    [
        ("latency", {"latency": 0, "jitter": 0}),
        ("slow_close", {"delay": 0}),
        ("timeout", {"timeout": 0}),
        ("reset_peer", {"timeout": 0}),
        ("limit_data", {"bytes": 0}),
        ("noop", {}),
    ],
)
def test_each_type_shows_its_attributes(
    api: httpx.Client, toxics_path: str, type_name: str, attributes: dict[str, int]
) -> None:
    response = api.post(toxics_path, json={"type": type_name})
    assert response.status_code == 200, response.text
    assert response.json()["attributes"] == attributes


def test_stream_is_case_insensitive_and_echoed_as_sent(api: httpx.Client, toxics_path: str) -> None:
    response = api.post(toxics_path, json={"type": "noop", "stream": "UpStream"})
    assert response.status_code == 200
    assert response.json()["stream"] == "UpStream"
    assert response.json()["name"] == "noop_UpStream"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (
            {"type": "latency", "stream": "sideways"},
            400,
            "stream was invalid, can be either upstream or downstream",
        ),
        ({"type": "no_such_toxic"}, 400, "invalid toxic type"),
        ({"stream": "upstream"}, 400, "invalid toxic type"),
        ({"type": "latency", "attributes": {"latency": "slow"}}, 400, "bad request body"),
        ({"type": "latency", "toxicity": "high"}, 400, "bad request body"),
    ],
)
def test_invalid_toxics_are_rejected(
    api: httpx.Client, toxics_path: str, body: dict[str, object], status: int, message: str
) -> None:
    response = api.post(toxics_path, json=body)
    assert response.status_code == status
    assert response.json()["error"].startswith(message)
    assert api.get(toxics_path).json() == []


def test_stream_is_validated_before_type(api: httpx.Client, toxics_path: str) -> None:
    response = api.post(toxics_path, json={"type": "nope", "stream": "nope"})
    assert response.json()["error"].startswith("stream was invalid")


def test_bad_json_is_checked_first(api: httpx.Client, toxics_path: str) -> None:
    response = api.post(toxics_path, content=b"{nope")
    assert response.status_code == 400
    assert response.json()["error"].startswith("bad request body")


def test_names_are_unique_across_streams(api: httpx.Client, toxics_path: str) -> None:
    first = api.post(toxics_path, json={"type": "noop", "name": "same", "stream": "upstream"})
    assert first.status_code == 200
    second = api.post(toxics_path, json={"type": "latency", "name": "same"})
    assert second.status_code == 409
    assert second.json() == {"error": "toxic already exists", "status": 409}


def test_unvalidated_values_are_accepted(api: httpx.Client, toxics_path: str) -> None:
    body = {"type": "latency", "toxicity": 7.5, "attributes": {"latency": -3, "bogus": 1}}
    response = api.post(toxics_path, json=body)
    assert response.status_code == 200
    assert response.json()["toxicity"] == 7.5
    assert response.json()["attributes"] == {"latency": -3, "jitter": 0}


def test_listing_is_upstream_first_then_insertion_order(
    api: httpx.Client, toxics_path: str
) -> None:
    for name, stream in (
        ("d1", "downstream"),
        ("u1", "upstream"),
        ("d2", "downstream"),
        ("u2", "upstream"),
    ):
        assert api.post(
            toxics_path, json={"type": "noop", "name": name, "stream": stream}
        ).is_success
    assert [t["name"] for t in api.get(toxics_path).json()] == ["u1", "u2", "d1", "d2"]
    proxy_path = toxics_path.rsplit("/", 1)[0]
    assert [t["name"] for t in api.get(proxy_path).json()["toxics"]] == ["u1", "u2", "d1", "d2"]


def test_show_update_delete(api: httpx.Client, toxics_path: str) -> None:
    body = {
        "type": "latency",
        "name": "lat",
        "toxicity": 0.5,
        "attributes": {"latency": 10, "jitter": 2},
    }
    api.post(toxics_path, json=body)
    assert api.get(f"{toxics_path}/lat").json()["attributes"] == {"latency": 10, "jitter": 2}

    updated = api.patch(f"{toxics_path}/lat", json={"attributes": {"latency": 20}})
    assert updated.status_code == 200
    # attributes merge; an omitted toxicity keeps its value
    assert updated.json()["attributes"] == {"latency": 20, "jitter": 2}
    assert updated.json()["toxicity"] == 0.5

    posted = api.post(f"{toxics_path}/lat", json={"toxicity": 1})
    assert posted.status_code == 200
    assert posted.json()["toxicity"] == 1
    assert posted.json()["attributes"] == {"latency": 20, "jitter": 2}

    bad = api.patch(f"{toxics_path}/lat", json={"attributes": {"latency": "x"}})
    assert bad.status_code == 400
    assert api.get(f"{toxics_path}/lat").json()["attributes"]["latency"] == 20

    deleted = api.delete(f"{toxics_path}/lat")
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert api.get(f"{toxics_path}/lat").status_code == 404


def test_missing_toxic_is_404(api: httpx.Client, toxics_path: str) -> None:
    for method in ("GET", "PATCH", "POST", "DELETE"):
        response = api.request(
            method, f"{toxics_path}/ghost", json={} if method in ("PATCH", "POST") else None
        )
        assert response.status_code == 404, method
        assert response.json() == {"error": "toxic not found", "status": 404}
