"""Find secrets (tokens, signing keys, passwords) where they must never appear: Redis keys
and values, log files, metrics, error bodies.

A token is also looked for by its signature segment alone, since that is the part that
cannot be recomputed; a secret also in its base64 and hex spellings.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_NEEDLE = 8  # shorter needles would match by chance


@dataclass(frozen=True)
class Secret:
    """``label`` names the secret in reports without revealing it (e.g. ``password:alice``)."""

    label: str
    value: str


@dataclass(frozen=True)
class Leak:
    """A secret (by label and spelling) found in a source (e.g. ``redis:revoked:abc``)."""

    secret: str
    spelling: str
    source: str
    offset: int

    def __str__(self) -> str:
        return f"{self.secret} ({self.spelling}) in {self.source} at byte {self.offset}"


def spellings(secret: Secret) -> dict[str, bytes]:
    """The byte strings that betray ``secret``."""
    raw = secret.value.encode("utf-8")
    found = {"raw": raw}
    if secret.label.split(":", 1)[0] in {"access_token", "refresh_token", "token"}:
        found["signature"] = secret.value.rsplit(".", 1)[-1].encode()
    else:
        found["base64"] = base64.b64encode(raw).rstrip(b"=")
        found["base64url"] = base64.urlsafe_b64encode(raw).rstrip(b"=")
        found["hex"] = raw.hex().encode()
    return {name: value for name, value in found.items() if len(value) >= MIN_NEEDLE}


def find_leaks(sources: Mapping[str, bytes], secrets: Iterable[Secret]) -> list[Leak]:
    """Each secret found in each source, by the first of its spellings that occurs there."""
    wanted = [(secret.label, spellings(secret)) for secret in secrets]
    leaks: list[Leak] = []
    for source, haystack in sources.items():
        lowered = haystack.lower()
        for label, variants in wanted:
            for name, needle in variants.items():
                # hex may be printed in either case; the others are case-sensitive
                at = lowered.find(needle.lower()) if name == "hex" else haystack.find(needle)
                if at >= 0:
                    leaks.append(Leak(label, name, source, at))
                    break
    return leaks
