"""After the load, the gate verifies revoked tokens over fresh connections until every worker
of a shared port has answered one (``cover_workers``): the I7 evidence that the process
replacing a killed worker enforces revocations made before the crash.

On a loaded box, uvicorn's supervisor can take seconds to replace a killed worker; the
cover must wait for as many workers as served at the start, not stop at those the process
tree shows when the load ends. Here the supervisor is held (SIGSTOP) while a worker is
killed and let go two seconds later, on a real careful service (uvicorn ``--workers 2``).
The negative control expects one worker fewer, as the cover did before: it finishes without
ever reaching the replacement.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from chaos.gate.runner import PID, cover_workers
from chaos.gate.target import ScenarioTarget
from chaos.history import History
from chaos.profile import AuthApi, load_profile
from chaos.services import CommandService, RedisServer, service_of_profile
from fixtures import factories

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PROFILE = load_profile(ROOT / "examples" / "careful" / "profile.toml")
WORKERS = 2
HELD_S = 2.0  # how long the supervisor is held after the kill (the fault's length)
TIMEOUT_S = 10.0

redis = factories.redis_proc()


@pytest.fixture
def careful(redis: RedisServer, tmp_path: Path) -> Iterator[CommandService]:
    """Its own service: each test kills one of its workers."""
    with service_of_profile(PROFILE, tmp_path, redis_url=redis.url, workers=WORKERS) as service:
        yield service.start()


def _revoked_token(service: CommandService) -> str:
    api = AuthApi(PROFILE)
    with httpx.Client(base_url=service.base_url, timeout=TIMEOUT_S) as http:
        login = api.login(PROFILE.accounts.users[0])
        answer = http.request(login.method, login.path, **login.httpx_args())
        answer.raise_for_status()
        token = api.tokens("login", answer.json(), dict(answer.cookies))[0]
        assert token is not None, answer.text
        logout = api.logout(token)
        http.request(logout.method, logout.path, **logout.httpx_args()).raise_for_status()
    return token


@contextlib.contextmanager
def _a_worker_killed_with_the_supervisor_held(service: CommandService) -> Iterator[set[int]]:
    """Yields the workers before the kill; the supervisor is let go ``HELD_S`` after it. On
    the way out: the supervisor let go, and its replacement listed (nothing left stopped)."""
    assert service.pid is not None
    supervisor = service.pid
    before = set(service.tree().workers())
    assert len(before) == WORKERS, before
    victim = min(before)
    release = threading.Timer(HELD_S, os.kill, (supervisor, signal.SIGCONT))
    os.kill(supervisor, signal.SIGSTOP)
    try:
        os.kill(victim, signal.SIGKILL)
        _wait(lambda: victim not in service.tree().workers(), f"killed worker {victim} listed")
        release.start()
        yield before
    finally:
        release.cancel()
        release.join()
        os.kill(supervisor, signal.SIGCONT)
    _wait(lambda: len(service.tree().workers()) == WORKERS, "the replacement never listed")


def _wait(condition: Callable[[], bool], failure: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"{failure} after {TIMEOUT_S} s"
        time.sleep(0.05)  # poll interval of the condition above


def _covered(service: CommandService, expected: int) -> tuple[set[int], list[int]]:
    """Run the cover; (pids that answered it, statuses of its verifies)."""
    token = _revoked_token(service)
    target = ScenarioTarget(
        [service.base_url], None, None, lambda: None, per_worker=False, tree=service.tree,
        by_connection=False,
    )  # fmt: skip
    history = History()
    with _a_worker_killed_with_the_supervisor_held(service) as before:
        cover = cover_workers(
            target, AuthApi(PROFILE), TIMEOUT_S, history, [token], expected=expected
        )
        asyncio.run(cover)
    answered = [op for op in history if op.type != "invoke"]
    pids = {int(found.group(1)) for op in answered if (found := PID.search(op.worker or ""))}
    return pids - before, [op.status for op in answered if op.status is not None]


def test_the_cover_waits_for_the_replacement_of_a_killed_worker(careful: CommandService) -> None:
    new, statuses = _covered(careful, expected=WORKERS)
    assert len(new) == 1, f"no verify reached the replacement; new pids {new}"
    assert statuses, "the cover verified nothing"
    assert set(statuses) == {401}, statuses  # revoked before the crash: refused everywhere


def test_control_a_cover_expecting_one_worker_fewer_misses_the_replacement(
    careful: CommandService,
) -> None:
    new, statuses = _covered(careful, expected=WORKERS - 1)
    assert not new, f"the replacement {new} answered although the cover stopped early"
    assert statuses, "the cover verified nothing"
