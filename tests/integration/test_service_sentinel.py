"""Through Sentinel: the service finds the primary, and a logout is confirmed by the replica."""

import pytest

from fixtures.services import AuthFactory, SentinelFactory
from tests.integration.auth_calls import login, logout, verify

pytestmark = pytest.mark.integration


def test_a_logout_through_sentinel_is_on_the_replica_when_it_answers_200(
    sentinel_factory: SentinelFactory, auth_factory: AuthFactory
) -> None:
    group = sentinel_factory(replicas=1, sentinels=1)
    addresses = ",".join(f"{host}:{port}" for host, port in group.sentinel_addrs)
    # --sentinel wins over the --redis-url the handle always passes
    sentinel_args = ["--sentinel", addresses, "--sentinel-service", group.service]
    auth = auth_factory(group.primary().url, workers=2, extra_args=sentinel_args)
    first, second = auth.worker_urls
    pair = login(first)
    accepted = verify(second, pair.access)
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["x-revocation-check"] == "enforced"
    answer = logout(first, pair.access)
    assert answer.status_code == 200, answer.text
    jti = answer.json()["revoked"]
    # WAIT confirmed it: the replica has the key as soon as the 200 arrived
    (replica,) = group.replicas()
    assert replica.client().exists(f"revoked:{jti}") == 1
    assert verify(second, pair.access).status_code == 401
