"""Prometheus text for ``/metrics`` (only served with ``--metrics``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .collection import ProxyCollection

HELP = {
    "received": "Number of bytes received from the downstream/upstream side of a proxy",
    "sent": "Number of bytes sent to the downstream/upstream side of a proxy",
}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render_metrics(collection: ProxyCollection) -> bytes:
    """Byte counters per proxy and direction, live and finished connections together."""
    lines: list[str] = []
    for kind in ("received", "sent"):
        metric = f"toxiproxy_proxy_{kind}_bytes_total"
        lines.append(f"# HELP {metric} {HELP[kind]}")
        lines.append(f"# TYPE {metric} counter")
        for proxy in collection.proxies.values():
            for direction, count in proxy.byte_counts(kind).items():
                labels = (
                    f'direction="{direction}",listener="{_escape(proxy.listen)}",'
                    f'proxy="{_escape(proxy.name)}",upstream="{_escape(proxy.upstream)}"'
                )
                lines.append(f"{metric}{{{labels}}} {count}")
    return ("\n".join(lines) + "\n").encode()
