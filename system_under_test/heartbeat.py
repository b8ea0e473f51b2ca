"""A worker's heartbeat to its supervisor, and the supervisor's verdict on a silent worker.

Heartbeat(ready_fd).start()      # in the worker, on its event loop: one byte per HEARTBEAT_S
is_hung(timeout_s, now, last)    # in the supervisor: silent for longer than --worker-timeout

The beat comes from the event loop itself, so a worker whose loop is stopped (SIGSTOP) or stuck
in a blocking call goes silent even though its process is alive: the supervisor kills it and
starts a new one in its slot (gunicorn's worker timeout, for the same reason).
"""

from __future__ import annotations

import asyncio
import contextlib
import os

HEARTBEAT_S = 1.0


def is_hung(timeout_s: float, now: float, last_beat: float) -> bool:
    """Whether a worker that last beat at ``last_beat`` is hung at ``now`` (0 disables)."""
    return timeout_s > 0 and now - last_beat > timeout_s


class Heartbeat:
    """Writes one byte to the supervisor's pipe every ``interval_s`` from the running loop."""

    def __init__(self, fd: int, interval_s: float = HEARTBEAT_S) -> None:
        self._fd = fd
        self._interval_s = interval_s
        self._handle: asyncio.TimerHandle | None = None

    def start(self) -> None:
        os.set_blocking(self._fd, False)
        self._beat()

    def stop(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        with contextlib.suppress(OSError):
            os.close(self._fd)

    def _beat(self) -> None:
        try:
            os.write(self._fd, b"h")
        except BlockingIOError:
            pass  # the supervisor is behind: a full pipe already holds beats enough
        except OSError:
            self._handle = None  # the supervisor is gone (PDEATHSIG ends this process)
            return
        self._handle = asyncio.get_running_loop().call_later(self._interval_s, self._beat)
