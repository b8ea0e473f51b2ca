"""Access and refresh JWTs (HS256): issued in pairs that carry their session's id, read strictly.

A session starts at sign-in and keeps its id (``sid``) through every renewal; each token has
its own ``jti``.

issuer = TokenIssuer(settings)
pair = issuer.issue("alice")                # pair.access, pair.refresh (strings)
claims = issuer.read(pair.access, "access")  # raises TokenRejected
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Literal

import jwt

from .settings import Settings

__all__ = ["Claims", "TokenIssuer", "TokenPair", "TokenRejected"]

ALGORITHM = "HS256"
ISSUER = "careful-auth"
Kind = Literal["access", "refresh"]
REQUIRED = ["exp", "iat", "iss", "jti", "sub", "typ", "sid"]


class TokenRejected(Exception):
    """The token is not one this service issued, or no longer valid; ``code`` says why."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Claims:
    sub: str
    jti: str
    sid: str  # the session: from sign-in, kept through renewals
    iat: int
    exp: int


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    session: str


class TokenIssuer:
    def __init__(self, settings: Settings) -> None:
        self._secret = settings.jwt_secret
        self._ttl: dict[Kind, int] = {
            "access": settings.access_ttl_s,
            "refresh": settings.refresh_ttl_s,
        }
        self.leeway_s = settings.leeway_s

    def _encode(self, kind: Kind, sub: str, jti: str, sid: str, now: int) -> str:
        claims = {
            "iss": ISSUER,
            "sub": sub,
            "typ": kind,
            "jti": jti,
            "sid": sid,
            "iat": now,
            "exp": now + self._ttl[kind],
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def issue(self, sub: str, session: str | None = None) -> TokenPair:
        """A new pair, in ``session`` (a renewal) or in a new one (a sign-in)."""
        now = int(time.time())
        session = session or uuid.uuid4().hex
        access = self._encode("access", sub, uuid.uuid4().hex, session, now)
        refresh = self._encode("refresh", sub, uuid.uuid4().hex, session, now)
        return TokenPair(access, refresh, session)

    def read(self, token: str, kind: Kind) -> Claims:
        try:
            found = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                leeway=self.leeway_s,
                options={"require": REQUIRED},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRejected("token_expired") from None
        except jwt.PyJWTError:
            raise TokenRejected("invalid_token") from None
        if found["typ"] != kind:
            raise TokenRejected("invalid_token")
        try:
            return Claims(
                sub=str(found["sub"]),
                jti=str(found["jti"]),
                sid=str(found["sid"]),
                iat=int(found["iat"]),
                exp=int(found["exp"]),
            )
        except (TypeError, ValueError):
            raise TokenRejected("invalid_token") from None

    def session_ttl(self) -> int:
        """Seconds a session's revocation must live: past any refresh token issued until now."""
        return self._ttl["refresh"] + self.leeway_s + 1

    def revocation_ttl(self, expires_at: int, now: float | None = None) -> int:
        """Seconds a revocation must live: until the token could no longer be accepted."""
        now = time.time() if now is None else now
        return max(1, int(expires_at + self.leeway_s - now) + 1)
