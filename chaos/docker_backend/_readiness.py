"""Poll a condition until a deadline; on timeout raise NotReady with what was seen."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx

from ._container import ContainerHandle
from ._errors import NotReady

POLL_INTERVAL = 0.05


def wait_until(
    probe: Callable[[], tuple[bool, str]],
    what: str,
    timeout: float,
    log_tail: Callable[[], str],
    gone: Callable[[], str | None] = lambda: None,
) -> float:
    """Call `probe` (returns ready?, description) until ready; return the seconds it took.

    `gone` names a reason to stop at once (the container exited): no point in waiting on.
    """
    start = time.monotonic()
    seen = "nothing yet"
    # bounded in time and, through the poll interval, in count
    while time.monotonic() - start < timeout:
        ready, seen = probe()
        if ready:
            return time.monotonic() - start
        reason = gone()
        if reason is not None:
            raise NotReady(what, time.monotonic() - start, f"{seen}; {reason}", log_tail())
        time.sleep(POLL_INTERVAL)  # poll interval of a condition with a deadline
    raise NotReady(what, timeout, seen, log_tail())


def container_gone(handle: ContainerHandle) -> Callable[[], str | None]:
    """A `gone` check: the container is no longer running (it exited or died)."""

    def check() -> str | None:
        status = handle.status()
        return None if status in ("created", "running", "restarting") else f"container {status}"

    return check


def wait_http_ok(handle: ContainerHandle, url: str, timeout: float) -> float:
    """Poll GET `url` until 200; fail at once if the container stops."""

    def answered() -> tuple[bool, str]:
        try:
            response = httpx.get(url, timeout=1.0)
        except httpx.HTTPError as exc:
            return False, f"{type(exc).__name__}: {exc}"
        return response.status_code == 200, f"{response.status_code} {response.text[:200]}"

    return wait_until(
        answered, f"{handle.name} ({url})", timeout, handle.log_tail, container_gone(handle)
    )
