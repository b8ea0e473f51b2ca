"""What the machine was doing while a figure was measured (other engineers share the box)."""

from __future__ import annotations

import os
import time


def load_average() -> str:
    """``load 1.23 0.98 0.50 on 2 cores``: next to every figure."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def utc_now() -> str:
    """The wall-clock time a run started, for the record."""
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores from /proc/stat; diff two readings for a share."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    total = sum(fields[:8])  # user..steal; guest time is already inside user
    return total - idle, total


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of all cores that was busy between two ``cpu_ticks`` readings."""
    total = after[1] - before[1]
    return (after[0] - before[0]) / total if total > 0 else 0.0
