"""The header-equals-counter promise as Prometheus sees it: during a Redis loss every
``degraded`` 200 a client saw is counted in ``auth_revocation_degraded_total`` (I2-counter),
and a service whose counter misses some is caught."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from chaos.checkers.degraded_counter import degraded_counter
from chaos.faults import ProxyDown
from chaos.history import History
from chaos.services import CommandService
from tests.prometheus.support import (
    ROOT,
    Monitored,
    monitored_stack,
    raw_samples,
    recorded_run,
    reference,
    scraped_window,
)

pytestmark = [pytest.mark.prometheus, pytest.mark.slow]

METRIC = "auth_revocation_degraded_total"
UNDERCOUNTING = (
    f"{sys.executable} -m tests.broken_service --port {{port}} --redis-url {{redis_url}} "
    "--undercount-degraded"
)


def redis_loss(monitored: Monitored) -> History:
    """4 clients on every worker; the proxy in front of Redis down from +1.5 s for 3 s."""
    return asyncio.run(
        recorded_run(monitored.urls, ProxyDown(monitored.stack.proxy), before_s=1.5,
                     fault_s=3.0, after_s=1.5)
    )  # fmt: skip


def test_every_degraded_answer_is_counted_as_prometheus_scraped_it(chaos_workdir: Path) -> None:
    with monitored_stack(chaos_workdir, reference(chaos_workdir)) as monitored:
        history, window = scraped_window(monitored.prometheus, lambda: redis_loss(monitored))
        with monitored.api() as api:
            samples = raw_samples(api, METRIC, window)
            # increase() extrapolates to its window's ends, except when evaluated at the last
            # sample's own time with a counter that starts the window at 0 (a fresh stack)
            last = max(s.points[-1][0] for s in samples)
            first = min(s.points[0][0] for s in samples)
            assert all(s.points[0][1] == 0 for s in samples), samples
            found = api.query(
                f"sum(increase({METRIC}[{round((last - first) * 1000) + 500}ms]))", at=last
            )
    increase = found[0].points[0][1]
    verdict = degraded_counter(history, samples, promql_increase=increase)
    print(f"\n{verdict.message}\n{verdict.figures}")
    assert verdict.valid is True, verdict.message
    assert verdict.figures["degraded_answers"] > 0
    assert increase == verdict.figures["degraded_answers"], verdict.figures


def test_a_service_that_undercounts_is_caught(chaos_workdir: Path) -> None:
    """Negative control: tests/broken_service --undercount-degraded counts every second
    ``degraded`` answer only."""

    def undercounting(url: str) -> CommandService:
        return CommandService(
            chaos_workdir, UNDERCOUNTING, url, env={"PYTHONPATH": str(ROOT)}
        ).start()

    with monitored_stack(chaos_workdir, undercounting) as monitored:
        history, window = scraped_window(monitored.prometheus, lambda: redis_loss(monitored))
        with monitored.api() as api:
            samples = raw_samples(api, METRIC, window)
    verdict = degraded_counter(history, samples)
    print(f"\n{verdict.message}\n{verdict.figures}")
    assert verdict.valid is False, verdict.message
    assert "under-counts" in verdict.message
    answers = verdict.figures["degraded_answers"]
    assert answers >= 2
    assert verdict.figures["counter_rise"] == (answers + 1) // 2
