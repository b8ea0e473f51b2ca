"""``PrometheusServer``: Debian's ``prometheus`` on a claimed loopback port, scraping given
targets with a generated configuration.

    server = PrometheusServer(workdir, [ScrapeJob("auth", (auth.worker_urls[0],))]).start()
    server.api().query("auth_revocation_degraded_total")
    server.wait_scraped_after(time.time())   # every target scraped since then

Ready when the server answers ``/-/ready`` and every target's health is ``up`` (the first
scrape comes a few seconds after start: target discovery is batched).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

from chaos.monitoring.api import PrometheusApi, PrometheusError, Target
from chaos.monitoring.config import ScrapeJob, prometheus_config
from chaos.ports import PortClaim, claim_port
from chaos.services.errors import ServiceNotReady
from chaos.services.process import ServiceProcess

__all__ = ["PrometheusServer"]

PROBE_TIMEOUT_S = 2.0
POLL_S = 0.1  # between looks at the targets while waiting for a scrape


def unhealthy(targets: Sequence[Target], expected: int) -> str | None:
    """None when ``expected`` targets are all ``up``; otherwise what was seen."""
    if len(targets) < expected:
        return f"{len(targets)} of {expected} targets discovered"
    for target in targets:
        if target.health != "up":
            error = f" ({target.last_error})" if target.last_error else ""
            return f"job {target.job} target {target.url}: health {target.health}{error}"
    return None


class PrometheusServer(ServiceProcess):
    """A ``prometheus`` process with its own data directory; restarts keep port and data."""

    binary = "prometheus"
    ready_timeout = 60.0  # discovery is batched every 5 s; a busy box adds seconds

    def __init__(
        self,
        workdir: Path,
        jobs: Sequence[ScrapeJob],
        *,
        rule_files: Sequence[Path] = (),
        scrape_interval_s: float = 1.0,
        evaluation_interval_s: float = 1.0,
        port: int | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        if not jobs:
            raise ValueError("PrometheusServer needs at least one scrape job")
        self.jobs = tuple(jobs)
        self.rule_files = tuple(Path(p) for p in rule_files)
        for path in self.rule_files:
            if not path.is_file():
                raise ValueError(f"rule file {path}: no such file")
        self.scrape_interval_s = scrape_interval_s
        self.evaluation_interval_s = evaluation_interval_s
        self.config_text = prometheus_config(
            self.jobs, scrape_interval_s=scrape_interval_s,
            evaluation_interval_s=evaluation_interval_s, rule_files=self.rule_files,
        )  # fmt: skip
        self._claim: PortClaim | None = None
        if port is None:
            self._claim = claim_port()
            port = self._claim.port
        self.port = port
        super().__init__(f"prometheus-{port}", Path(workdir) / f"prometheus-{port}", env)
        self.config_path = self.workdir / "prometheus.yml"
        self.data_dir = self.workdir / "data"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def target_count(self) -> int:
        return sum(len(job.targets) for job in self.jobs)

    def api(self, timeout_s: float = 10.0) -> PrometheusApi:
        """A client of this server's HTTP API (the caller closes it)."""
        return PrometheusApi(self.url, timeout_s)

    def prepare(self) -> None:
        self.config_path.write_text(self.config_text, encoding="utf-8")

    def command(self) -> list[str]:
        return [
            self.binary,
            f"--config.file={self.config_path}",
            f"--storage.tsdb.path={self.data_dir}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--storage.tsdb.retention.time=1d",
            "--log.level=warn",
        ]

    def probe(self) -> str | None:
        with self.api(PROBE_TIMEOUT_S) as api:
            if not api.ready():
                return f"{self.url}/-/ready does not answer 200 yet"
            try:
                return unhealthy(api.targets(), self.target_count)
            except PrometheusError as exc:
                return str(exc)

    def wait_scraped_after(self, moment: float, timeout: float = 15.0) -> float:
        """Wait until every target was scraped at or after ``moment`` (Unix seconds); the
        latest such scrape's time. Raises ServiceNotReady with what was seen."""
        deadline = time.monotonic() + timeout
        pause = threading.Event()  # never set: an interruptible poll interval
        seen = "not looked yet"
        with self.api(PROBE_TIMEOUT_S) as api:
            while True:
                try:
                    targets = api.targets()
                except PrometheusError as exc:
                    targets, seen = [], str(exc)
                stamps = [t.last_scrape for t in targets]
                if len(targets) >= self.target_count and all(
                    s is not None and s >= moment for s in stamps
                ):
                    return max(s for s in stamps if s is not None)
                if targets:
                    seen = "; ".join(
                        f"{t.url} last scraped {t.last_scrape} ({t.health})" for t in targets
                    )
                if time.monotonic() >= deadline:
                    raise ServiceNotReady(
                        f"{self.name} scrape after {moment:.3f}", timeout, seen, self.log_tail(15)
                    )
                pause.wait(POLL_S)

    def release_ports(self) -> None:
        if self._claim is not None:
            self._claim.release()
