"""The Toxic base class (settings of one fault) and ToxicWrapper (a toxic as the API sees it).

A toxic's attributes are dataclass fields (all integers, like Toxiproxy's int64 fields); its
``pipe`` coroutine runs it on one direction of one connection through a ``ToxicStub``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Self

from ..errors import ApiError

if TYPE_CHECKING:
    from ..stub import ToxicStub


class BadAttribute(ApiError):
    """An attribute of the wrong type or out of the range this server accepts."""

    def __init__(self, message: str) -> None:
        super().__init__(f"bad request body: {message}", 400)


@dataclass(frozen=True)
class Toxic:
    """Base of every toxic type; subclasses add integer fields and ``pipe``."""

    type_name: ClassVar[str] = ""
    # stateful toxics keep per-connection state across restarts (limit_data counts bytes)
    stateful: ClassVar[bool] = False

    @classmethod
    def from_attributes(cls, raw: object, base: dict[str, int] | None = None) -> Self:
        """Parse JSON attributes (unknown ones ignored, names case-insensitive) over ``base``."""
        values: dict[str, int] = dict(base or {})
        if raw is not None and not isinstance(raw, dict):
            raise BadAttribute(f"attributes must be an object, not {type(raw).__name__}")
        given = {str(k).lower(): v for k, v in (raw or {}).items()}
        for field in dataclasses.fields(cls):
            if field.name not in given or given[field.name] is None:
                continue
            value = given[field.name]
            if isinstance(value, bool) or not isinstance(value, int):
                raise BadAttribute(
                    f"attribute {field.name} of {cls.type_name} must be an integer, not {value!r}"
                )
            values[field.name] = value
        toxic = cls(**values)
        toxic.validate()
        return toxic

    def validate(self) -> None:
        """Reject values that would crash or hang the real server (400 instead)."""

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
        toxicity: float | int = self.toxicity
        if float(toxicity).is_integer():
            toxicity = int(toxicity)
        return {
            "name": self.name,
            "type": self.type,
            "stream": self.stream,
            "toxicity": toxicity,
            "attributes": self.toxic.attributes(),
        }
