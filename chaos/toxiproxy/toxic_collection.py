"""The toxics of one proxy: two chains (upstream, downstream) applied to every live link."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from . import errors
from .jsonbody import get_float, get_str
from .toxics import TOXICS, ToxicWrapper

if TYPE_CHECKING:
    from .link import Link

DIRECTIONS = ("upstream", "downstream")


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
        """Create a toxic from a JSON body, validated in the real server's order."""
        stream = get_str(body, "stream", "downstream")
        type_name = get_str(body, "type", "")
        name = get_str(body, "name", "") or f"{type_name}_{stream}"
        toxicity = get_float(body, "toxicity", 1.0)
        direction = stream.lower()
        if direction not in DIRECTIONS:
            raise errors.INVALID_STREAM
        cls = TOXICS.get(type_name)
        if cls is None:
            raise errors.INVALID_TOXIC_TYPE
        if self.find(name) is not None:
            raise errors.TOXIC_EXISTS
        toxic = cls.from_attributes(_attributes(body))
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
        toxicity = get_float(body, "toxicity", wrapper.toxicity)
        toxic = type(wrapper.toxic).from_attributes(
            _attributes(body), base=wrapper.toxic.attributes()
        )
        wrapper.toxic, wrapper.toxicity = toxic, toxicity
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


def _attributes(body: dict[str, object]) -> object:
    for key, value in body.items():
        if key.lower() == "attributes":
            return value
    return None
