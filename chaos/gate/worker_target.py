"""One worker of a service as a fault target (``Killable``, ``Pausable``).

``WorkerProcess``: a port-per-worker service; the pid is read from ``X-Worker-Id``
(``w<slot>-<pid>``) at inject time, so the target is whichever process serves the slot then.
``TreeWorker``: any other local service; the pid is one of the workers its process tree
shows at inject time. ``victim_id`` remembers which one was hit.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable

from chaos.services.process_tree import ProcessTree

__all__ = ["TreeWorker", "WorkerProcess", "pid_of"]


def pid_of(worker_id: str) -> int:
    """``w1-4242`` -> 4242; ValueError naming the id when it has no pid."""
    _, _, pid = worker_id.rpartition("-")
    if not pid.isdigit():
        raise ValueError(f"worker id {worker_id!r} has no pid (expected w<slot>-<pid>)")
    return int(pid)


class _SignalledWorker:
    """Kill -9, SIGSTOP and SIGCONT of the process ``_aim`` picks at inject time."""

    url: str
    victim_id: str | None
    _stopped: int | None

    def _aim(self) -> int:
        raise NotImplementedError

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


class WorkerProcess(_SignalledWorker):
    """The process answering on one worker URL; ``worker_id`` asks the service who it is."""

    def __init__(self, url: str, worker_id: Callable[[], str]) -> None:
        self.url = url
        self._worker_id = worker_id
        self.victim_id = None
        self._stopped = None

    def _aim(self) -> int:
        self.victim_id = self._worker_id()
        return pid_of(self.victim_id)


class TreeWorker(_SignalledWorker):
    """A worker of a service that names no worker per URL: at inject time, the ``slot``-th
    of the worker processes its process tree shows then (``victim_id`` ``pid-<pid>``)."""

    def __init__(self, url: str, tree: Callable[[], ProcessTree], slot: int) -> None:
        self.url = url
        self._tree = tree
        self.slot = slot
        self.victim_id = None
        self._stopped = None

    def _aim(self) -> int:
        workers = self._tree().workers()
        if not workers:
            raise ValueError(f"{self.url}: the service's process tree shows no worker")
        pid = workers[self.slot % len(workers)]
        self.victim_id = f"pid-{pid}"
        return pid
