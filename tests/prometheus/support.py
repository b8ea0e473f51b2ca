"""A monitored stack (workers -> fault proxy with --metrics -> Redis, and a real Prometheus
scraping the service and the proxy), a recorded workload around a fault, and the raw
samples of a counter over a window."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from chaos.faults import Fault, async_fault_window
from chaos.history import History
from chaos.monitoring.api import PrometheusApi
from chaos.monitoring.config import ScrapeJob
from chaos.monitoring.series import Series
from chaos.profile import AuthApi, reference_profile
from chaos.services import (
    DEFAULT_USERS,
    AuthService,
    CommandService,
    FaultProxy,
    PrometheusServer,
    Stack,
    open_stack,
)
from chaos.workload import Mix, Workload, WorkloadConfig

ROOT = Path(__file__).resolve().parents[2]
# the gate's reference settings (fixtures/gate.py), a fresh worker state per stack
REFERENCE_ARGS = ("--hash-cost", "1024", "--redis-timeout", "0.1", "--breaker-reset", "1.0")
SCRAPE_S = 1.0
Starter = Callable[[str], AuthService | CommandService]


@dataclass
class Monitored:
    stack: Stack
    prometheus: PrometheusServer
    proxy: FaultProxy

    @property
    def urls(self) -> list[str]:
        return list(self.stack.auth.worker_urls)

    def api(self) -> PrometheusApi:
        return self.prometheus.api()


def reference(workdir: Path, *args: str, workers: int = 2) -> Starter:
    return lambda url: AuthService(
        workdir, url, workers=workers, extra_args=[*REFERENCE_ARGS, *args]
    ).start()


@contextlib.contextmanager
def monitored_stack(
    workdir: Path, start_service: Starter, *, rule_files: Sequence[Path] = ()
) -> Iterator[Monitored]:
    """Start everything; stop everything on the way out, whatever happened."""
    with contextlib.ExitStack() as stop:
        proxy = FaultProxy(workdir, metrics=True)
        stop.callback(proxy.close)
        proxy.start()
        stack = open_stack(workdir, proxy.url, start_service)
        stop.callback(stack.close)
        jobs = [
            ScrapeJob("auth", (stack.auth.worker_urls[0],)),  # every worker answers for all
            ScrapeJob("fault-proxy", (proxy.url,)),
        ]
        prometheus = PrometheusServer(
            workdir, jobs, rule_files=rule_files, scrape_interval_s=SCRAPE_S,
            evaluation_interval_s=SCRAPE_S,
        )  # fmt: skip
        stop.callback(prometheus.close)
        prometheus.start()
        yield Monitored(stack, prometheus, proxy)


async def recorded_run(
    urls: Sequence[str], fault: Fault, *, before_s: float, fault_s: float, after_s: float,
    clients: int = 4, mix: Mix | None = None, seed: int = 7,
) -> History:  # fmt: skip
    """Clients on every worker for before + fault + after seconds, ``fault`` in the middle
    (inject and heal recorded in the history)."""
    history = History()
    config = WorkloadConfig(
        list(urls), DEFAULT_USERS, AuthApi(reference_profile()), clients=clients,
        max_ops=1_000_000,
        duration_s=before_s + fault_s + after_s, request_timeout_s=5.0,
        mix=mix or Mix(), seed=seed,
    )  # fmt: skip

    async def nemesis() -> None:
        await asyncio.sleep(before_s)  # the plan's offset, not a readiness wait
        async with async_fault_window(fault, history):
            await asyncio.sleep(fault_s)

    async with httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=2.0)) as http:
        await asyncio.gather(Workload(config, history, http).run(), nemesis())
    return history


@dataclass(frozen=True)
class Window:
    """From ``start`` (every target was scraped after it before the run began) to ``last``,
    a scrape that followed the run's end (Unix seconds)."""

    start: float
    last: float

    @property
    def at(self) -> float:
        """Where to evaluate: just after ``last``, a second before the next scrape."""
        return self.last + SCRAPE_S / 4

    @property
    def range_ms(self) -> int:
        return math.ceil((self.at - self.start) * 1000)


def scraped_window(prometheus: PrometheusServer, run: Callable[[], History]) -> tuple[
    History, Window
]:  # fmt: skip
    """``run()`` after every target was scraped once more, then wait for a scrape after it."""
    start = time.time()
    prometheus.wait_scraped_after(start)
    history = run()
    last = prometheus.wait_scraped_after(time.time())
    return history, Window(start, last)


def raw_samples(api: PrometheusApi, metric: str, window: Window) -> list[Series]:
    """Every series of ``metric`` with its points inside ``window``."""
    return api.query(f"{metric}[{window.range_ms}ms]", at=window.at)
