"""Readings taken from outside the service: RSS from /proc, gauges from ``/metrics``."""

from __future__ import annotations

import re
from pathlib import Path

_SERIES = re.compile(r"^(?P<name>[a-z_]+)\{(?P<labels>[^}]*)\}\s+(?P<value>\S+)$", re.MULTILINE)
_WORKER = re.compile(r'worker="(?P<worker>[^"]+)"')
_WORKER_PID = re.compile(r"^w\d+-(?P<pid>\d+)$")


def rss_mib(pid: int) -> float | None:
    """Resident memory of ``pid`` in MiB (VmRSS), None when the process is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except (FileNotFoundError, ProcessLookupError):
        return None
    found = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.MULTILINE)
    return int(found.group(1)) / 1024 if found else None


def gauge_by_worker(exposition: str, name: str) -> dict[str, float]:
    """``{worker: value}`` of one metric in Prometheus text exposition."""
    values: dict[str, float] = {}
    for series in _SERIES.finditer(exposition):
        if series.group("name") != name:
            continue
        worker = _WORKER.search(series.group("labels"))
        if worker is not None:
            values[worker.group("worker")] = float(series.group("value"))
    return values


def worker_pid(worker: str) -> int | None:
    """The pid inside a worker id ``w<slot>-<pid>``; None for another shape."""
    found = _WORKER_PID.match(worker)
    return int(found.group("pid")) if found else None
