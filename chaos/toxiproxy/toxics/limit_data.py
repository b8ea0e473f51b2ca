"""limit_data: forwards up to ``bytes`` per connection and direction, then closes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .base import Toxic

if TYPE_CHECKING:
    from ..stub import ToxicStub


@dataclass
class Transmitted:
    """Bytes already let through on one connection's direction (survives a toxic update)."""

    count: int = 0


@dataclass(frozen=True)
class LimitDataToxic(Toxic):
    """Truncates the chunk that crosses the limit, then closes the connection."""

    type_name: ClassVar[str] = "limit_data"
    go_struct: ClassVar[str] = "LimitDataToxic"
    stateful: ClassVar[bool] = True
    bytes: int = 0  # bytes

    def new_state(self) -> Transmitted:
        return Transmitted()

    async def pipe(self, stub: ToxicStub) -> None:
        state = stub.state
        assert isinstance(state, Transmitted)
        while True:
            chunk = await stub.read()
            if chunk is None:
                stub.close()
                return
            remaining = max(self.bytes - state.count, 0)
            if remaining < len(chunk.data):
                chunk.data = chunk.data[:remaining]
            if chunk.data:
                state.count += len(chunk.data)
                stub.write(chunk)
            else:
                stub.drop()
            if self.bytes - state.count <= 0:
                stub.close()
                return
