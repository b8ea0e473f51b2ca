"""Tokens broken at the encoding level: stripped or transplanted signatures, trailing garbage,
invalid base64, payloads that are not JSON objects, oversized tokens.

Some variants (a padding ``=``, the standard base64 alphabet) decode to the very same bytes
in a lenient decoder: they are malleable spellings of a valid token. RFC 7515 allows neither,
and anything keyed by the raw token (a cache, a revocation list like the source report's)
would treat them as a different token, so a strict service refuses them.
"""

from __future__ import annotations

import base64

from .forged import ForgedToken
from .jose import encode
from .profile import TokenProfile

OVERSIZED_BYTES = (16 * 1024, 256 * 1024)


def _standard_alphabet(token: str) -> str:
    """The same token with every segment in standard base64, padded."""
    parts = []
    for segment in token.split("."):
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
        parts.append(base64.b64encode(raw).decode("ascii"))
    return ".".join(parts)


def _needs_standard_alphabet(profile: TokenProfile, now: int) -> str:
    """A valid token whose segments contain ``-`` or ``_`` so the standard spelling differs."""
    for attempt in range(200):
        token = profile.mint(now, set_claims={"pad": "~" * (attempt % 7) + "?>" * attempt})
        if any(c in token for c in "-_"):
            return token
    raise RuntimeError("could not mint a token containing - or _")


def encoding_attacks(profile: TokenProfile, now: int) -> list[ForgedToken]:
    """Every variant is derived from a valid token of the service (``base``)."""
    base = profile.mint(now)
    head, payload, signature = base.split(".")
    other = profile.mint(now, set_claims={"sub": "someone-else"})
    found = [
        ForgedToken("signature/stripped", f"{head}.{payload}.", "empty signature segment"),
        ForgedToken("signature/two-segments", f"{head}.{payload}", "no signature segment"),
        ForgedToken(
            "signature/transplanted",
            f"{head}.{payload}.{other.rsplit('.', 1)[1]}",
            "the signature of another token",
        ),
        ForgedToken(
            "signature/one-bit-flipped",
            f"{head}.{payload}.{signature[:-2]}{'A' if signature[-2] != 'A' else 'B'}"
            f"{signature[-1]}",
            "one signature character changed",
        ),
        ForgedToken(
            "signature/payload-swapped",
            f"{head}.{other.split('.')[1]}.{signature}",
            "payload of another token under this signature",
        ),
        ForgedToken("garbage/trailing-dot", base + ".", "a fourth, empty segment"),
        ForgedToken("garbage/fourth-segment", base + ".eyJ4IjoxfQ", "a fourth segment"),
        ForgedToken("garbage/trailing-base64", base + "AAAA", "base64 characters appended"),
        ForgedToken("garbage/trailing-symbols", base + "!!!", "non-base64 characters appended"),
        ForgedToken("garbage/leading", "x" + base, "a character prepended"),
        ForgedToken("garbage/two-tokens", base + "," + base, "two tokens, comma-separated"),
        ForgedToken("malleable/padding-one", base + "=", "base64 padding after the signature"),
        ForgedToken("malleable/padding-two", base + "==", "two padding characters"),
        ForgedToken(
            "malleable/standard-alphabet",
            _standard_alphabet(_needs_standard_alphabet(profile, now)),
            "standard base64 alphabet, padded",
        ),
        ForgedToken("base64/invalid-characters", "*&^%.$#@!.()[]", "no base64 at all"),
        ForgedToken("base64/dots-only", "..", "three empty segments"),
        ForgedToken("base64/single-segment", head, "only a header"),
        ForgedToken("base64/empty", "", "an empty token"),
        ForgedToken(
            "base64/non-ascii",
            f"{head}.{payload}é.{signature}",
            "a non-ASCII character inside the payload segment",
        ),
        ForgedToken(
            "payload/not-json",
            encode(dict(profile.header), b"not json", profile.signer),
            "payload is not JSON",
        ),
        ForgedToken(
            "payload/json-array",
            encode(dict(profile.header), [1, 2], profile.signer),
            "payload is a JSON array",
        ),
        ForgedToken(
            "payload/json-string",
            encode(dict(profile.header), b'"sub"', profile.signer),
            "payload is a JSON string",
        ),
        ForgedToken(
            "payload/invalid-utf8",
            encode(dict(profile.header), b'{"sub":"\xff"}', profile.signer),
            "payload bytes are not UTF-8",
        ),
    ]
    for size in OVERSIZED_BYTES:
        filler = "A" * size
        found.append(
            ForgedToken(
                f"oversized/{size // 1024}KiB-payload",
                f"{head}.{filler}.{signature}",
                f"a {size // 1024} KiB payload segment with a foreign signature",
            )
        )
    return found
