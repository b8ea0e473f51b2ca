"""A container's readiness: a condition polled until a deadline (``chaos.polling``); on
timeout, or when the container stops, raise NotReady with what was seen and its log tail."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from chaos.polling import poll

from ._container import ContainerHandle
from ._errors import NotReady


def wait_ready(
    probe: Callable[[], tuple[bool, str]],
    what: str,
    timeout: float,
    log_tail: Callable[[], str],
    gone: Callable[[], str | None] = lambda: None,
) -> float:
    """Call `probe` (returns ready?, description) until ready; return the seconds it took.

    `gone` names a reason to stop at once (the container exited): no point in waiting on.
    """

    def seen() -> str | None:
        ready, description = probe()
        return None if ready else description

    polled = poll(seen, timeout, gone=gone)
    if not polled.ready:
        raise NotReady(what, polled.waited_s, polled.seen, log_tail())
    return polled.waited_s


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

    return wait_ready(
        answered, f"{handle.name} ({url})", timeout, handle.log_tail, container_gone(handle)
    )
