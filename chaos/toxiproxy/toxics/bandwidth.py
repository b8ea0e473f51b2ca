"""bandwidth: limits a direction to ``rate`` KB/s, sending pieces every 100 ms."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..stub import Chunk
from .base import Toxic

if TYPE_CHECKING:
    from ..stub import ToxicStub

TICK = 0.1  # seconds between pieces of a chunk too large for one tick


def piece_size(rate: int) -> int:
    """Bytes sent per 100 ms tick at ``rate`` KB/s (1 KB = 1000 B)."""
    return rate * 100


def transfer_seconds(nbytes: int, rate: int) -> float:
    """Time owed for ``nbytes`` at ``rate`` KB/s."""
    return nbytes / (rate * 1000)


def pieces(nbytes: int, rate: int) -> list[int]:
    """Sizes in which a chunk of ``nbytes`` leaves: full ticks, then the rest."""
    size = piece_size(rate)
    out: list[int] = []
    while nbytes > size:
        out.append(size)
        nbytes -= size
    out.append(nbytes)
    return out


@dataclass(frozen=True)
class BandwidthToxic(Toxic):
    """Paces data to ``rate``.

    A ``rate`` of 0 (also when omitted) stalls the direction at its first chunk until the
    toxic is removed or updated, as the real server does (it sends empty pieces every
    100 ms forever); a negative rate crashes the real server at the first chunk: here it
    stalls the same way.
    """

    type_name: ClassVar[str] = "bandwidth"
    go_struct: ClassVar[str] = "BandwidthToxic"
    rate: int = 0  # KB/s

    async def pipe(self, stub: ToxicStub) -> None:
        loop = asyncio.get_running_loop()
        owed = 0.0
        size = piece_size(self.rate)
        while True:
            chunk = await stub.read()
            if chunk is None:
                stub.close()
                return
            if self.rate <= 0:
                await stub.stall()
            owed += transfer_seconds(len(chunk.data), self.rate)
            while len(chunk.data) > size:
                await asyncio.sleep(TICK)
                piece, chunk.data = chunk.data[:size], chunk.data[size:]
                stub.hold(chunk)
                stub.write(Chunk(piece, chunk.stamp))
                owed -= TICK
            start = loop.time()
            if owed > 0:
                await asyncio.sleep(owed)
            owed -= loop.time() - start
            stub.write(chunk)
