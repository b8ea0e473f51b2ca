"""A Prometheus beside the gate's stack: started for a stack (restarted when the stack
changes), and after each scenario its report folder gains ``prometheus/``.

    watch = PrometheusWatch(workdir, dashboard_path=..., rule_files=[...])
    with watch.around(stack, run_dir / "proxy_down_open"):
        outcome = run_scenario(...)          # writes run_dir/proxy_down_open/history.jsonl
    watch.close()

``NoWatch`` does nothing (the gate without ``--chaos-prometheus``). A service that serves no
Prometheus metrics, or a Prometheus lost during the scenario, gets a ``prometheus.md`` that
says so (unknown, with the reason) instead of figures: the scenario's own verdicts stand. A
Prometheus that cannot start raises (the run asked for it).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import httpx

from chaos.history import History
from chaos.monitoring.api import PrometheusError
from chaos.monitoring.config import ScrapeJob
from chaos.report.prometheus import FOLDER, write_prometheus_report
from chaos.services.errors import ServiceError
from chaos.services.prometheus import PrometheusServer

__all__ = ["NoWatch", "PrometheusWatch", "ScenarioWatch", "WatchedStack"]

PROBE_TIMEOUT_S = 2.0


class _Service(Protocol):
    @property
    def worker_urls(self) -> list[str]: ...


class WatchedStack(Protocol):
    """What a watch needs of a stack (a local ``Stack`` or a Docker ``GateStack``)."""

    @property
    def auth(self) -> _Service: ...

    @property
    def toxiproxy_url(self) -> str: ...


class ScenarioWatch(Protocol):
    def around(self, stack: Any, folder: Path) -> contextlib.AbstractContextManager[None]: ...

    def close(self) -> None: ...


class NoWatch:
    """The gate without Prometheus."""

    def around(self, stack: Any, folder: Path) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def close(self) -> None:
        pass


def serves_metrics(url: str) -> str | None:
    """None when ``url`` answers 200 with Prometheus text; otherwise what it answered."""
    try:
        answer = httpx.get(url, timeout=PROBE_TIMEOUT_S)
    except httpx.HTTPError as exc:
        return f"{url}: {type(exc).__name__}: {exc}"
    if answer.status_code != 200:
        return f"{url}: HTTP {answer.status_code}"
    return None


class PrometheusWatch:
    """One ``PrometheusServer`` at a time, scraping the current stack's service (its first
    worker URL: every worker answers for all) and its fault proxy (when it serves metrics)."""

    def __init__(
        self, workdir: Path, *, dashboard_path: Path, rule_files: Sequence[Path] = (),
        metrics_path: str = "/metrics", scrape_interval_s: float = 1.0,
        progress: Callable[[str], None] = lambda line: None, scrape_wait_s: float = 15.0,
    ) -> None:  # fmt: skip
        self.workdir = workdir
        self.dashboard: dict[str, Any] = json.loads(dashboard_path.read_text(encoding="utf-8"))
        self.rule_files = tuple(rule_files)
        self.metrics_path = metrics_path
        self.scrape_interval_s = scrape_interval_s
        self.progress = progress
        self.scrape_wait_s = scrape_wait_s  # for the scrape that follows a scenario's end
        self._current: tuple[int, PrometheusServer | None, str] | None = None

    @property
    def server(self) -> PrometheusServer | None:
        """The Prometheus of the current stack (None before the first, or for a service
        without metrics)."""
        return self._current[1] if self._current is not None else None

    def jobs_for(self, stack: WatchedStack) -> tuple[list[ScrapeJob], str]:
        """The scrape jobs of ``stack``, and why the service is left out (or "")."""
        jobs: list[ScrapeJob] = []
        service = stack.auth.worker_urls[0]
        absent = serves_metrics(service + self.metrics_path)
        if absent is None:
            jobs.append(ScrapeJob("auth", (service,), self.metrics_path))
        if serves_metrics(stack.toxiproxy_url + "/metrics") is None:
            jobs.append(ScrapeJob("fault-proxy", (stack.toxiproxy_url,)))
        why = f"the service serves no Prometheus metrics ({absent})" if absent else ""
        return jobs, why

    def _server_for(self, stack: WatchedStack) -> tuple[PrometheusServer | None, str]:
        if self._current is not None and self._current[0] == id(stack):
            return self._current[1], self._current[2]
        self.close()
        jobs, why = self.jobs_for(stack)
        server = None
        if not why:
            server = PrometheusServer(
                self.workdir, jobs, rule_files=self.rule_files,
                scrape_interval_s=self.scrape_interval_s,
                evaluation_interval_s=self.scrape_interval_s,
            )  # fmt: skip
            began = time.monotonic()
            server.start()
            names = ", ".join(f"{j.name} {' '.join(j.targets)}" for j in jobs)
            self.progress(f"prometheus {server.url} scraping {names} "
                          f"(ready in {time.monotonic() - began:.1f} s)")  # fmt: skip
        self._current = (id(stack), server, why)
        return server, why

    @contextlib.contextmanager
    def around(self, stack: WatchedStack, folder: Path) -> Iterator[None]:
        """Run the scenario inside; afterwards write ``folder/prometheus/`` for its time range
        (after a scrape that follows its end)."""
        server, why = self._server_for(stack)
        start = time.time()
        yield
        end = time.time()
        if server is None:
            self._unknown(folder, why)
            return
        try:
            last = server.wait_scraped_after(end, timeout=self.scrape_wait_s)
            history_path = folder / "history.jsonl"
            history = History.load(history_path) if history_path.is_file() else None
            report = write_prometheus_report(
                folder, server.url, start, last, dashboard=self.dashboard, history=history,
                scrape_interval_s=self.scrape_interval_s, step_s=self.scrape_interval_s,
                name=folder.name,
            )  # fmt: skip
        except (ServiceError, PrometheusError) as exc:
            reason = f"no Prometheus report: {type(exc).__name__}: {str(exc).splitlines()[0]}"
            self._unknown(folder, reason)
            self.progress(f"{folder.name}: {reason}")
            return
        verdict = report.counter_verdict
        self.progress(
            f"{folder.name}: prometheus report {report.folder} "
            f"({len(report.charts)} panels; {verdict.label if verdict else 'no history'})"
        )

    @staticmethod
    def _unknown(folder: Path, why: str) -> None:
        out = folder / FOLDER
        out.mkdir(parents=True, exist_ok=True)
        (out / "prometheus.md").write_text(
            f"# {folder.name}: as Prometheus saw it\n\nunknown: {why}\n", encoding="utf-8"
        )

    def close(self) -> None:
        current, self._current = self._current, None
        if current is not None and current[1] is not None:
            current[1].close()
