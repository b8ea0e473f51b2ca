"""reset_peer: after the first chunk or EOF, waits ``timeout`` ms and closes with a TCP RST."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .base import Toxic

if TYPE_CHECKING:
    from ..stub import ToxicStub


@dataclass(frozen=True)
class ResetPeerToxic(Toxic):
    """The RST itself comes from SO_LINGER 0, set on connections opened while it exists."""

    type_name: ClassVar[str] = "reset_peer"
    go_struct: ClassVar[str] = "ResetToxic"
    timeout: int = 0  # ms

    async def pipe(self, stub: ToxicStub) -> None:
        await stub.read()
        stub.drop()
        if self.timeout > 0:
            await asyncio.sleep(self.timeout / 1000)
        stub.close()
