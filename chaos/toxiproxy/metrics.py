"""Prometheus text for ``/metrics``, named as the real server names its metrics.

``--proxy-metrics``: ``toxiproxy_proxy_received_bytes_total`` and
``toxiproxy_proxy_sent_bytes_total`` by ``direction``, ``listener``, ``proxy``, ``upstream``
(no help text, as the real server has none). ``--runtime-metrics``: prometheus-client's
standard process metrics (``process_*``, the same names Go's process collector uses, plus
``process_virtual_memory_max_bytes``) and Python's (``python_info``, ``python_gc_*``); Go's
own (``go_*``, ``promhttp_*``) cannot exist in a Python server. Families come sorted by
name, as the Go client sorts them.
"""

from __future__ import annotations

import resource
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    GCCollector,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from .collection import ProxyCollection

LABELS = ["direction", "listener", "proxy", "upstream"]
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
UNLIMITED = float(2**64 - 1)  # how Go's collector reports an unlimited address space


class ProxyBytes(Collector):
    """Bytes received from and sent to each side, per proxy and direction.

    Live connections count as they go; a family with no series yet is left out, as the
    real server leaves it out.
    """

    def __init__(self, collection: ProxyCollection) -> None:
        self.collection = collection

    def collect(self) -> Iterable[Metric]:
        for kind in ("received", "sent"):
            family = CounterMetricFamily(f"toxiproxy_proxy_{kind}_bytes", "", labels=LABELS)
            for proxy in self.collection.proxies.values():
                for direction, count in proxy.byte_counts(kind).items():
                    family.add_metric([direction, proxy.listen, proxy.name, proxy.upstream], count)
            if family.samples:
                yield family


class AddressSpaceLimit(Collector):
    """``process_virtual_memory_max_bytes``, which Go's process collector adds."""

    def collect(self) -> Iterable[Metric]:
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        value = UNLIMITED if soft == resource.RLIM_INFINITY else float(soft)
        yield GaugeMetricFamily(
            "process_virtual_memory_max_bytes",
            "Maximum amount of virtual memory available in bytes.",
            value=value,
        )


class MetricsRegistry:
    """The collectors a server was started with; ``render()`` gives the exposition text."""

    def __init__(self, collection: ProxyCollection, *, proxy: bool, runtime: bool) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        if proxy:
            self.registry.register(ProxyBytes(collection))
        if runtime:
            ProcessCollector(registry=self.registry)
            PlatformCollector(registry=self.registry)
            GCCollector(registry=self.registry)
            self.registry.register(AddressSpaceLimit())

    def collect(self) -> Iterator[Metric]:
        yield from sorted(self.registry.collect(), key=lambda metric: metric.name)

    def render(self) -> bytes:
        return generate_latest(self)
