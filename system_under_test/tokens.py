"""JWT access and refresh tokens: issue, decode strictly, and remember verified signatures.

    keys = TokenKeys.hs256(secret)
    tokens = Tokens(keys, issuer="auth-chaos", audience="auth-chaos", leeway_s=5,
                    access_ttl_s=900, refresh_ttl_s=86400, cache_size=10000)
    pair = tokens.issue_pair("alice")
    claims = tokens.decode(pair.access, "access")     # raises TokenRejected

Every claim is required; only the configured algorithm is accepted; an access token is never
a refresh token and the other way round. The cache maps a token string to its claims once the
signature held; expiry and not-before are re-checked on every use (never revocation: that is
the store's, on every request).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import jwt
from jwt.algorithms import get_default_algorithms

TokenType = Literal["access", "refresh"]
REQUIRED_CLAIMS = ["iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ", "fam"]
MAX_TOKEN_CHARS = 8192  # a larger bearer string is refused before any parsing
TIME_CLAIMS = ("iat", "nbf", "exp")
# RFC 7515 compact serialisation: three base64url segments, no padding, nothing around them
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class TokenRejected(Exception):
    """The token is not acceptable; ``code`` is the stable error code of the 401."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class TokenKeys:
    """Signing and verification keys of one algorithm (HS256: the same secret)."""

    alg: str
    signing: Any
    verifying: Any

    @classmethod
    def hs256(cls, secret: bytes) -> TokenKeys:
        return cls("HS256", secret, secret)

    @classmethod
    def from_files(cls, alg: str, private_pem: str, public_pem: str) -> TokenKeys:
        algorithm = get_default_algorithms()[alg]
        return cls(
            alg,
            algorithm.prepare_key(Path(private_pem).read_bytes()),
            algorithm.prepare_key(Path(public_pem).read_bytes()),
        )


@dataclass(frozen=True)
class Claims:
    """The claims the service uses, plus the verify answer pre-encoded once."""

    sub: str
    jti: str
    fam: str
    typ: str
    exp: int
    nbf: int
    iat: int
    verify_body: bytes


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    access_claims: dict[str, Any]
    refresh_claims: dict[str, Any]


def check_times(claims: Claims, now: float, leeway_s: float) -> None:
    """PyJWT's own rules: accepted while now < exp + leeway and nbf, iat <= now + leeway."""
    if claims.exp <= now - leeway_s:
        raise TokenRejected("token_expired", "token has expired")
    if claims.nbf > now + leeway_s or claims.iat > now + leeway_s:
        raise TokenRejected("invalid_token", "token is not yet valid")


def is_canonical(token: str) -> bool:
    """True for the one spelling of a JWS: no padding, no stray bytes, and a signature segment
    whose unused trailing bits are zero (a lenient base64 decoder ignores them, so flipping
    them would give the same signature another spelling)."""
    if COMPACT_JWS.fullmatch(token) is None:
        return False
    signature = token.rpartition(".")[2]
    try:
        raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    except (binascii.Error, ValueError):
        return False
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") == signature


def _claims_of(payload: dict[str, Any]) -> Claims:
    strings = ("sub", "jti", "fam", "typ")
    for name in strings:
        value = payload.get(name)
        if not isinstance(value, str) or not value or len(value) > 256:
            raise TokenRejected("invalid_token", f"claim {name!r} must be a non-empty string")
    if not isinstance(payload.get("iss"), str):
        raise TokenRejected("invalid_token", "claim 'iss' must be a string")
    audience = payload.get("aud")
    if not isinstance(audience, str) and not (
        isinstance(audience, list) and all(isinstance(item, str) for item in audience)
    ):
        raise TokenRejected("invalid_token", "claim 'aud' must be a string or list of strings")
    for name in TIME_CLAIMS:
        # a NumericDate is a JSON number (RFC 7519): "1795657317", true and 1.5 are refused
        if type(payload.get(name)) is not int:
            raise TokenRejected("invalid_token", f"claim {name!r} must be an integer")
    body = json.dumps(
        {"sub": payload["sub"], "jti": payload["jti"], "exp": payload["exp"]},
        separators=(",", ":"),
    ).encode()
    return Claims(
        sub=payload["sub"],
        jti=payload["jti"],
        fam=payload["fam"],
        typ=payload["typ"],
        exp=payload["exp"],
        nbf=payload["nbf"],
        iat=payload["iat"],
        verify_body=body,
    )


