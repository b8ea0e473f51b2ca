"""The supervisor: binds the listening sockets, runs N workers, replaces the ones that die.

    code = Supervisor(settings, users).run()   # returns when stopped (SIGTERM/SIGINT)

One shared socket for every worker, or with ``port_per_worker`` one socket per slot on
port + slot. The sockets are bound here, once, and inherited by each worker (so a replaced
worker listens on the very same socket). A worker that dies is replaced in its slot with a
new pid; a slot whose worker dies before it reported serving (one byte on a pipe)
MAX_FAILED_STARTS times in a row makes the supervisor give up (exit 1). A serving worker that
sends no heartbeat on that pipe for ``worker_timeout_s`` (stopped, or its loop stuck) is
SIGKILLed and replaced. SIGTERM/SIGINT are forwarded; workers still alive after
``shutdown_timeout_s`` are SIGKILLed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from types import FrameType

from prometheus_client import multiprocess

from .config import Settings
from .heartbeat import is_hung

log = logging.getLogger("system_under_test.supervisor")

MAX_FAILED_STARTS = 5  # deaths in a row before the worker reported that it serves
POLL_S = 0.05
MAX_BACKOFF_S = 2.0


METRICS_PREFIX = "auth-metrics-"


def sweep_metrics_dirs() -> None:
    """Remove metric folders of supervisors that died without cleaning up (e.g. SIGKILL)."""
    for path in Path(tempfile.gettempdir()).glob(f"{METRICS_PREFIX}*"):
        owner = path.name[len(METRICS_PREFIX) :].split("-", 1)[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            shutil.rmtree(path, ignore_errors=True)


class BindError(Exception):
    """A listening socket could not be bound; the message names the address."""


@dataclass
class Slot:
    index: int
    sock: socket.socket
    proc: subprocess.Popen[bytes] | None = None
    ready_pipe: int | None = None  # read end: one byte once the worker serves, then heartbeats
    ready: bool = False
    last_beat: float = 0.0  # monotonic time of the worker's last byte on the pipe
    failed_starts: int = 0
    respawn_at: float = 0.0


def bind_sockets(settings: Settings) -> list[socket.socket]:
    """One socket per slot (the same one repeated when the port is shared)."""
    ports = (
        [settings.port + i for i in range(settings.workers)]
        if settings.port_per_worker
        else [settings.port]
    )
    bound: list[socket.socket] = []
    for port in ports:
        family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((settings.host, port))
        except OSError as exc:
            sock.close()
            for other in bound:
                other.close()
            raise BindError(
                f"--port: cannot listen on {settings.host}:{port} ({exc.strerror})"
            ) from None
        sock.listen(2048)
        sock.set_inheritable(True)
        bound.append(sock)
    if not settings.port_per_worker:
        bound = bound * settings.workers
    return bound


class Supervisor:
    def __init__(self, settings: Settings, users: dict[str, str]) -> None:
        self.settings = settings
        self.users = users
        self.stopping = False
        self.metrics_dir = ""

    def _on_signal(self, signum: int, _: FrameType | None) -> None:
        log.warning("supervisor: %s, stopping workers", signal.Signals(signum).name)
        self.stopping = True

    def _spawn(self, slot: Slot, env: dict[str, str]) -> None:
        fd = slot.sock.fileno()
        ready_read, ready_write = os.pipe()
        proc = subprocess.Popen(
            [sys.executable, "-m", "system_under_test.worker"],
            stdin=subprocess.PIPE,
            pass_fds=[fd, ready_write],
            env=env,
        )
        os.close(ready_write)
        os.set_blocking(ready_read, False)
        slot.ready_pipe, slot.ready = ready_read, False
        assignment = {
            "slot": slot.index,
            "fd": fd,
            "ready_fd": ready_write,
            "parent": os.getpid(),
            "settings": asdict(self.settings),
            "users": self.users,
        }
        assert proc.stdin is not None
        proc.stdin.write(json.dumps(assignment).encode())
        proc.stdin.close()
        slot.proc = proc
        log.warning("supervisor: worker slot %d started, pid %d", slot.index, proc.pid)

    def _check_ready(self, slot: Slot) -> None:
        """Read the worker's bytes: the first says it serves, every one that it is alive."""
        if slot.ready_pipe is None:
            return
        try:
            said = os.read(slot.ready_pipe, 4096)
        except BlockingIOError:
            return
        if not said:  # end of file: the worker closed it or died (poll() sees which)
            return
        slot.last_beat = time.monotonic()
        if not slot.ready:
            slot.ready, slot.failed_starts = True, 0

    def _kill_if_hung(self, slot: Slot) -> None:
        """SIGKILL a serving worker silent for longer than --worker-timeout (then reaped and
        replaced like any dead worker): SIGSTOPped, or its loop stuck in a blocking call."""
        assert slot.proc is not None
        timeout = self.settings.worker_timeout_s
        if slot.ready and is_hung(timeout, time.monotonic(), slot.last_beat):
            log.error(
                "supervisor: worker slot %d pid %d silent for more than %.0f s (stopped or "
                "hung): killed",
                slot.index,
                slot.proc.pid,
                timeout,
            )
            slot.proc.kill()
            slot.proc.wait()

    def _close_pipe(self, slot: Slot) -> None:
        if slot.ready_pipe is not None:
            os.close(slot.ready_pipe)
            slot.ready_pipe = None

    def _reap(self, slot: Slot) -> bool:
        """Replace a dead worker; False when the slot keeps failing at start."""
        assert slot.proc is not None
        self._check_ready(slot)  # it may have reported just before it died
        self._close_pipe(slot)
        code = slot.proc.returncode
        pid = slot.proc.pid
        self._forget_metrics(pid)
        slot.failed_starts = 0 if slot.ready else slot.failed_starts + 1
        log.warning("supervisor: worker slot %d pid %d exited (%s)", slot.index, pid, code)
        if slot.failed_starts >= MAX_FAILED_STARTS:
            log.error(
                "supervisor: slot %d failed %d starts in a row", slot.index, slot.failed_starts
            )
            return False
        slot.proc = None
        delay = min(MAX_BACKOFF_S, 0.1 * (2**slot.failed_starts - 1))
        slot.respawn_at = time.monotonic() + delay
        return True

    def _forget_metrics(self, pid: int) -> None:
        multiprocess.mark_process_dead(pid, self.metrics_dir)  # type: ignore[no-untyped-call]

    def _stop_all(self, slots: list[Slot]) -> None:
        live = [s.proc for s in slots if s.proc is not None and s.proc.poll() is None]
        for proc in live:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.settings.shutdown_timeout_s
        for proc in live:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.error("supervisor: worker pid %d ignored SIGTERM, killing it", proc.pid)
                proc.kill()
                proc.wait()

    def run(self) -> int:
        sockets = bind_sockets(self.settings)
        sweep_metrics_dirs()
        self.metrics_dir = tempfile.mkdtemp(prefix=f"{METRICS_PREFIX}{os.getpid()}-")
        env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=self.metrics_dir)
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        slots = [Slot(i, sock) for i, sock in enumerate(sockets)]
        code = 0
        try:
            for slot in slots:
                self._spawn(slot, env)
            while not self.stopping:
                now = time.monotonic()
                for slot in slots:
                    if slot.proc is None:
                        if now >= slot.respawn_at:
                            self._spawn(slot, env)
                    elif slot.proc.poll() is not None:
                        if not self._reap(slot):
                            self.stopping = True
                            code = 1
                    else:
                        self._check_ready(slot)
                        self._kill_if_hung(slot)
                time.sleep(POLL_S)
        finally:
            self._stop_all(slots)
            for slot in slots:
                self._close_pipe(slot)
            for sock in {id(s): s for s in sockets}.values():
                sock.close()
            shutil.rmtree(self.metrics_dir, ignore_errors=True)
        log.warning("supervisor: stopped (exit %d)", code)
        return code
