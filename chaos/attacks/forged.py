"""A forged token with its name and the reason the service must refuse it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ForgedToken:
    """One hostile token. ``name`` is ``group/variant``, stable across runs."""

    name: str
    token: str
    why: str

    @property
    def group(self) -> str:
        return self.name.split("/", 1)[0]
