"""Network faults through the fault proxy in front of Redis (Toxiproxy toxics).

Each fault adds toxics to a ``ToxicTarget`` (a proxy handle) and removes exactly those on
heal. Attributes and their units follow Toxiproxy: latency/jitter/delay in ms, rate in KB/s,
bytes for limit_data, slicer delay in microseconds.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, Protocol

from chaos.faults.base import REDIS_LOSS, REDIS_SLOW

_serial = itertools.count(1)


class ToxicTarget(Protocol):
    """What a network fault needs from a proxy handle (``chaos.toxiproxy_client.ProxyHandle``
    fits; mypy checks it where the gate passes one)."""

    def add_toxic(
        self,
        type: str,
        *,
        name: str | None = None,
        stream: str = "downstream",
        toxicity: float = 1.0,
        attributes: Mapping[str, int] | None = None,
    ) -> object: ...

    def remove_toxic(self, name: str) -> None: ...


class Switchable(Protocol):
    """A proxy that can stop and start accepting connections."""

    def disable(self) -> object: ...

    def enable(self) -> object: ...


class ToxicFault:
    """One toxic (on one or both streams) on a proxy, removed on heal. ``name`` is the
    fault's kind; the toxic, its attributes and toxicity are its ``details()``."""

    def __init__(
        self,
        target: ToxicTarget,
        toxic_type: str,
        attributes: Mapping[str, int],
        *,
        name: str,
        streams: tuple[str, ...] = ("downstream",),
        toxicity: float = 1.0,
        effects: frozenset[str] = frozenset({REDIS_SLOW}),
    ) -> None:
        self.target = target
        self.toxic_type = toxic_type
        self.attributes = dict(attributes)
        self.streams = streams
        self.toxicity = toxicity
        self.effects = effects
        self.name = name
        self._added: list[str] = []

    def details(self) -> dict[str, Any]:
        return {
            "toxic": self.toxic_type, "attributes": dict(self.attributes),
            "toxicity": self.toxicity, "streams": list(self.streams),
        }  # fmt: skip

    def inject(self) -> None:
        for stream in self.streams:
            toxic_name = f"chaos_{self.toxic_type}_{stream}_{next(_serial)}"
            self.target.add_toxic(
                self.toxic_type,
                name=toxic_name,
                stream=stream,
                toxicity=self.toxicity,
                attributes=self.attributes,
            )
            self._added.append(toxic_name)

    def heal(self) -> None:
        while self._added:
            self.target.remove_toxic(self._added.pop())


class ProxyDown:
    """The proxy refuses and drops every connection: Redis is gone as far as workers see."""

    def __init__(self, target: Switchable, name: str = "proxy_down") -> None:
        self.target = target
        self.name = name
        self.effects: frozenset[str] = frozenset({REDIS_LOSS})
        self._down = False

    def inject(self) -> None:
        self._down = True
        self.target.disable()

    def heal(self) -> None:
        if self._down:
            self.target.enable()
            self._down = False


def latency(
    target: ToxicTarget, ms: int, *, jitter_ms: int = 0, loss: bool = False,
    name: str = "latency",
) -> ToxicFault:  # fmt: skip
    """Delay every reply; ``loss=True`` when ``ms`` is above the service's Redis timeout."""
    return ToxicFault(
        target,
        "latency",
        {"latency": ms, "jitter": jitter_ms},
        name=name,
        effects=frozenset({REDIS_LOSS if loss else REDIS_SLOW}),
    )


def jitter(target: ToxicTarget, base_ms: int, jitter_ms: int) -> ToxicFault:
    """Latency that varies by up to ``jitter_ms`` around ``base_ms``."""
    return latency(target, base_ms, jitter_ms=jitter_ms, name="jitter")


def bandwidth(target: ToxicTarget, rate_kb_s: int) -> ToxicFault:
    """Cap the reply throughput (KB/s)."""
    return ToxicFault(target, "bandwidth", {"rate": rate_kb_s}, name="bandwidth")


def slow_close(target: ToxicTarget, delay_ms: int) -> ToxicFault:
    """Delay the closing of connections."""
    return ToxicFault(target, "slow_close", {"delay": delay_ms}, name="slow_close")


def blackhole(target: ToxicTarget) -> ToxicFault:
    """Data stops flowing both ways and the connection is never closed: the classic hung
    peer (Toxiproxy's ``timeout`` toxic with ``timeout`` 0)."""
    return ToxicFault(
        target,
        "timeout",
        {"timeout": 0},
        name="blackhole",
        streams=("upstream", "downstream"),
        effects=frozenset({REDIS_LOSS}),
    )


def reset_peer(target: ToxicTarget, timeout_ms: int = 0) -> ToxicFault:
    """Connections are reset (TCP RST) after ``timeout_ms``."""
    return ToxicFault(
        target,
        "reset_peer",
        {"timeout": timeout_ms},
        name="reset_peer",
        streams=("upstream",),
        # with a delay some replies still get through: flaky, not lost
        effects=frozenset({REDIS_LOSS if timeout_ms == 0 else REDIS_SLOW}),
    )


def slicer(
    target: ToxicTarget, average_size: int = 1, size_variation: int = 0, delay_us: int = 10
) -> ToxicFault:
    """Replies arrive in small slices with a delay between them."""
    return ToxicFault(
        target,
        "slicer",
        {"average_size": average_size, "size_variation": size_variation, "delay": delay_us},
        name="slicer",
    )


def limit_data(target: ToxicTarget, bytes_: int) -> ToxicFault:
    """Connections close after ``bytes_`` bytes: long-lived pool connections die, new ones
    answer a little, so Redis is flaky rather than lost."""
    return ToxicFault(target, "limit_data", {"bytes": bytes_}, name="limit_data")
