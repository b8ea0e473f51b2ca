"""``ServiceProcess``: one started program in its own session, with a log file and readiness.

Subclasses say what to run (:meth:`command`) and when it is ready (:meth:`probe`); the base
starts it with ``start_new_session=True`` and the owner markers in its env, polls readiness
until a deadline, and signals the whole process group (stop, kill, pause, resume).

    server = RedisServer(workdir).start()
    server.pause(); server.resume(); server.kill(); server.restart(); server.close()
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from abc import ABC, abstractmethod
from collections import deque
from pathlib import Path
from typing import IO, NoReturn, Self

from chaos.services import ledger, lifetime
from chaos.services.errors import ServiceError, ServiceNotReady, ServiceNotRunning
from chaos.services.run import current_run

__all__ = ["ServiceProcess"]

POLL_FIRST = 0.01  # seconds between readiness probes, doubling up to POLL_MAX
POLL_MAX = 0.2


class ServiceProcess(ABC):
    """A process group started and owned by this handle."""

    ready_timeout: float = 30.0
    stop_timeout: float = 10.0  # SIGTERM grace before SIGKILL

    def __init__(self, name: str, workdir: Path, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.workdir / f"{name}.log"
        self.extra_env = dict(env or {})
        self.paused = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    # --- what subclasses provide
    @abstractmethod
    def command(self) -> list[str]:
        """The argv to run."""

    @abstractmethod
    def probe(self) -> str | None:
        """None when ready; otherwise what was seen (for the error message)."""

    def prepare(self) -> None:  # noqa: B027 - optional hook, most services need nothing
        """Write config files before each start."""

    def release_ports(self) -> None:  # noqa: B027 - optional hook
        """Give back the ports this handle claimed."""

    # --- state
    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def popen(self) -> subprocess.Popen[bytes]:
        """The leader process (e.g. to signal only a supervisor, not its group)."""
        if self._proc is None:
            raise ServiceNotRunning(self.name, "give its process")
        return self._proc

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} pid={self.pid} running={self.running}>"

    # --- lifecycle
    def start(self, timeout: float | None = None) -> Self:
        """Start and wait until :meth:`probe` says ready; raises :class:`ServiceNotReady`."""
        if self.running:
            return self
        self.prepare()
        run = current_run()
        env = {**os.environ, **self.extra_env, **run.env()}
        self._log = self.log_path.open("ab")
        self._log.write(f"=== {self.name}: {' '.join(self.command())}\n".encode())
        self._log.flush()
        try:
            self._proc = subprocess.Popen(
                self.command(),
                stdout=self._log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.workdir,
                env=env,
                start_new_session=True,  # its own group: signals reach every child, never us
            )
        except OSError as exc:
            self._log.close()
            self._log = None
            raise ServiceError(f"{self.name}: cannot run {self.command()[0]!r}: {exc}") from exc
        self.paused = False
        ledger.record(self._proc.pid, run.owner_pid, run.run_id)
        lifetime.track(self)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float | None = None) -> None:
        """Poll :meth:`probe` until ready or the deadline; raise with the log tail."""
        limit = self.ready_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        interval = POLL_FIRST
        seen = "not probed yet"
        while True:
            proc = self._proc
            if proc is None:
                raise ServiceNotRunning(self.name, "become ready")
            if proc.poll() is not None:
                self._fail_start(limit, f"process exited with code {proc.returncode} ({seen})")
            found = self.probe()
            if found is None:
                return
            seen = found
            if time.monotonic() >= deadline:
                self._fail_start(limit, seen)
            # waiting on the process doubles as the poll interval and sees an early exit
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=min(interval, max(0.0, deadline - time.monotonic())))
            interval = min(interval * 2, POLL_MAX)

    def _fail_start(self, limit: float, seen: str) -> NoReturn:
        self.kill()
        raise ServiceNotReady(self.name, limit, seen, self.log_tail(40))

    def _signal_group(self, sig: signal.Signals) -> bool:
        if self._proc is None:
            return False
        try:
            os.killpg(self._proc.pid, sig)
        except ProcessLookupError:
            return False
        return True

    def stop(self, timeout: float | None = None) -> None:
        """SIGTERM the group, SIGKILL it if the leader is still alive after the bound."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            self._signal_group(signal.SIGTERM)
            self._signal_group(signal.SIGCONT)  # a paused process must run to see SIGTERM
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=self.stop_timeout if timeout is None else timeout)
        self.kill()

    def kill(self) -> None:
        """SIGKILL the whole process group and reap the leader."""
        proc = self._proc
        if proc is None:
            return
        self._signal_group(signal.SIGKILL)  # also sweeps children left after the leader exits
        proc.wait()
        ledger.remove(proc.pid)
        self.paused = False
        if self._log is not None:
            self._log.close()
            self._log = None
        lifetime.forget(self)

    def pause(self) -> None:
        """SIGSTOP the group: alive but hung."""
        if not self.running or not self._signal_group(signal.SIGSTOP):
            raise ServiceNotRunning(self.name, "pause")
        self.paused = True

    def resume(self) -> None:
        """SIGCONT the group."""
        if not self.running or not self._signal_group(signal.SIGCONT):
            raise ServiceNotRunning(self.name, "resume")
        self.paused = False

    def restart(self, timeout: float | None = None) -> Self:
        """Stop (if running) and start again on the same port(s) and workdir."""
        self.stop()
        return self.start(timeout)

    def close(self) -> None:
        """Stop for good and give back the ports."""
        self.stop()
        self.release_ports()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def log_tail(self, lines: int = 40) -> str:
        """The last ``lines`` lines of the log file (all restarts appended)."""
        try:
            with self.log_path.open("rb") as log:
                tail = deque(log, maxlen=lines)
        except FileNotFoundError:
            return ""
        return b"".join(tail).decode("utf-8", "replace")
