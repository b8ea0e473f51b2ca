"""Process faults through a service handle (``RedisServer``, ``AuthService`` fit).

``Kill`` sends SIGKILL and, on heal, restarts (or leaves the restart to a supervisor);
``Pause`` sends SIGSTOP and SIGCONT on heal: the process is hung, not dead.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from chaos.faults.base import REDIS_LOSS, WORKER_LOSS


class Killable(Protocol):
    def kill(self) -> object: ...


class Restartable(Killable, Protocol):
    def restart(self) -> object: ...


class Pausable(Protocol):
    def pause(self) -> object: ...

    def resume(self) -> object: ...


class Controllable(Restartable, Pausable, Protocol):
    """A service handle (``RedisServer``, ``AuthService``): every process fault applies."""


@runtime_checkable
class Aimed(Protocol):
    """A target that is one worker, known at inject time: the URL aimed at and the
    ``X-Worker-Id`` it answered with then (``chaos.gate.worker_target.WorkerProcess``)."""

    url: str
    victim_id: str | None


def _victim(target: object, replaced: bool) -> dict[str, Any]:
    """``{"victim": ...}`` for a worker target once hit (what I7 reads from the history)."""
    if not isinstance(target, Aimed) or target.victim_id is None:
        return {}
    return {"victim": {"target": target.url, "worker": target.victim_id, "replaced": replaced}}


class Kill:
    """kill -9 on inject; ``restart()`` on heal unless a supervisor replaces the process."""

    def __init__(
        self,
        target: Killable,
        *,
        name: str = "kill",
        restart: bool = True,
        effects: frozenset[str] = frozenset({REDIS_LOSS}),
    ) -> None:
        if restart and not hasattr(target, "restart"):
            raise TypeError(f"{name}: target has no restart(); pass restart=False")
        self.target = target
        self.name = name
        self.restart = restart
        self.effects = effects
        self._killed = False

    def details(self) -> dict[str, Any]:
        return _victim(self.target, replaced=not self.restart)

    def inject(self) -> None:
        self._killed = True
        self.target.kill()

    def heal(self) -> None:
        if self._killed and self.restart:
            restartable: Restartable = self.target  # type: ignore[assignment]
            restartable.restart()
        self._killed = False


class Pause:
    """SIGSTOP on inject, SIGCONT on heal."""

    def __init__(
        self,
        target: Pausable,
        *,
        name: str = "pause",
        effects: frozenset[str] = frozenset({REDIS_LOSS}),
    ) -> None:
        self.target = target
        self.name = name
        self.effects = effects
        self._paused = False

    def details(self) -> dict[str, Any]:
        return _victim(self.target, replaced=False)

    def inject(self) -> None:
        self._paused = True
        self.target.pause()

    def heal(self) -> None:
        if self._paused:
            self.target.resume()
            self._paused = False


def redis_kill(redis: Restartable) -> Kill:
    """Redis kill -9, restarted on heal."""
    return Kill(redis, name="redis_kill9_restart")


def redis_pause(redis: Pausable) -> Pause:
    """Redis SIGSTOP / SIGCONT: hung, not dead."""
    return Pause(redis, name="redis_sigstop")


def worker_kill(worker: Killable) -> Kill:
    """kill -9 of one worker; its supervisor must replace it (I7), so heal restarts nothing."""
    return Kill(worker, name="worker_kill9", restart=False, effects=frozenset({WORKER_LOSS}))


def worker_pause(worker: Pausable) -> Pause:
    """SIGSTOP of one worker; it comes back as is on SIGCONT."""
    return Pause(worker, name="worker_sigstop", effects=frozenset({WORKER_LOSS}))
