"""Poll a condition until a deadline, never a sleep standing in for readiness: the one loop
behind every readiness wait (``chaos.services.readiness``, the Docker backend's).

    polled = poll(lambda: None if ready() else "not yet: ...", timeout=10.0)
    if not polled.ready: raise SomethingNotReady(..., polled.seen)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["POLL_S", "Polled", "poll"]

POLL_S = 0.05  # seconds between two probes


@dataclass(frozen=True)
class Polled:
    """How the wait ended: ready or not, the last thing seen (or why it stopped), and the
    seconds it took."""

    ready: bool
    seen: str
    waited_s: float


def poll(
    probe: Callable[[], str | None], timeout: float, *,
    gone: Callable[[], str | None] = lambda: None,
) -> Polled:  # fmt: skip
    """Call ``probe`` (None: ready; else what it saw) until ready or ``timeout`` seconds;
    ``gone`` names a reason to stop at once (the process or container exited)."""
    start = time.monotonic()
    deadline = start + timeout
    pause = threading.Event()  # never set: its wait is an interruptible poll interval
    seen = "not probed yet"
    while True:
        found = probe()
        if found is None:
            return Polled(True, seen, time.monotonic() - start)
        seen = found
        reason = gone()
        if reason is not None:
            return Polled(False, f"{seen}; {reason}", time.monotonic() - start)
        left = deadline - time.monotonic()
        if left <= 0:
            return Polled(False, seen, timeout)
        pause.wait(min(POLL_S, left))
