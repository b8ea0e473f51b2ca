"""The Toxic base class (settings of one fault) and ToxicWrapper (a toxic as the API sees it).

A toxic's attributes are dataclass fields (all integers, like Toxiproxy's int64 fields); its
``pipe`` coroutine runs it on one direction of one connection through a ``ToxicStub``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

from ..jsonbody import GoField

if TYPE_CHECKING:
    from ..stub import ToxicStub


@dataclass(frozen=True)
class Toxic:
    """Base of every toxic type; subclasses add integer fields and ``pipe``.

    Every value the real server accepts is accepted (negative or zero ones included): the
    toxic then behaves as the real one does, stalling its direction where the real server
    would stall or crash.
    """

    type_name: ClassVar[str] = ""
    go_struct: ClassVar[str] = ""  # the Go type's name, as Go's JSON errors show it
    go_int: ClassVar[str] = "int64"  # the Go type of its integer fields
    # stateful toxics keep per-connection state across restarts (limit_data counts bytes)
    stateful: ClassVar[bool] = False

    @classmethod
    def attribute_fields(cls) -> GoField:
        """The ``attributes`` object as Go decodes it into this toxic's struct."""
        path = f"{cls.go_struct}.attributes"
        own = tuple(
            GoField(f.name, cls.go_int, f"{path}.{f.name}") for f in dataclasses.fields(cls)
        )
        return GoField("attributes", f"toxics.{cls.go_struct}", ".attributes", own)

    @classmethod
    def from_attributes(cls, raw: object, base: dict[str, int] | None = None) -> Self:
        """Decoded attributes (a dict from ``attribute_fields``) over ``base`` or defaults."""
        values: dict[str, int] = dict(base or {})
        if isinstance(raw, dict):
            values.update({k: int(v) for k, v in raw.items()})
        return cls(**values)

    def attributes(self) -> dict[str, int]:
        """The attributes as the API shows them."""
        return dataclasses.asdict(self)

    def new_state(self) -> Any:
        """Fresh per-connection state for a stateful toxic."""
        return None

    def cleanup(self, stub: ToxicStub) -> bool:
        """Called when the toxic is removed from a live connection; True if it closed it."""
        del stub
        return False

    async def pipe(self, stub: ToxicStub) -> None:
        """Move chunks from ``stub.read()`` to ``stub.write()`` until EOF."""
        raise NotImplementedError


@dataclass
class ToxicWrapper:
    """A toxic as created through the API: name, stream, toxicity and its settings."""

    name: str
    type: str
    stream: str  # as sent by the client (case kept); direction is its lower-case form
    direction: str
    toxicity: float
    toxic: Toxic
    seq: int  # insertion order: a chain runs toxics by ascending seq

    def to_json(self) -> dict[str, object]:
        """The real server's field order: attributes first (Go's embedded Toxic field)."""
        toxicity: float | int = self.toxicity
        if float(toxicity).is_integer():
            toxicity = int(toxicity)
        return {
            "attributes": self.toxic.attributes(),
            "name": self.name,
            "type": self.type,
            "stream": self.stream,
            "toxicity": toxicity,
        }