def _b64url(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


HS256_HEADER = _b64url(b'{"alg":"HS256","typ":"JWT"}')


def encode_hs256(payload: dict[str, Any], secret: bytes) -> str:
    """The compact JWS of ``payload`` signed with HMAC-SHA256: what ``jwt.encode`` gives (a
    standard token PyJWT and every other library decode), at a third of its cost (PyJWT
    re-checks the key's form and length on every call: 19 us against 6 us here)."""
    body = _b64url(json.dumps(payload, separators=(",", ":")).encode())
    signing_input = HS256_HEADER + b"." + body
    signature = _b64url(hmac.digest(secret, signing_input, "sha256"))
    return (signing_input + b"." + signature).decode("ascii")


class Tokens:
    """Issues and decodes this service's tokens."""

    def __init__(
        self,
        keys: TokenKeys,
        *,
        issuer: str,
        audience: str,
        leeway_s: int,
        access_ttl_s: int,
        refresh_ttl_s: int,
        cache_size: int,
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.leeway_s = leeway_s
        self.access_ttl_s = access_ttl_s
        self.refresh_ttl_s = refresh_ttl_s
        self._cache: OrderedDict[str, Claims] = OrderedDict()
        self._cache_size = cache_size

    def _encode(
        self, sub: str, typ: TokenType, fam: str, ttl_s: int, now: int
    ) -> tuple[str, dict[str, Any]]:
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": sub,
            "iat": now,
            "nbf": now,
            "exp": now + ttl_s,
            "jti": uuid.uuid4().hex,
            "typ": typ,
            "fam": fam,
        }
        if self.keys.alg == "HS256":
            return encode_hs256(claims, self.keys.signing), claims
        return jwt.encode(claims, self.keys.signing, algorithm=self.keys.alg), claims

    def issue_pair(self, sub: str, fam: str | None = None) -> TokenPair:
        """A new access + refresh pair; ``fam`` continues a refresh family (rotation). The
        access token enters the verify cache at once: its client verifies it next, and this
        worker made it, so its signature and claims need no check."""
        now = int(time.time())
        family = fam or uuid.uuid4().hex
        access, access_claims = self._encode(sub, "access", family, self.access_ttl_s, now)
        refresh, refresh_claims = self._encode(sub, "refresh", family, self.refresh_ttl_s, now)
        if self._cache_size:
            self._remember(access, _claims_of(access_claims))
        return TokenPair(access, refresh, access_claims, refresh_claims)

    def _remember(self, token: str, claims: Claims) -> None:
        self._cache[token] = claims
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def decode(self, token: str, typ: TokenType) -> Claims:
        """Claims of a valid token of type ``typ``; raises TokenRejected. Cached by signature."""
        now = time.time()
        claims = self._cache.get(token)
        if claims is None:
            claims = self._decode_uncached(token)
            if self._cache_size:
                self._remember(token, claims)
        if claims.typ != typ:
            raise TokenRejected("wrong_token_type", f"a {claims.typ} token cannot be used here")
        check_times(claims, now, self.leeway_s)
        return claims

    def _decode_uncached(self, token: str) -> Claims:
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenRejected("invalid_token", "token too long")
        # checked here, before the cache entry is made, so the cache only holds canonical
        # spellings and a lookup by any other spelling misses and comes here
        if not is_canonical(token):
            raise TokenRejected("invalid_token", "not a compact JWS (RFC 7515) spelling")
        try:
            payload = jwt.decode(
                token,
                self.keys.verifying,
                algorithms=[self.keys.alg],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("token_expired", "token has expired") from None
        except jwt.PyJWTError as exc:
            raise TokenRejected("invalid_token", str(exc)[:200] or "invalid token") from None
        except Exception:  # crafted input can trip the parsers (deep JSON, Infinity, bad keys)
            raise TokenRejected("invalid_token", "invalid token") from None
        if not isinstance(payload, dict):
            raise TokenRejected("invalid_token", "payload is not an object")
        try:
            return _claims_of(payload)
        except (ValueError, TypeError, OverflowError):  # e.g. an int too long to re-encode
            raise TokenRejected("invalid_token", "malformed claims") from None
