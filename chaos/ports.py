"""Free loopback ports, never handed out twice within a run.

Ports are picked at random below the kernel's ephemeral range
(``/proc/sys/net/ipv4/ip_local_port_range``): a port in that range can be taken by any
outgoing connection between the claim and the service's bind (a load run opens thousands),
one below it only by another listener. Where the range leaves no room, the OS picks.

A claim is a file ``<claims dir>/<port>`` held under an exclusive ``flock`` by the claiming
process and stamped with the run id. A live lock keeps every other process (any xdist worker,
any concurrent run) off the port; the stamp keeps the same run off it even after release.
A killed process drops its locks with it, so no stale claim outlives its owner.

    claim = claim_port()                # one port
    claim = claim_port_range(3)         # three consecutive ports: claim.ports[0] .. +2
    claim.release()
"""

from __future__ import annotations

import errno
import fcntl
import os
import random
import socket
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["PortClaim", "PortsExhausted", "claim_port", "claim_port_range", "claims_dir"]

HOST = "127.0.0.1"
ATTEMPTS = 200  # bound on tries before giving up; each try asks the OS for a fresh port
MAX_PORT = 65535


class PortsExhausted(RuntimeError):
    """No free port (or range) could be claimed within the bounded number of tries."""

    def __init__(self, count: int, attempts: int) -> None:
        super().__init__(f"no {count} consecutive free port(s) claimed after {attempts} tries")
        self.count = count
        self.attempts = attempts


@dataclass
class PortClaim:
    """Ports held by this process until :meth:`release` (or until it exits)."""

    ports: tuple[int, ...]
    _fds: list[int] = field(default_factory=list, repr=False)

    @property
    def port(self) -> int:
        return self.ports[0]

    def release(self) -> None:
        """Drop the locks; the run stamp stays, so this run never hands the ports out again."""
        for fd in self._fds:
            os.close(fd)
        self._fds.clear()


def claims_dir() -> Path:
    """The directory shared by every process on this machine (all runs, all xdist workers)."""
    override = os.environ.get("AUTH_CHAOS_PORTS_DIR")
    path = Path(override) if override else Path(tempfile.gettempdir()) / "auth-chaos-ports"
    path.mkdir(parents=True, exist_ok=True)
    return path


LISTEN_LOW = 20000  # the lowest port handed out when the ephemeral range leaves room
RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_pick = random.Random()  # a port number, not a secret


def ephemeral_low(path: Path = RANGE_FILE) -> int | None:
    """The first port of the kernel's ephemeral range, or None when it cannot be read."""
    try:
        low, _high = path.read_text(encoding="ascii").split()
        return int(low)
    except (OSError, ValueError):
        return None


def _os_free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _candidate(count: int) -> int:
    """The first port of a candidate range of ``count``: below the ephemeral range when it
    leaves room, else the OS's choice."""
    low = ephemeral_low()
    if low is not None and low - count > LISTEN_LOW + 1000:
        return _pick.randrange(LISTEN_LOW, low - count)
    return _os_free_port()


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True


def _lock(port: int, run_id: str) -> int | None:
    """The fd holding ``port``'s claim, or None if another process or this run had it."""
    fd = os.open(claims_dir() / str(port), os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return None
        raise
    stamp = os.pread(fd, 256, 0).decode("utf-8", "replace").split(" ")[0]
    if stamp == run_id:
        os.close(fd)  # handed out earlier in this run: never twice
        return None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{run_id} {os.getpid()}\n".encode(), 0)
    return fd


def claim_port_range(count: int, attempts: int = ATTEMPTS) -> PortClaim:
    """``count`` consecutive free ports, all claimed; raises :class:`PortsExhausted`."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count}")
    from chaos.services.run import current_run  # noqa: PLC0415 - services imports ports

    run_id = current_run().run_id
    for _ in range(attempts):
        first = _candidate(count)
        if first + count - 1 > MAX_PORT:
            continue
        fds: list[int] = []
        for port in range(first, first + count):
            fd = _lock(port, run_id)
            if fd is None:
                break
            fds.append(fd)
            if not _bindable(port):
                break
        else:
            return PortClaim(tuple(range(first, first + count)), fds)
        for fd in fds:
            os.close(fd)
    raise PortsExhausted(count, attempts)


def claim_port(attempts: int = ATTEMPTS) -> PortClaim:
    """One free port, claimed; raises :class:`PortsExhausted`."""
    return claim_port_range(1, attempts)
