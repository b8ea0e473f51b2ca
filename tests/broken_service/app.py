"""The broken variant's routes (Starlette). See the package docstring for its bugs."""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from typing import Any

import jwt
import redis
import redis.asyncio as aioredis
from redis.backoff import NoBackoff
from redis.retry import Retry
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

ACCESS_TTL_S = 900
CACHE_S = 2.0  # BUG: a "not revoked" answer is trusted this long


class BrokenAuth:
    """Tokens, users and the Redis revocation list, with the two bugs."""

    def __init__(
        self, redis_url: str, secret: str, users: dict[str, str], *, undercount: bool = False
    ) -> None:
        self.redis = aioredis.Redis.from_url(
            redis_url, socket_timeout=0.2, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
        )
        self.secret = secret
        self.users = users
        self.worker = f"w0-{os.getpid()}"
        self.not_revoked_until: dict[str, float] = {}
        self.undercount = undercount  # BUG (opt-in): the degraded counter misses every second
        self.degraded_answers = 0
        self.degraded_counted = 0

    def issue(self, sub: str, typ: str) -> str:
        now = int(time.time())
        claims = {"sub": sub, "jti": uuid.uuid4().hex, "iat": now, "exp": now + ACCESS_TTL_S,
                  "typ": typ}  # fmt: skip
        return jwt.encode(claims, self.secret, algorithm="HS256")

    def claims(self, token: str, typ: str) -> dict[str, Any] | None:
        try:
            data: dict[str, Any] = jwt.decode(token, self.secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None
        return data if data.get("typ") == typ else None

    def answer(self, status: int, body: dict[str, Any], **headers: str) -> JSONResponse:
        return JSONResponse(body, status, headers={"X-Worker-Id": self.worker, **headers})

    def pair(self, sub: str) -> JSONResponse:
        return self.answer(200, {
            "access_token": self.issue(sub, "access"), "refresh_token": self.issue(sub, "refresh"),
            "token_type": "bearer", "expires_in": ACCESS_TTL_S,
        })  # fmt: skip

    async def login(self, request: Request) -> JSONResponse:
        try:
            body = await request.json()
            name, password = str(body["username"]), str(body["password"])
        except (ValueError, KeyError, TypeError):
            return self.answer(422, {"error": "invalid_request"})
        if self.users.get(name) != password:
            return self.answer(401, {"error": "invalid_credentials"})
        return self.pair(name)

    def bearer(self, request: Request) -> dict[str, Any] | None:
        header = request.headers.get("authorization", "")
        return self.claims(header.removeprefix("Bearer ").strip(), "access")

    async def verify(self, request: Request) -> JSONResponse:
        claims = self.bearer(request)
        if claims is None:
            return self.answer(401, {"error": "invalid_token"})
        jti = str(claims["jti"])
        body = {"sub": claims["sub"], "jti": jti, "exp": claims["exp"]}
        if self.not_revoked_until.get(jti, 0.0) > time.monotonic():  # BUG: stale cache
            return self.answer(200, body, **{"X-Revocation-Check": "enforced"})
        try:
            revoked = await self.redis.exists(f"revoked:{jti}")
        except redis.RedisError:
            self.degraded_answers += 1
            if self.degraded_answers % 2:  # BUG: every second decision goes uncounted
                self.degraded_counted += 1
            return self.answer(200, body, **{"X-Revocation-Check": "degraded"})
        if revoked:
            return self.answer(401, {"error": "token_revoked"})
        self.not_revoked_until[jti] = time.monotonic() + CACHE_S
        return self.answer(200, body, **{"X-Revocation-Check": "enforced"})

    async def logout(self, request: Request) -> JSONResponse:
        claims = self.bearer(request)
        if claims is None:
            return self.answer(401, {"error": "invalid_token"})
        jti = str(claims["jti"])
        with contextlib.suppress(redis.RedisError):  # BUG: a failed write is still a 200
            await self.redis.set(f"revoked:{jti}", claims["exp"], ex=ACCESS_TTL_S + 5)
        return self.answer(200, {"revoked": jti})

    async def refresh(self, request: Request) -> JSONResponse:
        try:
            token = str((await request.json())["refresh_token"])
        except (ValueError, KeyError, TypeError):
            return self.answer(422, {"error": "invalid_request"})
        claims = self.claims(token, "refresh")
        if claims is None:
            return self.answer(401, {"error": "invalid_token"})
        return self.pair(str(claims["sub"]))

    async def health(self, request: Request) -> JSONResponse:
        return self.answer(200, {"status": "ok"})

    async def metrics(self, request: Request) -> PlainTextResponse:
        if not self.undercount:
            return PlainTextResponse("", 404, headers={"X-Worker-Id": self.worker})
        text = (
            "# HELP auth_revocation_degraded_total fail-open decisions (200 degraded)\n"
            "# TYPE auth_revocation_degraded_total counter\n"
            f'auth_revocation_degraded_total{{worker="{self.worker}"}} {self.degraded_counted}\n'
        )
        return PlainTextResponse(text, headers={"X-Worker-Id": self.worker})


def build_app(auth: BrokenAuth) -> Starlette:
    return Starlette(
        routes=[
            Route("/auth/login", auth.login, methods=["POST"]),
            Route("/auth/verify", auth.verify, methods=["GET"]),
            Route("/auth/logout", auth.logout, methods=["POST"]),
            Route("/auth/refresh", auth.refresh, methods=["POST"]),
            Route("/health", auth.health, methods=["GET"]),
            Route("/metrics", auth.metrics, methods=["GET"]),
        ]
    )
