"""latency: each chunk is released ``latency +/- jitter`` ms after it was read."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .base import Toxic

if TYPE_CHECKING:
    from ..stub import ToxicStub


def delay_ms(latency: int, jitter: int, rng: random.Random) -> int:
    """One chunk's delay: Toxiproxy draws ``latency + U[-jitter, jitter)`` (jitter <= 0: none)."""
    if jitter > 0:
        return latency + rng.randrange(-jitter, jitter)
    return latency


@dataclass(frozen=True)
class LatencyToxic(Toxic):
    """Delays chunks; delays overlap (measured from the read), so they do not stack."""

    type_name: ClassVar[str] = "latency"
    go_struct: ClassVar[str] = "LatencyToxic"
    latency: int = 0  # ms
    jitter: int = 0  # ms

    async def pipe(self, stub: ToxicStub) -> None:
        loop = asyncio.get_running_loop()
        rng = random.Random()
        while True:
            chunk = await stub.read()
            if chunk is None:
                stub.close()
                return
            wait = delay_ms(self.latency, self.jitter, rng) / 1000 - (loop.time() - chunk.stamp)
            if wait > 0:
                await asyncio.sleep(wait)
            # a second latency toxic measures from here, so two toxics add up
            chunk.stamp += wait
            stub.write(chunk)
