"""A worker that stops answering (SIGSTOP, or an event loop stuck in a blocking call) is
replaced: it sends its supervisor a heartbeat from its event loop every second, and the
supervisor SIGKILLs a serving worker silent for longer than --worker-timeout, then starts a
new one in its slot. Negative control: with --worker-timeout 0 the stopped worker stays."""

from __future__ import annotations

import contextlib
import os
import signal
import time

import httpx
import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import serving, wait_for

pytestmark = pytest.mark.integration

CHEAP_HASH = ["--hash-cost", "1024"]
WORKER_TIMEOUT_S = 2.0
REPLACED_BOUND_S = 30.0  # generous: the box is shared and busy; only a bound on "never"
QUIET_WINDOW_S = 2 * WORKER_TIMEOUT_S  # the control watches this long for a wrong kill


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_stopped_worker_is_killed_and_replaced(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(
        redis_factory().url,
        workers=1,
        extra_args=[*CHEAP_HASH, "--worker-timeout", str(WORKER_TIMEOUT_S)],
    )
    url = auth.worker_urls[0]
    before, pid = serving(url)
    os.kill(pid, signal.SIGSTOP)
    try:
        wait_for(
            f"pid {pid} killed and a new worker serving in its slot",
            lambda: not alive(pid) and serving(url)[0] != before,
            REPLACED_BOUND_S,
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGCONT)
    assert "silent for more than 2 s (stopped or hung): killed" in auth.log_tail(40)
    assert httpx.get(f"{url}/health", timeout=5.0).status_code == 200


def test_with_the_timeout_off_a_stopped_worker_stays(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    auth = auth_factory(
        redis_factory().url, workers=1, extra_args=[*CHEAP_HASH, "--worker-timeout", "0"]
    )
    url = auth.worker_urls[0]
    before, pid = serving(url)
    os.kill(pid, signal.SIGSTOP)
    try:
        watch_until = time.monotonic() + QUIET_WINDOW_S
        while time.monotonic() < watch_until:  # a bounded watch for a kill that must not come
            assert alive(pid), f"pid {pid} was killed with --worker-timeout 0"
            time.sleep(0.1)
    finally:
        os.kill(pid, signal.SIGCONT)
    assert serving(url)[0] == before
