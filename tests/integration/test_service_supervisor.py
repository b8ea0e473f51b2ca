"""The supervisor: replaces a killed worker in its slot, stops cleanly, dies with its workers."""

import os
import signal
import tempfile
from pathlib import Path

import httpx
import pytest

from chaos.services import AuthService
from chaos.services.errors import ServiceNotReady
from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import login, logout, verify, wait_for, worker_of

pytestmark = pytest.mark.integration


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False


def worker_pids(urls: list[str]) -> list[int]:
    return [worker_of(httpx.get(url + "/health", timeout=5))[1] for url in urls]


def test_a_killed_worker_is_replaced_and_enforces_earlier_revocations(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=2)
    first, second = auth.worker_urls
    revoked = login(first)
    assert logout(first, revoked.access).status_code == 200
    kept = login(first)
    old_pid = worker_pids([second])[0]
    os.kill(old_pid, signal.SIGKILL)

    def replaced() -> int | None:
        slot, pid = worker_of(httpx.get(second + "/health", timeout=1))
        return pid if slot == 1 and pid != old_pid else None

    new_pid = wait_for("a new worker in slot 1", replaced, timeout=60)
    assert not alive(old_pid)
    refused = verify(second, revoked.access)
    assert refused.status_code == 401, refused.text
    assert verify(second, kept.access).status_code == 200
    assert worker_of(verify(second, kept.access)) == (1, new_pid)
    assert auth.running  # the supervisor itself lives on


def test_sigterm_stops_everything_cleanly(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=2)
    pids = worker_pids(auth.worker_urls)
    assert auth.pid is not None
    os.kill(auth.pid, signal.SIGTERM)
    wait_for("the supervisor exits", lambda: not auth.running, timeout=30)
    assert "supervisor: stopped (exit 0)" in auth.log_tail(10)
    wait_for("workers gone", lambda: not any(alive(pid) for pid in pids), timeout=10)


def test_sigkill_of_the_supervisor_leaves_no_worker(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(redis_factory().url, workers=2)
    pids = worker_pids(auth.worker_urls)
    assert auth.pid is not None
    supervisor = auth.pid
    left = list(Path(tempfile.gettempdir()).glob(f"auth-metrics-{supervisor}-*"))
    assert len(left) == 1  # its metrics folder
    os.kill(supervisor, signal.SIGKILL)  # the supervisor only, not its group
    wait_for("the supervisor is gone", lambda: not auth.running, timeout=10)
    wait_for("workers gone", lambda: not any(alive(pid) for pid in pids), timeout=10)
    assert left[0].exists()  # nobody could clean up: the next supervisor sweeps it
    auth_factory(redis_factory().url, workers=1)
    assert not left[0].exists()


def test_workers_that_keep_crashing_at_start_make_the_supervisor_exit_non_zero(
    tmp_path: Path,
) -> None:
    # a broken uvloop on the path: the supervisor never imports it, every worker dies at start
    shadow = tmp_path / "shadow"
    (shadow / "uvloop").mkdir(parents=True)
    (shadow / "uvloop" / "__init__.py").write_text("raise ImportError('broken on purpose')\n")
    service = AuthService(
        tmp_path, "redis://127.0.0.1:1/0", workers=1, env={"PYTHONPATH": str(shadow)}
    )
    try:
        with pytest.raises(ServiceNotReady) as failed:
            service.start(timeout=150)
        assert "exited with code 1" in str(failed.value)
        assert "failed 5 starts in a row" in service.log_tail(20)
    finally:
        service.close()
