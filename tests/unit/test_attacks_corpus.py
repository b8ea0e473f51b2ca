"""The token corpus is meaningful: a strict reference verifier refuses every forgery and
accepts the positive controls, while a lax verifier lets forgeries through (negative control)."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest

from chaos.attacks import KeyPair, TokenProfile, boundary_accepted, boundary_refused, forgeries
from chaos.attacks.forged import ForgedToken
from chaos.attacks.jose import hmac_signer

SECRET = b"unit-test-secret-of-at-least-32-bytes!!"
ISSUER, AUDIENCE, LEEWAY = "auth-chaos", "auth-chaos-clients", 30
CLAIMS = ("iss", "aud", "sub", "iat", "nbf", "exp", "jti")
SHAPE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")

Verifier = Callable[[str], dict[str, Any]]


def sample_claims(now: int) -> dict[str, Any]:
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "alice",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": "sample-jti",
        "typ": "access",
    }


def strict_verifier(key: Any, alg: str) -> Verifier:
    """What a strict service does: canonical shape, one algorithm, every claim required and
    of its JSON type."""

    def verify(token: str) -> dict[str, Any]:
        if not SHAPE.match(token):
            raise jwt.DecodeError("not a canonical compact JWS")
        claims = jwt.decode(
            token,
            key,
            algorithms=[alg],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=LEEWAY,
            options={"require": list(CLAIMS)},
        )
        for name in ("iat", "nbf", "exp"):
            if type(claims[name]) is not int:
                raise jwt.InvalidTokenError(f"{name} is not a JSON integer")
        return claims

    return verify


def lax_verifier(token: str) -> dict[str, Any]:
    """A verifier that checks nothing: the negative control."""
    return jwt.decode(token, options={"verify_signature": False})


def refused(verify: Verifier, forged: ForgedToken) -> bool:
    try:
        verify(forged.token)
    except (jwt.InvalidTokenError, jwt.InvalidKeyError):
        return True
    return False


def hs256_profile(now: int) -> TokenProfile:
    return TokenProfile.hs256(jwt.encode(sample_claims(now), SECRET), SECRET, LEEWAY)


def asymmetric_profile(alg: str, now: int) -> tuple[TokenProfile, KeyPair]:
    pair = KeyPair.generate("RS256" if alg == "RS256" else "EdDSA")
    sample = jwt.encode(sample_claims(now), pair.private_pem, algorithm=alg)
    return TokenProfile.from_sample(sample, pair.signer, LEEWAY, pair.public_pem), pair


@pytest.fixture(scope="module")
def attacker() -> KeyPair:
    return KeyPair.generate("RS256")


def test_every_hs256_forgery_is_refused_by_a_strict_verifier(attacker: KeyPair) -> None:
    now = int(time.time())
    found = forgeries(hs256_profile(now), now, attacker)
    verify = strict_verifier(SECRET, "HS256")
    accepted = [f.name for f in found if not refused(verify, f)]
    assert accepted == []
    assert len(found) > 100


@pytest.mark.parametrize("alg", ["RS256", "EdDSA"])
def test_every_asymmetric_forgery_is_refused(alg: str, attacker: KeyPair) -> None:
    now = int(time.time())
    profile, pair = asymmetric_profile(alg, now)
    found = forgeries(profile, now, attacker)
    assert any(f.group == "alg-confusion" for f in found)
    verify = strict_verifier(pair.public_pem, alg)
    assert [f.name for f in found if not refused(verify, f)] == []


def test_a_lax_verifier_lets_forgeries_through(attacker: KeyPair) -> None:
    # negative control: the same check catches a verifier that ignores signatures and claims
    now = int(time.time())
    found = forgeries(hs256_profile(now), now, attacker)
    accepted = {f.group for f in found if not refused(lax_verifier, f)}
    assert {"alg-none", "jwk", "kid", "claim-missing", "signature"} <= accepted


def test_positive_controls_are_accepted_and_boundaries_refused() -> None:
    now = int(time.time())
    profile = hs256_profile(now)
    verify = strict_verifier(SECRET, "HS256")
    for forged in boundary_accepted(profile, now):
        assert verify(forged.token)["sub"] == "alice", forged.name
    assert all(refused(verify, f) for f in boundary_refused(profile, now))


def test_the_accepted_boundary_is_really_past_exp() -> None:
    now = int(time.time())
    inside = {f.name: f for f in boundary_accepted(hs256_profile(now), now)}
    claims = jwt.decode(
        inside["time/exp-just-inside-leeway"].token, options={"verify_signature": False}
    )
    assert claims["exp"] < now  # accepted only thanks to the leeway


@pytest.mark.parametrize("alg", ["RS256", "EdDSA"])
def test_key_pairs_sign_what_pyjwt_verifies(alg: str) -> None:
    now = int(time.time())
    profile, pair = asymmetric_profile(alg, now)
    token = profile.mint(now)
    claims = jwt.decode(token, pair.public_pem, algorithms=[alg], audience=AUDIENCE)
    assert claims["sub"] == "alice"
    assert pair.public_jwk["kty"] in {"RSA", "OKP"}


def test_hmac_signer_matches_pyjwt() -> None:
    now = int(time.time())
    profile = hs256_profile(now)
    token = profile.mint(now, set_claims={"jti": "fixed"})
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)
    assert claims["jti"] == "fixed"
    assert hmac_signer(SECRET)(b"x") != hmac_signer(SECRET + b"!")(b"x")


def test_forgery_names_are_stable_and_unique(attacker: KeyPair) -> None:
    now = int(time.time())
    first = [f.name for f in forgeries(hs256_profile(now), now, attacker)]
    second = [f.name for f in forgeries(hs256_profile(now + 5), now + 5, attacker)]
    assert first == second
    assert len(first) == len(set(first))
