"""Fault proxy benchmark (./dev bench): prints redis-benchmark ratio and one-hop latency."""

from __future__ import annotations

import pytest

from benchmarks.proxy_bench import measure

pytestmark = [pytest.mark.bench, pytest.mark.slow]


def test_proxy_throughput_and_added_latency() -> None:
    figures = measure(
        requests=30_000, clients=50, pings=2_000, rounds=1
    )  # fits the per-test timeout under load
    print()
    print("\n".join(figures.lines()))
    assert figures.direct.rps > 0
    assert figures.proxied.rps > 0
    # sanity, not a budget: a relay slower than a tenth of direct is broken
    assert figures.ratio > 0.1
    assert figures.ping_proxied_us[0] > 0
