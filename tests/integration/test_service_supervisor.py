"""The supervisor: replaces a killed worker in its slot, stops cleanly, dies with its workers."""

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

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
    redis_factory: Callable[..., Any], auth_factory: Callable[..., Any]
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
    assert auth.popen.poll() is None  # the supervisor itself lives on


def test_sigterm_stops_everything_cleanly(
    redis_factory: Callable[..., Any], auth_factory: Callable[..., Any]
) -> None:
    auth = auth_factory(redis_factory().url, workers=2)
    pids = worker_pids(auth.worker_urls)
    auth.popen.send_signal(signal.SIGTERM)
    assert auth.popen.wait(timeout=30) == 0
    wait_for("workers gone", lambda: not any(alive(pid) for pid in pids), timeout=10)


def test_sigkill_of_the_supervisor_leaves_no_worker(
    redis_factory: Callable[..., Any], auth_factory: Callable[..., Any]
) -> None:
    auth = auth_factory(redis_factory().url, workers=2)
    pids = worker_pids(auth.worker_urls)
    auth.popen.kill()  # the supervisor only, not its group
    auth.popen.wait(timeout=10)
    wait_for("workers gone", lambda: not any(alive(pid) for pid in pids), timeout=10)


def test_workers_that_keep_crashing_at_start_make_the_supervisor_exit_non_zero(
    tmp_path: Path,
) -> None:
    # a broken uvloop on the path: the supervisor never imports it, every worker dies at start
    (tmp_path / "uvloop").mkdir()
    (tmp_path / "uvloop" / "__init__.py").write_text("raise ImportError('broken on purpose')\n")
    env = {**os.environ, "AUTH_JWT_SECRET": "s" * 32, "PYTHONPATH": str(tmp_path)}
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "system_under_test", "--port", str(port), "--workers", "1",
         "--redis-url", "redis://127.0.0.1:1/0"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=150)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 1, out.decode()
    assert b"failed 5 starts in a row" in out
