"""Attacks that need live tokens: a token of one kind used as the other, a revoked ``jti``
re-signed, a rotated refresh token replayed. The caller obtains the tokens from the service."""

from __future__ import annotations

from .cases import AttackCase, on_logout, on_refresh, on_verify
from .forged import ForgedToken
from .header_attacks import ATTACKER_SECRET
from .jose import encode, hmac_signer, split
from .profile import TokenProfile


def kind_confusion(access_token: str, refresh_token: str) -> list[AttackCase]:
    """A refresh token presented as an access token, and the other way round."""
    as_access = ForgedToken(
        "kind-confusion/refresh-token-as-access",
        refresh_token,
        "a refresh token where an access token is expected",
    )
    as_refresh = ForgedToken(
        "kind-confusion/access-token-as-refresh",
        access_token,
        "an access token where a refresh token is expected",
    )
    return [on_verify(as_access), on_logout(as_access), on_refresh(as_refresh)]


def revoked_resigned(
    revoked_access_token: str, profile: TokenProfile, now: int
) -> list[AttackCase]:
    """A logged-out token as issued, and its ``jti`` carried into freshly signed tokens."""
    header, claims, _ = split(revoked_access_token)
    renewed = {**claims, "exp": now + profile.lifetime_s}
    if "iat" in claims:
        renewed["iat"] = now
    forged = [
        ForgedToken("revoked/as-issued", revoked_access_token, "the token after its logout"),
        ForgedToken(
            "revoked/re-signed-other-key",
            encode(header, claims, hmac_signer(ATTACKER_SECRET)),
            "the revoked claims re-signed with another key",
        ),
        ForgedToken(
            "revoked/re-signed-alg-none",
            encode({**header, "alg": "none"}, claims, None),
            "the revoked claims with alg=none",
        ),
        ForgedToken(
            "revoked/renewed-with-service-key",
            encode(header, renewed, profile.signer),
            "same jti, new exp, signed with the service's key: revocation is by jti",
        ),
    ]
    # Logout of a validly signed revoked token may be idempotent: only forgeries go there.
    unsigned_by_service = [token for token in forged if "re-signed" in token.name]
    return [on_verify(token) for token in forged] + [on_logout(t) for t in unsigned_by_service]


def refresh_replay(rotated_refresh_token: str) -> list[AttackCase]:
    """A refresh token that was already exchanged (rotation revokes it)."""
    replay = ForgedToken(
        "refresh-replay/rotated-token",
        rotated_refresh_token,
        "a refresh token already exchanged for a new pair",
    )
    return [on_refresh(replay)]
