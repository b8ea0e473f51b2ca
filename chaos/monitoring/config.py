"""A Prometheus configuration for given targets, written as JSON (which YAML readers take).

jobs = [ScrapeJob("auth", ("127.0.0.1:8000",)), ScrapeJob("fault-proxy", ("127.0.0.1:8474",))]
text = prometheus_config(jobs, rule_files=[Path("monitoring/rules/auth.rules.yml")])
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["ScrapeJob", "host_port", "prometheus_config"]

_JOB = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_-]*$")


def host_port(url_or_address: str) -> str:
    """``http://127.0.0.1:8000`` (or ``127.0.0.1:8000``) -> ``127.0.0.1:8000``."""
    text = url_or_address if "//" in url_or_address else f"//{url_or_address}"
    parts = urlsplit(text)
    if not parts.hostname or parts.port is None:
        raise ValueError(f"a scrape target needs a host and a port: {url_or_address!r}")
    return f"{parts.hostname}:{parts.port}"


@dataclass(frozen=True)
class ScrapeJob:
    """Targets scraped alike: ``job`` becomes their ``job`` label."""

    name: str
    targets: tuple[str, ...]
    metrics_path: str = "/metrics"

    def __post_init__(self) -> None:
        if not _JOB.match(self.name):
            raise ValueError(f"scrape job name {self.name!r}: letters, digits, _ and -")
        if not self.targets:
            raise ValueError(f"scrape job {self.name!r} has no target")
        if not self.metrics_path.startswith("/"):
            raise ValueError(f"scrape job {self.name!r}: metrics path must start with /")
        object.__setattr__(self, "targets", tuple(host_port(t) for t in self.targets))


def _duration(seconds: float) -> str:
    if seconds <= 0:
        raise ValueError(f"an interval must be > 0 s, got {seconds}")
    return f"{round(seconds * 1000)}ms"


def prometheus_config(
    jobs: Sequence[ScrapeJob],
    *,
    scrape_interval_s: float = 1.0,
    evaluation_interval_s: float = 1.0,
    rule_files: Sequence[Path] = (),
) -> str:
    """The configuration text; every target a static one, every interval explicit."""
    names = [job.name for job in jobs]
    if len(set(names)) != len(names):
        raise ValueError(f"scrape job names repeat: {names}")
    interval = _duration(scrape_interval_s)
    config = {
        "global": {
            "scrape_interval": interval,
            "scrape_timeout": interval,  # at most the interval: Prometheus refuses more
            "evaluation_interval": _duration(evaluation_interval_s),
        },
        "rule_files": [str(Path(p).resolve()) for p in rule_files],
        "scrape_configs": [
            {
                "job_name": job.name,
                "metrics_path": job.metrics_path,
                "static_configs": [{"targets": list(job.targets)}],
            }
            for job in jobs
        ],
    }
    return json.dumps(config, indent=2) + "\n"
