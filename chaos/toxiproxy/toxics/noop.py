"""noop: passes data through untouched."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from .base import Toxic

if TYPE_CHECKING:
    from ..stub import ToxicStub


@dataclass(frozen=True)
class NoopToxic(Toxic):
    """Does nothing: a toxic that fails its toxicity roll behaves like this one."""

    type_name: ClassVar[str] = "noop"
    go_struct: ClassVar[str] = "NoopToxic"

    async def pipe(self, stub: ToxicStub) -> None:
        while True:
            chunk = await stub.read()
            if chunk is None:
                stub.close()
                return
            stub.write(chunk)
