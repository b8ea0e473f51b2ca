"""A ledger on disk of every process group the suite started, for the reaper.

The environment marker alone is not enough: ``redis-server`` and ``redis-sentinel`` rewrite
their process title over the memory ``/proc/PID/environ`` shows. So each start also writes
``<ledger>/<pid>`` = ``owner_pid run_id start_time``; the start time (from ``/proc/PID/stat``)
tells a recycled pid from ours.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Entry", "entries", "ledger_dir", "record", "remove", "start_time"]


@dataclass(frozen=True)
class Entry:
    pid: int
    owner_pid: int
    run_id: str
    start_time: str


def ledger_dir() -> Path:
    override = os.environ.get("AUTH_CHAOS_LEDGER_DIR")
    path = Path(override) if override else Path(tempfile.gettempdir()) / "auth-chaos-ledger"
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_time(pid: int) -> str | None:
    """Field 22 of ``/proc/PID/stat`` (clock ticks since boot), or None if gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def record(pid: int, owner_pid: int, run_id: str) -> None:
    stamp = start_time(pid) or "?"
    (ledger_dir() / str(pid)).write_text(f"{owner_pid} {run_id} {stamp}\n", encoding="utf-8")


def remove(pid: int) -> None:
    with contextlib.suppress(FileNotFoundError):
        (ledger_dir() / str(pid)).unlink()


def entries() -> list[Entry]:
    """Every entry whose process still exists with the recorded start time; drops the rest."""
    found: list[Entry] = []
    for path in ledger_dir().iterdir():
        if not path.name.isdigit():
            continue
        try:
            owner, run_id, stamp = path.read_text(encoding="utf-8").split()
        except (OSError, ValueError):
            continue
        pid = int(path.name)
        if start_time(pid) != stamp or not owner.isdigit():
            remove(pid)  # gone or recycled: the entry is stale
            continue
        found.append(Entry(pid, int(owner), run_id, stamp))
    return found
