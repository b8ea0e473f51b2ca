"""One worker of a port-per-worker service as a fault target (``Killable``, ``Pausable``).

The pid is read from ``X-Worker-Id`` (``w<slot>-<pid>``) at inject time, so the target is
whichever process serves the slot then; ``victim_id`` remembers which one was hit.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable

__all__ = ["WorkerProcess", "pid_of"]


def pid_of(worker_id: str) -> int:
    """``w1-4242`` -> 4242; ValueError naming the id when it has no pid."""
    _, _, pid = worker_id.rpartition("-")
    if not pid.isdigit():
        raise ValueError(f"worker id {worker_id!r} has no pid (expected w<slot>-<pid>)")
    return int(pid)


class WorkerProcess:
    """The process answering on one worker URL; ``worker_id`` asks the service who it is."""

    def __init__(self, url: str, worker_id: Callable[[], str]) -> None:
        self.url = url
        self._worker_id = worker_id
        self.victim_id: str | None = None
        self._stopped: int | None = None

    def _aim(self) -> int:
        self.victim_id = self._worker_id()
        return pid_of(self.victim_id)

    def kill(self) -> None:
        os.kill(self._aim(), signal.SIGKILL)

    def pause(self) -> None:
        self._stopped = self._aim()
        os.kill(self._stopped, signal.SIGSTOP)

    def resume(self) -> None:
        if self._stopped is not None:
            # the supervisor may have replaced it meanwhile
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._stopped, signal.SIGCONT)
            self._stopped = None
