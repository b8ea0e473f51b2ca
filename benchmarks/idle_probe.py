"""An idle client beside the crowd: the service's own lateness, without the generator's.

    probe = IdleProbe("http://127.0.0.1:8000", "/health", every_s=0.02)
    probe.start()          # a thread of its own: one kept-alive connection, one GET at a time
    ...                    # the crowd runs
    reading = probe.stop() # latencies (s) and how late the probe itself woke
    print(reading.line())

A crowd's latencies mix the service's with the generator's: a generator process that shares
the box waits for a core, and its loop has hundreds of other answers to get through. This
probe has nothing else to do, so the time its request waits is the service's: how long a
worker takes to read a request on a connection of its own (a shed answer waits the same
before it is read). ``/health`` is never shed nor queued by the reference, so its answer time
is the worker's lateness in reading, plus a parse and a write. Its own wake-up lateness is
printed too: when the box is saturated the probe waits for a core as well.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from chaos.checkers.latency_budgets import percentile as nearest_rank

DEFAULT_EVERY_S = 0.02
TIMEOUT_S = 10.0


@dataclass
class ProbeReading:
    """What the probe saw: answer times (s), its own wake-up lateness (s), failed calls."""

    path: str
    every_s: float
    latencies_s: list[float] = field(default_factory=list)
    wake_late_s: list[float] = field(default_factory=list)
    failures: int = 0
    last_failure: str = ""
    # answers by the X-Worker-Id header (the reference sets it; a service without it: none)
    workers: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        """One line for a report; a probe that timed nothing says so (no figure)."""
        what = f"idle client (GET {self.path} every {self.every_s * 1e3:g} ms, one connection)"
        failed = f"; {self.failures} failed ({self.last_failure})" if self.failures else ""
        if not self.latencies_s:
            return f"{what}: no answer timed{failed}"
        by_worker = ", ".join(
            f"{worker} {count:,}" for worker, count in sorted(self.workers.items())
        )
        return (
            f"{what}: {len(self.latencies_s):,} answers, p50 {_ms(self.latencies_s, 0.5)}, "
            f"p90 {_ms(self.latencies_s, 0.9)}, p99 {_ms(self.latencies_s, 0.99)}, "
            f"max {_ms(self.latencies_s, 1.0)}; its own wake-up late p99 "
            f"{_ms(self.wake_late_s, 0.99)}"
            f"{f'; answered by {by_worker}' if by_worker else ''}{failed}"
        )


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1, nearest rank) of a non-empty list."""
    return nearest_rank(values, q * 100)


def _ms(values: list[float], q: float) -> str:
    return f"{percentile(values, q) * 1e3:,.1f} ms" if values else "-"


class IdleProbe:
    """GET ``path`` on ``base_url`` every ``every_s`` from a thread, until ``stop()``."""

    def __init__(self, base_url: str, path: str, every_s: float = DEFAULT_EVERY_S) -> None:
        parts = urlsplit(base_url)
        self._address = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._path = path
        self.reading = ProbeReading(path, every_s)
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="idle-probe", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> ProbeReading:
        self._stopping.set()
        self._thread.join(timeout=TIMEOUT_S + 1.0)
        return self.reading

    def _run(self) -> None:
        # kept alive between requests, reconnected by http.client after a close
        connection = http.client.HTTPConnection(*self._address, timeout=TIMEOUT_S)
        planned = time.monotonic()
        try:
            while not self._stopping.is_set():
                self.reading.wake_late_s.append(max(0.0, time.monotonic() - planned))
                try:
                    began = time.perf_counter()
                    connection.request("GET", self._path)
                    answer = connection.getresponse()
                    answer.read()
                    self.reading.latencies_s.append(time.perf_counter() - began)
                    worker = answer.getheader("X-Worker-Id")
                    if worker:
                        self.reading.workers[worker] = self.reading.workers.get(worker, 0) + 1
                except (OSError, http.client.HTTPException) as exc:
                    self.reading.failures += 1
                    self.reading.last_failure = f"{type(exc).__name__}: {exc}"
                    connection.close()
                planned = max(planned + self.reading.every_s, time.monotonic())
                self._stopping.wait(max(0.0, planned - time.monotonic()))
        finally:
            connection.close()
