"""Find and kill what a killed run left: processes whose ``AUTH_CHAOS_OWNER`` is gone.

Scans ``/proc/*/environ``; a process whose owner pid no longer exists is an orphan, and its
whole process group (it was started in its own session) is SIGKILLed.

    reaped = reap_orphans()            # at the start of a run
    leftovers(run_id="run-123-abcd")   # what a given run still has alive
"""

from __future__ import annotations

import os
import signal
from dataclasses import dataclass
from pathlib import Path

from chaos.services import ledger
from chaos.services.run import OWNER_ENV, RUN_ENV, current_scope, scope_of

__all__ = ["Marked", "kill_groups", "leftovers", "marked_processes", "reap_orphans"]

PROC = Path("/proc")


@dataclass(frozen=True)
class Marked:
    """A live process that carries the suite's markers."""

    pid: int
    owner_pid: int
    run_id: str

    @property
    def scope(self) -> str:
        return scope_of(self.run_id)

    @property
    def orphaned(self) -> bool:
        return not _alive(self.owner_pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def _markers(pid: int) -> dict[str, str]:
    try:
        raw = (PROC / str(pid) / "environ").read_bytes()
    except OSError:
        return {}
    found: dict[str, str] = {}
    for entry in raw.split(b"\0"):
        key, _, value = entry.partition(b"=")
        if key in (OWNER_ENV.encode(), RUN_ENV.encode()):
            found[key.decode()] = value.decode("utf-8", "replace")
    return found


def marked_processes() -> list[Marked]:
    """Every live, non-zombie process marked in its env or in the ledger (except this one)."""
    me = os.getpid()
    found = {
        e.pid: Marked(e.pid, e.owner_pid, e.run_id)
        for e in ledger.entries()
        if e.pid != me and not _zombie(e.pid)
    }
    for entry in PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        pid = int(entry.name)
        markers = _markers(pid)
        owner = markers.get(OWNER_ENV, "")
        if not owner.isdigit() or _zombie(pid):
            continue
        found.setdefault(pid, Marked(pid, int(owner), markers.get(RUN_ENV, "")))
    return list(found.values())


def leftovers(run_id: str) -> list[Marked]:
    """The live processes started by run ``run_id``."""
    return [m for m in marked_processes() if m.run_id == run_id]


def reap_orphans(scope: str | None = None) -> list[Marked]:
    """SIGKILL the process group of every orphan of ``scope`` (default: this process's)."""
    wanted = current_scope() if scope is None else scope
    return kill_groups([m for m in marked_processes() if m.orphaned and m.scope == wanted])


def kill_groups(marked: list[Marked]) -> list[Marked]:
    """SIGKILL the process group of each marked process (never our own group); ``marked``."""
    own_group = os.getpgrp()
    for orphan in marked:
        try:
            group = os.getpgid(orphan.pid)
        except ProcessLookupError:
            continue
        try:
            if group not in (own_group, 0, 1):
                os.killpg(group, signal.SIGKILL)
            else:
                os.kill(orphan.pid, signal.SIGKILL)
        except ProcessLookupError:
            continue
        finally:
            ledger.remove(orphan.pid)
    return marked
