"""PrometheusServer as a real process: ready when every target is up, marked and stopped like
the suite's other processes; a target that never answers, a bad rule file and a missing
binary each fail the start with what was seen."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from chaos.monitoring.config import ScrapeJob
from chaos.services import (
    FaultProxy,
    PrometheusServer,
    ServiceError,
    ServiceNotReady,
    current_run,
    leftovers,
)
from fixtures.prometheus import PrometheusFactory

pytestmark = pytest.mark.prometheus


@pytest.fixture
def metrics_target(chaos_workdir: Path) -> Iterator[FaultProxy]:
    """Something that serves /metrics: the fault proxy with --metrics."""
    proxy = FaultProxy(chaos_workdir, metrics=True).start()
    yield proxy
    proxy.close()


def bound(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_ready_means_every_target_up_and_it_is_marked_as_ours(
    prometheus_factory: PrometheusFactory, metrics_target: FaultProxy
) -> None:
    server = prometheus_factory({"fault-proxy": [metrics_target.url]})
    with server.api() as api:
        targets = api.targets()
        assert [(t.job, t.health) for t in targets] == [("fault-proxy", "up")]
        assert api.query("up")[0].points[0][1] == 1.0
    assert server.url == f"http://127.0.0.1:{server.port}"
    assert server.pid in {m.pid for m in leftovers(current_run().run_id)}
    moment = time.time()
    assert server.wait_scraped_after(moment) >= moment
    pid = server.pid or 0
    server.close()
    assert not server.running
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert not bound(server.port)


def test_a_target_that_never_answers_fails_the_start_naming_it(chaos_workdir: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    server = PrometheusServer(chaos_workdir, [ScrapeJob("auth", (f"127.0.0.1:{dead}",))])
    with pytest.raises(ServiceNotReady) as caught:
        server.start(timeout=12)
    assert f"job auth target http://127.0.0.1:{dead}/metrics" in caught.value.seen
    assert "connection refused" in caught.value.seen
    assert not server.running  # killed on the failed start
    server.close()


def test_a_bad_rule_file_fails_the_start_with_prometheus_own_words(
    chaos_workdir: Path, metrics_target: FaultProxy
) -> None:
    rules = chaos_workdir / "bad.rules.yml"
    rules.write_text("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: sum(\n")
    server = PrometheusServer(
        chaos_workdir, [ScrapeJob("p", (metrics_target.url,))], rule_files=[rules]
    )
    with pytest.raises(ServiceNotReady) as caught:
        server.start(timeout=20)
    assert "exited" in caught.value.seen
    assert "parse error" in caught.value.log_tail
    server.close()


def test_a_missing_binary_is_a_clear_error(chaos_workdir: Path) -> None:
    class Elsewhere(PrometheusServer):
        binary = "prometheus-not-installed"

    server = Elsewhere(chaos_workdir, [ScrapeJob("p", ("127.0.0.1:1",))])
    with pytest.raises(ServiceError, match="cannot run 'prometheus-not-installed'"):
        server.start()
    server.close()


@pytest.mark.parametrize(
    ("jobs", "message"),
    [
        ([], "at least one scrape job"),
        ([ScrapeJob("a", ("127.0.0.1:1",)), ScrapeJob("a", ("127.0.0.1:2",))], "repeat"),
    ],
)
def test_bad_jobs_are_refused_before_anything_starts(
    chaos_workdir: Path, jobs: list[ScrapeJob], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        PrometheusServer(chaos_workdir, jobs)
