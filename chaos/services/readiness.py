"""Readiness of a group of processes: a condition polled until a deadline, never a sleep."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from chaos.services.errors import ServiceNotReady
from chaos.services.process import ServiceProcess

__all__ = ["wait_until"]

POLL = 0.05  # seconds between probes


def wait_until(
    probe: Callable[[], str | None],
    timeout: float,
    what: str,
    members: Iterable[ServiceProcess] = (),
    log_lines: int = 15,
) -> None:
    """Poll ``probe`` (None = ready, else what was seen); on timeout raise with member logs."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()  # never set: its wait is an interruptible poll interval
    seen = "not probed yet"
    while True:
        found = probe()
        if found is None:
            return
        seen = found
        left = deadline - time.monotonic()
        if left <= 0:
            tails = [f"[{m.name}]\n{m.log_tail(log_lines)}" for m in members]
            raise ServiceNotReady(what, timeout, seen, "\n".join(tails))
        pause.wait(min(POLL, left))
