"""slicer: splits each chunk into pieces of about ``average_size`` bytes, ``delay`` us apart."""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ..stub import Chunk
from .base import BadAttribute, Toxic

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
    """Slices chunks; the real server recurses forever when average_size <= 0: 400 here."""

    type_name: ClassVar[str] = "slicer"
    average_size: int = 0  # bytes
    size_variation: int = 0  # bytes
    delay: int = 0  # microseconds

    def validate(self) -> None:
        if self.average_size <= 0:
            raise BadAttribute(f"slicer average_size must be positive, not {self.average_size}")
        if self.size_variation < 0:
            raise BadAttribute(
                f"slicer size_variation must not be negative, not {self.size_variation}"
            )

    async def pipe(self, stub: ToxicStub) -> None:
        rng = random.Random()
        while True:
            chunk = await stub.read()
            if chunk is None:
                stub.close()
                return
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
