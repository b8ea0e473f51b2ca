"""Poll a condition until a deadline; on timeout raise NotReady with what was seen."""

from __future__ import annotations

import time
from collections.abc import Callable

from ._errors import NotReady

POLL_INTERVAL = 0.05


def wait_until(
    probe: Callable[[], tuple[bool, str]],
    what: str,
    timeout: float,
    log_tail: Callable[[], str],
) -> float:
    """Call `probe` (returns ready?, description) until ready; return the seconds it took."""
    start = time.monotonic()
    seen = "nothing yet"
    # bounded in time and, through the poll interval, in count
    while time.monotonic() - start < timeout:
        ready, seen = probe()
        if ready:
            return time.monotonic() - start
        time.sleep(POLL_INTERVAL)  # poll interval of a condition with a deadline
    raise NotReady(what, timeout, seen, log_tail())
