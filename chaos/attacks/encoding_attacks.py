"""Tokens broken at the encoding level: stripped or transplanted signatures, trailing garbage,
invalid base64, payloads that are not JSON objects, oversized tokens.

Some variants (a padding ``=``, the standard base64 alphabet) decode to the very same bytes
in a lenient decoder: they are malleable spellings of a valid token. RFC 7515 allows neither,
and anything keyed by the raw token (a cache, a revocation list like the source report's)
would treat them as a different token, so a strict service refuses them.
"""

from __future__ import annotations

import base64
from collections.abc import Callable

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


Variant = Callable[[str, str], str]
"""Turns a fresh valid token (and another one, for transplants) into the hostile string."""


def _parts(token: str) -> tuple[str, str, str]:
    head, payload, signature = token.split(".")
    return head, payload, signature


def _other_char(char: str) -> str:
    return "A" if char != "A" else "B"


VARIANTS: tuple[tuple[str, Variant, str], ...] = (
    ("signature/stripped", lambda t, o: t.rsplit(".", 1)[0] + ".", "empty signature segment"),
    ("signature/two-segments", lambda t, o: t.rsplit(".", 1)[0], "no signature segment"),
    ("signature/transplanted", lambda t, o: t.rsplit(".", 1)[0] + "." + _parts(o)[2],
     "the signature of another token"),
    ("signature/one-character-changed",
     lambda t, o: t[:-2] + _other_char(t[-2]) + t[-1], "one signature character changed"),
    ("signature/payload-swapped",
     lambda t, o: f"{_parts(t)[0]}.{_parts(o)[1]}.{_parts(t)[2]}",
     "payload of another token under this signature"),
    ("garbage/trailing-dot", lambda t, o: t + ".", "a fourth, empty segment"),
    ("garbage/fourth-segment", lambda t, o: t + ".eyJ4IjoxfQ", "a fourth segment"),
    ("garbage/trailing-base64", lambda t, o: t + "AAAA", "base64 characters appended"),
    ("garbage/trailing-symbols", lambda t, o: t + "!!!", "non-base64 characters appended"),
    ("garbage/leading", lambda t, o: "x" + t, "a character prepended"),
    ("garbage/two-tokens", lambda t, o: t + "," + o, "two tokens, comma-separated"),
    ("malleable/padding-one", lambda t, o: t + "=", "base64 padding after the signature"),
    ("malleable/padding-two", lambda t, o: t + "==", "two padding characters"),
    ("base64/single-segment", lambda t, o: _parts(t)[0], "only a header"),
    ("base64/non-ascii", lambda t, o: f"{_parts(t)[0]}.{_parts(t)[1]}é.{_parts(t)[2]}",
     "a non-ASCII character inside the payload segment"),
)  # fmt: skip


def encoding_attacks(profile: TokenProfile, now: int) -> list[ForgedToken]:
    """Each variant is made from its own fresh valid token of the service, so that one
    accepted variant (a logout, say) cannot decide the verdict on the next."""
    found = [
        ForgedToken(name, make(profile.mint(now), profile.mint(now)), why)
        for name, make, why in VARIANTS
    ]
    found += [
        ForgedToken(
            "malleable/standard-alphabet",
            _standard_alphabet(_needs_standard_alphabet(profile, now)),
            "standard base64 alphabet, padded",
        ),
        ForgedToken("base64/invalid-characters", "*&^%.$#@!.()[]", "no base64 at all"),
        ForgedToken("base64/dots-only", "..", "three empty segments"),
        ForgedToken("base64/empty", "", "an empty token"),
    ]
    for label, payload in (
        ("not-json", b"not json"),
        ("json-array", b"[1,2]"),
        ("json-string", b'"sub"'),
        ("invalid-utf8", b'{"sub":"\xff"}'),
    ):
        found.append(ForgedToken(f"payload/{label}", encode(dict(profile.header), payload,
                                                             profile.signer),
                                 f"the payload is {label.replace('-', ' ')}"))  # fmt: skip
    for size in OVERSIZED_BYTES:
        head, _, signature = _parts(profile.mint(now))
        found.append(
            ForgedToken(
                f"oversized/{size // 1024}KiB-payload",
                f"{head}.{'A' * size}.{signature}",
                f"a {size // 1024} KiB payload segment with a foreign signature",
            )
        )
    return found
