"""AuthService as real processes: the reference service's supervisor and its workers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from chaos.services import AuthService, RedisServer, ServiceNotReady
from chaos.services.readiness import wait_until
from fixtures.services import AuthFactory

pytestmark = pytest.mark.integration


def _login(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/auth/login", json={"username": "alice", "password": "alice-pw"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


def _wait_for_new_worker(service: AuthService, slot: int, old_pid: int, deadline_s: float) -> str:
    seen: list[str] = []

    def replaced() -> str | None:
        try:
            worker_id = service.worker_ids()[slot]
        except httpx.HTTPError as exc:
            return repr(exc)
        if not worker_id or worker_id.endswith(f"-{old_pid}"):
            return f"worker id {worker_id!r}"
        seen.append(worker_id)
        return None

    wait_until(replaced, deadline_s, f"replacement of worker {slot}", [service])
    return seen[-1]


def test_every_worker_answers_on_its_own_port(
    redis_server: RedisServer, auth_factory: AuthFactory
) -> None:
    service = auth_factory(redis_server.url, workers=2)
    assert isinstance(service, AuthService)
    assert service.worker_urls == [
        f"http://127.0.0.1:{service.port}",
        f"http://127.0.0.1:{service.port + 1}",
    ]
    ids = service.worker_ids()
    assert [i.split("-")[0] for i in ids] == ["w0", "w1"]
    assert len(service.secret) >= 32
    token = _login(service.worker_urls[0])
    verify = httpx.get(
        f"{service.worker_urls[1]}/auth/verify", headers={"Authorization": f"Bearer {token}"}
    )
    assert verify.status_code == 200
    assert verify.headers["x-revocation-check"] == "enforced"


def test_pause_resume_kill_restart(redis_server: RedisServer, auth_factory: AuthFactory) -> None:
    service = auth_factory(redis_server.url, workers=2)
    service.pause()
    with pytest.raises(httpx.TimeoutException):
        httpx.get(f"{service.base_url}/health", timeout=0.5)
    service.resume()
    assert httpx.get(f"{service.base_url}/health", timeout=10).status_code == 200
    port = service.port
    service.kill()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{service.base_url}/health")
    service.restart()
    assert service.port == port
    assert all(httpx.get(f"{u}/health").status_code == 200 for u in service.worker_urls)


def test_a_killed_worker_is_replaced_by_the_supervisor(
    redis_server: RedisServer, auth_factory: AuthFactory
) -> None:
    service = auth_factory(redis_server.url, workers=2)
    assert isinstance(service, AuthService)
    other_before = service.worker_ids()[0]
    pid = service.kill_worker(1)
    new_id = _wait_for_new_worker(service, 1, pid, deadline_s=60)
    assert new_id.startswith("w1-")
    assert service.worker_ids()[0] == other_before


def test_a_refused_secret_fails_readiness_with_the_services_reason(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    service = AuthService(tmp_path, redis_server.url, workers=1, env={"AUTH_JWT_SECRET": "short"})
    try:
        with pytest.raises(ServiceNotReady, match="process exited") as caught:
            service.start(timeout=60)
    finally:
        service.close()
    assert "AUTH_JWT_SECRET" in str(caught.value)


def test_sigkill_of_the_leader_only_leaves_the_group_to_kill(
    redis_server: RedisServer, auth_factory: AuthFactory
) -> None:
    service = auth_factory(redis_server.url, workers=2)
    service.popen.kill()  # the supervisor alone; close() must still end its workers
    service.popen.wait(timeout=10)
    service.close()
    for url in service.worker_urls:
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{url}/health", timeout=2)
