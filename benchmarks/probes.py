"""Readings taken from outside the service: RSS from /proc, gauges from ``/metrics``."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import httpx

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


def series_sum(exposition: str, name: str, label: str = "") -> float | None:
    """The sum of every series of one metric (over workers and any other label) whose labels
    hold ``label`` (e.g. ``result="unavailable"``); None when there is no such series."""
    total: float | None = None
    for series in _SERIES.finditer(exposition):
        if series.group("name") == name and label in series.group("labels"):
            total = (total or 0.0) + float(series.group("value"))
    return total


def worker_pid(worker: str) -> int | None:
    """The pid inside a worker id ``w<slot>-<pid>``; None for another shape."""
    found = _WORKER_PID.match(worker)
    return int(found.group("pid")) if found else None


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of ``pid`` so far (its threads included); None when gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = stat.rpartition(")")[2].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


POOL_GAUGE = "auth_redis_pool_in_use"


def discover_workers(client: httpx.Client, workers: int, timeout_s: float = 30.0) -> list[str]:
    """The worker ids that ``/metrics`` reports, once all ``workers`` of them appear."""
    deadline = time.monotonic() + timeout_s
    seen: list[str] = []
    while time.monotonic() < deadline:
        client.get("/health")  # a request, so every worker has touched its gauges
        seen = sorted(gauge_by_worker(client.get("/metrics").text, POOL_GAUGE))
        if len(seen) >= workers:
            return seen
        time.sleep(0.2)
    raise RuntimeError(f"/metrics named {len(seen)} of {workers} workers in {timeout_s} s: {seen}")
