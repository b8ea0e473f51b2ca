"""timeout: drops all data; closes after ``timeout`` ms without a chunk (0: never)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .base import Toxic

if TYPE_CHECKING:
    from ..stub import ToxicStub


@dataclass(frozen=True)
class TimeoutToxic(Toxic):
    """Black-holes a direction; removing it closes the connections it was on."""

    type_name: ClassVar[str] = "timeout"
    go_struct: ClassVar[str] = "TimeoutToxic"
    timeout: int = 0  # ms

    async def pipe(self, stub: ToxicStub) -> None:
        limit = self.timeout / 1000 if self.timeout > 0 else None
        while True:
            try:
                chunk = await stub.read(limit)
            except TimeoutError:
                stub.close()
                return
            if chunk is None:
                stub.close()
                return
            stub.drop()

    def cleanup(self, stub: ToxicStub) -> bool:
        stub.close()
        return True
