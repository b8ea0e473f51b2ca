"""The service's routes as plain HTTP calls (httpx), for the integration tests."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

TIMEOUT = 5.0
WORKER_ID = re.compile(r"^w(\d+)-(\d+)$")


@dataclass(frozen=True)
class Pair:
    access: str
    refresh: str


def login(url: str, user: str = "alice", password: str = "alice-pw") -> Pair:  # noqa: S107
    answer = httpx.post(
        url + "/auth/login", json={"username": user, "password": password}, timeout=TIMEOUT
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Pair(body["access_token"], body["refresh_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def verify(url: str, token: str, timeout: float = TIMEOUT) -> httpx.Response:
    return httpx.get(url + "/auth/verify", headers=bearer(token), timeout=timeout)


def logout(url: str, token: str) -> httpx.Response:
    return httpx.post(url + "/auth/logout", headers=bearer(token), timeout=TIMEOUT)


def refresh(url: str, token: str) -> httpx.Response:
    return httpx.post(url + "/auth/refresh", json={"refresh_token": token}, timeout=TIMEOUT)


def worker_of(answer: httpx.Response) -> tuple[int, int]:
    """(slot, pid) from X-Worker-Id."""
    found = WORKER_ID.match(answer.headers.get("x-worker-id", ""))
    assert found, f"bad X-Worker-Id: {answer.headers.get('x-worker-id')!r}"
    return int(found.group(1)), int(found.group(2))


def serving(url: str) -> tuple[str, int]:
    """The X-Worker-Id and pid of the worker that answers ``url``'s /health."""
    answer = httpx.get(url + "/health", timeout=TIMEOUT)
    return answer.headers["x-worker-id"], worker_of(answer)[1]


def metric(url: str, name: str, **labels: str) -> float:
    """Sum of the series of ``name`` whose labels include ``labels``."""
    text = httpx.get(url + "/metrics", timeout=TIMEOUT).text
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        head, _, value = line.rpartition(" ")
        if all(f'{k}="{v}"' in head for k, v in labels.items()):
            total += float(value)
    return total


def wait_for(what: str, condition: Callable[[], object], timeout: float) -> object:
    """Poll ``condition`` until truthy; on timeout raise with the last value seen."""
    deadline = time.monotonic() + timeout
    seen: object = None
    while time.monotonic() < deadline:
        try:
            seen = condition()
        except httpx.HTTPError as exc:
            seen = exc
        else:
            if seen:
                return seen
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout}s, last seen {seen!r}")
