"""The settings zero loss needs, end to end over HTTP: logout waits for a replica (WAIT) and
answers 503 when none confirms; /ready warns when neither appendfsync always nor
--min-replicas protects acknowledged revocations."""

from __future__ import annotations

import httpx
import pytest

from chaos.services import RedisServer
from chaos.services.readiness import wait_until
from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import login, logout

pytestmark = [pytest.mark.failover]

TIMEOUT = 5.0


def _replica_in_sync(primary: RedisServer) -> str | None:
    info = primary.client().info("replication")
    if info.get("connected_slaves", 0) < 1:
        return "no replica connected"
    state = info.get("slave0", {}).get("state")
    return None if state == "online" else f"replica state {state}"


def test_logout_answers_503_when_its_only_replica_is_gone(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    primary = redis_factory()
    replica = redis_factory(replica_of=primary)
    wait_until(lambda: _replica_in_sync(primary), 20, "replica in sync", [primary, replica])
    auth = auth_factory(primary.url, workers=1, extra_args=["--min-replicas", "1"])
    base = auth.worker_urls[0]
    confirmed = logout(base, login(base).access)
    assert confirmed.status_code == 200, confirmed.text

    replica.kill()
    refused = logout(base, login(base).access)
    assert refused.status_code == 503, refused.text
    assert refused.json()["error"] == "revocation_unavailable"
    assert int(refused.headers["retry-after"]) >= 1

    replica.start()
    wait_until(lambda: _replica_in_sync(primary), 20, "replica back in sync", [primary, replica])
    again = logout(base, login(base).access)
    assert again.status_code == 200, again.text


@pytest.mark.parametrize(
    ("persistence", "with_replica", "warned"),
    [
        ("off", False, True),
        ("everysec", False, True),
        ("always", False, False),
        ("off", True, False),
    ],
)
def test_ready_warns_unless_revocations_are_durable(
    redis_factory: RedisFactory,
    auth_factory: AuthFactory,
    persistence: str,
    with_replica: bool,
    warned: bool,
) -> None:
    primary = redis_factory(persistence=persistence)
    extra: list[str] = []
    if with_replica:
        replica = redis_factory(replica_of=primary)
        wait_until(lambda: _replica_in_sync(primary), 20, "replica in sync", [primary, replica])
        extra = ["--min-replicas", "1"]
    auth = auth_factory(primary.url, workers=1, extra_args=extra)
    response = httpx.get(f"{auth.worker_urls[0]}/ready", timeout=TIMEOUT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "ready"
    if warned:
        assert "appendfsync" in body["warning"]
        assert "--min-replicas" in body["warning"]
    else:
        assert "warning" not in body
