"""A flood beyond what one worker serves is shed at arrival: 503 `overloaded` (429 for a login)
with Retry-After, answered at once instead of after the work; the requests it admits are
served, /health answers throughout, nothing fails open and a revoked token stays refused.

Negative control: the same flood with the admission off (`--max-in-flight 0`) sheds nothing
at arrival, so the checks below can tell the two apart.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import bearer, login, logout, metric, verify
from tests.integration.test_service_overload import flood

pytestmark = pytest.mark.integration

CONNECTIONS = 2000
FLOOD_S = 6
# a small limit and queue bound, so that this box's flood is far beyond them
ADMISSION = ["--max-in-flight", "8", "--max-queue-wait", "0.2"]
PROBE_EVERY_S = 0.05
# a shed does no work, but this 2-core box is shared with the flood's wrk and other suites
SHED_BOUND_S = 1.0


@dataclass
class Probes:
    """What the probes saw during the flood: (status, seconds, error code, Retry-After)."""

    verifies: list[tuple[int, float, str, str]] = field(default_factory=list)
    logins: list[tuple[int, float, str, str]] = field(default_factory=list)
    health: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def shed(self) -> list[tuple[int, float, str, str]]:
        shed_codes = ("overloaded", "login_overloaded")
        return [p for p in self.verifies + self.logins if p[2] in shed_codes]


def probe(url: str, token: str, stop: threading.Event, seen: Probes) -> None:
    """Fresh connections, one request each, until ``stop``: a verify, a login, /health."""
    while not stop.is_set():
        for kind in ("verify", "login", "health"):
            started = time.monotonic()
            try:
                if kind == "verify":
                    answer = httpx.get(url + "/auth/verify", headers=bearer(token), timeout=10)
                elif kind == "login":
                    body = {"username": "bob", "password": "bob-pw"}
                    answer = httpx.post(url + "/auth/login", json=body, timeout=10)
                else:
                    seen.health.append(httpx.get(url + "/health", timeout=10).status_code)
                    continue
            except httpx.HTTPError as exc:
                seen.failures.append(f"{kind}: {exc!r}")
                continue
            elapsed = time.monotonic() - started
            code = answer.json().get("error", "") if answer.status_code != 200 else ""
            entry = (answer.status_code, elapsed, code, answer.headers.get("retry-after", ""))
            (seen.verifies if kind == "verify" else seen.logins).append(entry)
        stop.wait(PROBE_EVERY_S)


def flooded(url: str, token: str, revoked: str) -> Probes:
    seen = Probes()
    stop = threading.Event()
    prober = threading.Thread(target=probe, args=(url, token, stop, seen), daemon=True)
    prober.start()
    try:
        flood(url, token, revoked, FLOOD_S, CONNECTIONS)
    finally:
        stop.set()
        prober.join(timeout=30)
    return seen


def test_a_flood_is_shed_at_arrival_and_what_is_admitted_is_served(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    redis = redis_factory()
    auth = auth_factory(redis.url, workers=1, extra_args=["--hash-cost", "16", *ADMISSION])
    url = auth.worker_urls[0]
    revoked = login(url)
    assert logout(url, revoked.access).status_code == 200
    token = login(url).access
    seen = flooded(url, token, revoked.access)
    shed_total = metric(url, "auth_requests_shed_total")
    shed = seen.shed()
    print(
        f"\nflood with {' '.join(ADMISSION)}: {shed_total:.0f} requests shed; probes: "
        f"{len(seen.verifies)} verifies, {len(seen.logins)} logins, {len(shed)} shed, "
        f"slowest shed {max((p[1] for p in shed), default=0):.3f} s"
    )
    assert not seen.failures, seen.failures[:5]
    assert shed_total > 0, "nothing was shed: the flood stayed within the admission"
    assert seen.health, "no /health probe finished"
    assert set(seen.health) == {200}, "/health must answer during a flood"
    for status, elapsed, code, retry_after in shed:
        assert status == (429 if code == "login_overloaded" else 503)
        assert 1 <= int(retry_after) <= 2, retry_after
        assert elapsed < SHED_BOUND_S, f"a shed {code} took {elapsed:.2f} s"
    statuses = {p[0] for p in seen.verifies}
    assert statuses <= {200, 503}, statuses
    assert 200 in statuses, "the admission let no probe verify through"
    assert metric(url, "auth_revocation_check_total", result="degraded") == 0
    assert verify(url, revoked.access).status_code == 401
    assert verify(url, token).status_code == 200  # served again once the flood is over


def test_negative_control_without_admission_nothing_is_shed_at_arrival(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    redis = redis_factory()
    extra = ["--hash-cost", "16", "--max-in-flight", "0"]
    auth = auth_factory(redis.url, workers=1, extra_args=extra)
    url = auth.worker_urls[0]
    revoked = login(url)
    assert logout(url, revoked.access).status_code == 200
    seen = flooded(url, login(url).access, revoked.access)
    assert metric(url, "auth_requests_shed_total") == 0
    assert not seen.shed(), seen.shed()[:5]
