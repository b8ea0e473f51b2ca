"""A service's workers seen from ``/proc``: its process tree, which of its processes listen
on its port, and which process holds the server side of one client connection. For services
that do not name the answering worker in a header (contract §2.3): worker faults aim at a
process of the tree, and a call is credited to the process that accepted its connection.

    tree = ProcessTree(root_pid=service.pid, ports=(8000,))
    tree.workers()                     # [4242, 4243]: descendants listening on the port
    tree.owner_of(client_port=51514)   # 4243: the worker holding that connection

Linux only (``/proc/net/tcp{,6}``, ``/proc/<pid>/fd``); on loopback, same machine.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ProcessTree", "descendants", "tcp_sockets"]

PROC = Path("/proc")
LISTEN, ESTABLISHED = "0A", "01"


@dataclass(frozen=True)
class TcpSocket:
    local_port: int
    remote_port: int
    state: str
    inode: int


def tcp_sockets() -> list[TcpSocket]:
    """Every IPv4 and IPv6 TCP socket of this network namespace."""
    found: list[TcpSocket] = []
    for name in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) < 10:
                continue
            local, remote, state, inode = parts[1], parts[2], parts[3], parts[9]
            found.append(
                TcpSocket(int(local.rsplit(":", 1)[1], 16), int(remote.rsplit(":", 1)[1], 16),
                          state, int(inode))
            )  # fmt: skip
    return found


def _parent(pid: int) -> int | None:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return int(fields[1]) if len(fields) > 1 else None


def descendants(root: int) -> list[int]:
    """Every live process below ``root`` (not ``root`` itself), parents before children."""
    children: dict[int, list[int]] = {}
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            parent = _parent(int(entry.name))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry.name))
    out: list[int] = []
    todo = list(children.get(root, []))
    while todo:
        pid = todo.pop(0)
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def _socket_inodes(pid: int) -> set[int]:
    inodes: set[int] = set()
    try:
        fds = os.listdir(PROC / str(pid) / "fd")
    except OSError:
        return inodes
    for fd in fds:
        try:
            target = os.readlink(PROC / str(pid) / "fd" / fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


@dataclass
class ProcessTree:
    """The service started as ``root_pid`` (in its own session), serving on ``ports``."""

    root_pid: int
    ports: tuple[int, ...]

    def members(self) -> list[int]:
        return [self.root_pid, *descendants(self.root_pid)]

    def workers(self) -> list[int]:
        """The processes that serve: those below the root that hold a listening socket of
        the service's ports, or the root itself when none below it does (one process)."""
        listening = {
            s.inode for s in tcp_sockets() if s.state == LISTEN and s.local_port in self.ports
        }
        below = [pid for pid in descendants(self.root_pid) if _socket_inodes(pid) & listening]
        if below:
            return below
        return [self.root_pid] if _socket_inodes(self.root_pid) & listening else []

    def owner_of(self, client_port: int) -> int | None:
        """The process holding the server side of the open connection from ``client_port``
        (None: no such connection now, or not in this tree)."""
        inodes = {
            s.inode for s in tcp_sockets()
            if s.local_port in self.ports and s.remote_port == client_port and s.inode
        }  # fmt: skip
        if not inodes:
            return None
        for pid in self.members():
            if _socket_inodes(pid) & inodes:
                return pid
        return None
