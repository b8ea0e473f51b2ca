"""The toxics of one proxy: two chains (upstream, downstream) applied to every live link."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, cast

from . import errors
from .jsonbody import GoField, decode_fields
from .toxics import TOXICS, ToxicWrapper

if TYPE_CHECKING:
    from .link import Link

DIRECTIONS = ("upstream", "downstream")
# a toxic body's first decode, before its type is known (attributes go into a NoopToxic)
WRAPPER_FIELDS = (
    GoField("attributes", "toxics.NoopToxic", "ToxicWrapper.attributes"),
    GoField("name", "string", "ToxicWrapper.name"),
    GoField("type", "string", "ToxicWrapper.type"),
    GoField("stream", "string", "ToxicWrapper.stream"),
    GoField("toxicity", "float32", "ToxicWrapper.toxicity"),
)


class ToxicCollection:
    """Toxics by name (unique across both streams), in insertion order."""

    def __init__(self) -> None:
        self.wrappers: list[ToxicWrapper] = []
        self.links: set[Link] = set()
        self._seq = itertools.count()

    def ordered(self) -> list[ToxicWrapper]:
        """Upstream chain first, then downstream, each in insertion order."""
        return [w for d in DIRECTIONS for w in self.wrappers if w.direction == d]

    def to_json(self) -> list[dict[str, object]]:
        return [w.to_json() for w in self.ordered()]

    def find(self, name: str) -> ToxicWrapper | None:
        return next((w for w in self.wrappers if w.name == name), None)

    def has_type(self, type_name: str) -> bool:
        return any(w.type == type_name for w in self.wrappers)

    def attach(self, link: Link) -> None:
        self.links.add(link)

    def detach(self, link: Link) -> None:
        self.links.discard(link)

    def add(self, body: dict[str, object]) -> ToxicWrapper:
        """Create a toxic from a JSON body, validated in the real server's order: types of
        the wrapper's fields, stream, type, duplicate name, then the attributes' types."""
        values = decode_fields(body, WRAPPER_FIELDS)
        stream = str(values.get("stream", "downstream"))
        type_name = str(values.get("type", ""))
        name = str(values.get("name", "")) or f"{type_name}_{stream}"
        toxicity = cast(float, values.get("toxicity", 1.0))
        direction = stream.lower()
        if direction not in DIRECTIONS:
            raise errors.INVALID_STREAM
        cls = TOXICS.get(type_name)
        if cls is None:
            raise errors.INVALID_TOXIC_TYPE
        if self.find(name) is not None:
            raise errors.TOXIC_EXISTS
        attributes = decode_fields(body, (cls.attribute_fields(),)).get("attributes")
        toxic = cls.from_attributes(attributes)
        wrapper = ToxicWrapper(name, type_name, stream, direction, toxicity, toxic, next(self._seq))
        self.wrappers.append(wrapper)
        for link in list(self.links):
            link.pipes[direction].add(wrapper)
        return wrapper

    def update(self, name: str, body: dict[str, object]) -> ToxicWrapper:
        """Merge attributes (and toxicity) into a toxic; it restarts on live links."""
        wrapper = self.find(name)
        if wrapper is None:
            raise errors.TOXIC_NOT_FOUND
        cls = type(wrapper.toxic)
        toxicity_field = GoField("toxicity", "float32", ".toxicity")
        values = decode_fields(body, (cls.attribute_fields(), toxicity_field))
        toxic = cls.from_attributes(values.get("attributes"), base=wrapper.toxic.attributes())
        wrapper.toxic = toxic
        wrapper.toxicity = cast(float, values.get("toxicity", wrapper.toxicity))
        for link in list(self.links):
            link.pipes[wrapper.direction].restart(wrapper)
        return wrapper

    def remove(self, name: str) -> None:
        wrapper = self.find(name)
        if wrapper is None:
            raise errors.TOXIC_NOT_FOUND
        self.wrappers.remove(wrapper)
        for link in list(self.links):
            link.pipes[wrapper.direction].remove(wrapper)

    def reset(self) -> None:
        """Remove every toxic (as /reset does)."""
        for wrapper in self.ordered():
            self.remove(wrapper.name)
