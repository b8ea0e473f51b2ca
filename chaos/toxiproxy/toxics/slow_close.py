"""slow_close: data untouched; the close of the direction is delayed by ``delay`` ms."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .base import Toxic

if TYPE_CHECKING:
    from ..stub import ToxicStub


@dataclass(frozen=True)
class SlowCloseToxic(Toxic):
    """Holds the EOF for ``delay`` ms before passing it on."""

    type_name: ClassVar[str] = "slow_close"
    go_struct: ClassVar[str] = "SlowCloseToxic"
    delay: int = 0  # ms

    async def pipe(self, stub: ToxicStub) -> None:
        while True:
            chunk = await stub.read()
            if chunk is None:
                if self.delay > 0:
                    await asyncio.sleep(self.delay / 1000)
                stub.close()
                return
            stub.write(chunk)
