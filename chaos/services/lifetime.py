"""Every process this process started and has not yet stopped, killed at exit or on SIGTERM.

The reaper covers what a SIGKILLed owner leaves; this covers normal and signalled exits.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import os
import signal
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chaos.services.process import ServiceProcess

__all__ = ["forget", "install_exit_handlers", "kill_all", "live", "track"]

_LIVE: dict[int, ServiceProcess] = {}
_installed = False


def track(service: ServiceProcess) -> None:
    _LIVE[id(service)] = service
    install_exit_handlers()


def forget(service: ServiceProcess) -> None:
    _LIVE.pop(id(service), None)


def live() -> list[ServiceProcess]:
    """The services started here and still owned (running or paused)."""
    return list(_LIVE.values())


def kill_all() -> int:
    """SIGKILL every tracked group; the number killed."""
    services = live()
    for service in services:
        service.kill()
    return len(services)


def _chained(previous: Any, signum: int, frame: FrameType | None) -> None:
    kill_all()
    if callable(previous):
        previous(signum, frame)
        return
    if previous == signal.SIG_IGN:
        return
    signal.signal(signum, signal.SIG_DFL)  # then die of the same signal, as the sender meant
    os.kill(os.getpid(), signum)


def install_exit_handlers() -> None:
    """Once per process: atexit and SIGTERM/SIGHUP handlers that kill every tracked group."""
    global _installed  # noqa: PLW0603 - one process-wide installation
    if _installed:
        return
    _installed = True
    atexit.register(kill_all)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        previous = signal.getsignal(signum)
        handler = functools.partial(_chained, previous)
        with contextlib.suppress(ValueError):  # not the main thread: atexit covers a normal exit
            signal.signal(signum, handler)
