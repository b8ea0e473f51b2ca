"""slicer: splits each chunk into pieces of about ``average_size`` bytes, ``delay`` us apart."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..stub import Chunk
from .base import Toxic

if TYPE_CHECKING:
    from ..stub import ToxicStub


def slice_bounds(length: int, average: int, variation: int, rng: random.Random) -> list[int]:
    """Cut points ``[0, ..., length]`` splitting in halves until a piece is near ``average``.

    The real server recurses the same way; its mid point can leave the chunk when
    ``variation`` is large (a crash there): here it is clamped inside the chunk.
    """

    def cut(start: int, end: int) -> list[int]:
        if (end - start) - average <= variation or end - start <= 1:
            return [start, end]
        mid = start + (end - start) // 2
        if variation > 0:
            mid += rng.randrange(variation * 2) - variation
        mid = min(max(mid, start + 1), end - 1)
        return cut(start, mid) + cut(mid, end)[1:]

    return cut(0, length)


@dataclass(frozen=True)
class SlicerToxic(Toxic):
    """Slices chunks into pieces of at most ``average_size + size_variation`` bytes.

    When that sum is below 1 (``average_size`` 0 or omitted, or a negative
    ``size_variation`` as large) the real server recurses without end at the first chunk
    and crashes; here the direction stalls until the toxic is removed or updated.
    """

    type_name: ClassVar[str] = "slicer"
    go_struct: ClassVar[str] = "SlicerToxic"
    go_int: ClassVar[str] = "int"
    average_size: int = 0  # bytes
    size_variation: int = 0  # bytes
    delay: int = 0  # microseconds

    def stalls(self) -> bool:
        """Whether no piece can be small enough (the real server's unbounded recursion)."""
        return self.average_size + self.size_variation < 1

    async def pipe(self, stub: ToxicStub) -> None:
        rng = random.Random()
        while True:
            chunk = await stub.read()
            if chunk is None:
                stub.close()
                return
            if self.stalls():
                await stub.stall()
            bounds = slice_bounds(len(chunk.data), self.average_size, self.size_variation, rng)
            data = chunk.data
            for i in range(1, len(bounds)):
                piece = Chunk(data[bounds[i - 1] : bounds[i]], chunk.stamp)
                if i + 1 < len(bounds):
                    stub.hold(Chunk(data[bounds[i] :], chunk.stamp))
                    stub.write(piece)
                else:
                    stub.drop()
                    stub.write(piece)
                if self.delay > 0:
                    await asyncio.sleep(self.delay / 1_000_000)
