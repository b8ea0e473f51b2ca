"""What a valid token of the service looks like, learnt from one it issued, and how to mint more."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .jose import Signer, encode, hmac_signer, split


@dataclass(frozen=True)
class TokenProfile:
    """The service's signing key and the header and claims of a token it issued.

    ``header`` and ``claims`` come from a sample token (``from_sample``), so minted tokens
    carry whatever extra claims the service puts in (a token type, a scope...). ``lifetime_s``
    is the sample's ``exp - iat``. ``public_pem`` is set when the service verifies with an
    asymmetric key: that is the key an algorithm-confusion attack signs with. ``fresh_ids``
    are the claims given a new random value in every minted token (``jti``, and e.g. a session
    or family id), so that revoking one forgery never masks the verdict on the next.
    """

    signer: Signer
    header: Mapping[str, Any]
    claims: Mapping[str, Any]
    leeway_s: int
    lifetime_s: int = 900
    public_pem: bytes | None = field(default=None)
    fresh_ids: tuple[str, ...] = ("jti",)

    @classmethod
    def from_sample(
        cls,
        token: str,
        signer: Signer,
        leeway_s: int,
        public_pem: bytes | None = None,
        fresh_ids: tuple[str, ...] = ("jti",),
    ) -> TokenProfile:
        header, claims, _ = split(token)
        lifetime = int(claims["exp"]) - int(claims.get("iat", int(claims["exp"]) - 900))
        return cls(signer, header, claims, leeway_s, max(lifetime, 60), public_pem, fresh_ids)

    @classmethod
    def hs256(
        cls, token: str, secret: bytes, leeway_s: int, fresh_ids: tuple[str, ...] = ("jti",)
    ) -> TokenProfile:
        """The profile of an HS256 service whose secret is known (a test's own service)."""
        return cls.from_sample(token, hmac_signer(secret), leeway_s, fresh_ids=fresh_ids)

    @property
    def alg(self) -> str:
        return str(self.header.get("alg", "HS256"))

    def fresh_claims(self, now: int) -> dict[str, Any]:
        """The sample's claims with new ``fresh_ids`` and times relative to ``now``."""
        claims = dict(self.claims)
        for name in self.fresh_ids:
            claims[name] = secrets.token_hex(16)
        if "iat" in claims:
            claims["iat"] = now
        if "nbf" in claims:
            claims["nbf"] = now
        claims["exp"] = now + self.lifetime_s
        return claims

    def mint(
        self,
        now: int,
        set_claims: Mapping[str, Any] | None = None,
        drop: Iterable[str] = (),
        set_header: Mapping[str, Any] | None = None,
        signer: Signer | None = None,
    ) -> str:
        """A token like the service's, changed as asked, signed with the service's key
        unless another ``signer`` is given."""
        claims = self.fresh_claims(now)
        claims.update(set_claims or {})
        for name in drop:
            claims.pop(name, None)
        header = dict(self.header)
        header.update(set_header or {})
        return encode(header, claims, signer or self.signer)
