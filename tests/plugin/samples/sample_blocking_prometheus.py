"""Starts Prometheus (scraping a fault proxy), writes their pids, then blocks until killed."""

import json
import os
import threading
from pathlib import Path

from chaos.services import FaultProxy
from fixtures.prometheus import PrometheusFactory


def test_blocks_with_prometheus_running(
    prometheus_factory: PrometheusFactory, chaos_workdir: Path
) -> None:
    proxy = FaultProxy(chaos_workdir, metrics=True).start()
    server = prometheus_factory({"fault-proxy": [proxy.url]})
    marker = Path(os.environ["SAMPLE_MARKER"])
    info = {"run": os.environ["AUTH_CHAOS_RUN"], "pids": [server.pid, proxy.pid]}
    partial = marker.with_suffix(".partial")
    partial.write_text(json.dumps(info))
    partial.replace(marker)  # atomic: the watcher never reads half a file
    threading.Event().wait(float(os.environ.get("SAMPLE_BLOCK", "120")))
    proxy.close()
