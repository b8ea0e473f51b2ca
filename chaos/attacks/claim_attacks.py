"""Tokens signed with the service's own key whose claims are missing, null, mistyped or wrong.

They prove that the service checks claims, not only the signature (invariant I11).
"""

from __future__ import annotations

from typing import Any

from .forged import ForgedToken
from .jose import encode, json_bytes
from .profile import TokenProfile

STRING_CLAIMS = ("iss", "aud", "sub", "jti")
CHECKED_CLAIMS = ("iss", "aud", "sub", "iat", "nbf", "exp", "jti")


def _wrong_types(claim: str, valid: Any) -> dict[str, Any]:
    """Values of the wrong JSON type for ``claim`` (``valid`` is its correct value)."""
    if claim in STRING_CLAIMS:
        wrong: dict[str, Any] = {"int": 12345, "bool": True, "object": {"value": valid}}
        wrong["list-of-int"] = [12345]
        if claim != "aud":  # a list of strings is a legal aud
            wrong["list"] = [valid]
        return wrong
    return {
        "numeric-string": str(valid),
        "word": "tomorrow",
        "bool": True,
        "list": [valid],
        "object": {"value": valid},
    }


def missing_and_mistyped(profile: TokenProfile, now: int) -> list[ForgedToken]:
    """Each checked claim removed, set to null, and given values of the wrong type."""
    claims = profile.fresh_claims(now)
    found: list[ForgedToken] = []
    for claim in CHECKED_CLAIMS:
        found.append(
            ForgedToken(
                f"claim-missing/{claim}", profile.mint(now, drop=[claim]), f"no {claim} claim"
            )
        )
        found.append(
            ForgedToken(
                f"claim-null/{claim}",
                profile.mint(now, set_claims={claim: None}),
                f"{claim} is null",
            )
        )
        valid = claims.get(claim, now)
        for label, value in _wrong_types(claim, valid).items():
            found.append(
                ForgedToken(
                    f"claim-type/{claim}-{label}",
                    profile.mint(now, set_claims={claim: value}),
                    f"{claim} is {label}: {value!r}"[:120],
                )
            )
    # Values plain JSON cannot carry but a parser may still read (Python reads 1e999 as inf).
    for label, literal in (("infinity", b"1e999"), ("nan", b"NaN"), ("huge-negative", b"-1e999")):
        fresh = profile.fresh_claims(now)
        body = json_bytes({k: v for k, v in fresh.items() if k != "exp"})
        raw = body[:-1] + b',"exp":' + literal + b"}"
        found.append(
            ForgedToken(
                f"claim-type/exp-{label}",
                encode(dict(profile.header), raw, profile.signer),
                f"exp is the literal {literal.decode()}",
            )
        )
    return found


def wrong_audience_and_issuer(profile: TokenProfile, now: int) -> list[ForgedToken]:
    """``aud`` and ``iss`` that are not the service's, including near misses."""
    found: list[ForgedToken] = []
    for claim in ("aud", "iss"):
        valid = profile.claims.get(claim)
        if not isinstance(valid, str):
            continue
        variants: dict[str, Any] = {
            "other": "https://evil.example",
            "empty": "",
            "upper-case": valid.upper() if valid.upper() != valid else valid + "X",
            "trailing-space": valid + " ",
            "prefix": valid[:-1] if len(valid) > 1 else valid + valid,
            "suffix": valid + ".evil",
        }
        if claim == "aud":
            variants["list-without-service"] = ["https://evil.example"]
        for label, value in variants.items():
            found.append(
                ForgedToken(
                    f"wrong-{claim}/{label}",
                    profile.mint(now, set_claims={claim: value}),
                    f"{claim}={value!r} where the service expects {valid!r}",
                )
            )
    return found
