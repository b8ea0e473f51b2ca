"""The reference service started on a Sentinel group (``--sentinel`` instead of a URL)."""

from __future__ import annotations

import httpx
import pytest

from chaos.services import AuthService
from fixtures.services import AuthFactory, SentinelFactory

pytestmark = pytest.mark.integration


def test_service_on_sentinels_stores_revocations_on_the_primary(
    sentinel_factory: SentinelFactory, auth_factory: AuthFactory
) -> None:
    group = sentinel_factory(replicas=1, sentinels=3)
    service = auth_factory(
        None, workers=1, sentinels=group.sentinel_addrs, sentinel_service=group.service
    )
    assert isinstance(service, AuthService)
    assert "--sentinel" in service.command()
    login = httpx.post(
        f"{service.base_url}/auth/login",
        json={"username": "alice", "password": "alice-pw"},
        timeout=10,
    )
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    logout = httpx.post(f"{service.base_url}/auth/logout", headers=bearer, timeout=10)
    assert logout.status_code == 200, logout.text
    keys = group.primary().client().keys("revoked:*")
    assert len(keys) >= 1
