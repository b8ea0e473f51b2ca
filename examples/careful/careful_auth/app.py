"""The HTTP face: form sign-in, a refresh cookie, bearer checks against Redis on every call.

    uvicorn careful_auth.app:create_app --factory     # settings from CAREFUL_* variables

| route | answers |
|---|---|
| POST /api/auth/signin (form: login, password) | 200 + refresh cookie; 401, 422, 429 |
| GET /api/whoami (Bearer) | 200 {"user", "session"}; 401; 503 + Retry-After |
| POST /api/auth/signout (Bearer) | 204 once stored in Redis; 401; 503 + Retry-After |
| POST /api/auth/renew (refresh cookie) | 200 as sign-in, cookie rotated; 401; 503 |
| GET /livez, GET /readyz | 200; /readyz 503 while Redis does not answer |

503 (with Retry-After): Redis did not answer in time, or this worker's breaker is open; the
service fails closed.

Every answer carries ``X-Served-By: <worker pid>``.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import Cookie, FastAPI, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .accounts import Accounts, LoginBusy
from .revocations import RevocationList, StoreUnavailable
from .served_by import ServedBy
from .settings import Settings
from .tokens import TokenIssuer, TokenPair, TokenRejected

__all__ = ["REFRESH_COOKIE", "create_app"]

REFRESH_COOKIE = "careful_refresh"
COOKIE_PATH = "/api/auth"  # the cookie goes to the auth routes, never to the API

FormText = Annotated[str, Form(min_length=1, max_length=256)]
RefreshCookie = Annotated[str | None, Cookie(alias=REFRESH_COOKIE, max_length=4096)]


def _error(status: int, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": code}, status_code=status, headers=headers)


def _unauthorized(code: str) -> JSONResponse:
    challenge = f'Bearer error="invalid_token", error_description="{code}"'
    return _error(401, code, {"WWW-Authenticate": challenge})


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class CarefulAuth:
    """The routes' logic, one method per route, holding the worker's parts."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.accounts = Accounts.from_file(settings.users_file, settings.pbkdf2_iterations)
        self.tokens = TokenIssuer(settings)
        self.store = RevocationList(settings)
        self.retry_after = {"Retry-After": str(settings.retry_after_s)}

    def unavailable(self) -> JSONResponse:
        return _error(503, "revocation_store_unavailable", self.retry_after)

    def _issued(self, pair: TokenPair, user: str) -> JSONResponse:
        body = {
            "user": user,
            "token": {
                "access": pair.access,
                "type": "Bearer",
                "expires_in": self.settings.access_ttl_s,
            },
        }
        answer = JSONResponse(body, headers={"Cache-Control": "no-store"})
        answer.set_cookie(
            REFRESH_COOKIE,
            pair.refresh,
            max_age=self.settings.refresh_ttl_s,
            path=COOKIE_PATH,
            secure=self.settings.cookie_secure,
            httponly=True,
            samesite="strict",
        )
        return answer

    async def signin(self, login: str, password: str) -> Response:
        try:
            known = await self.accounts.check(login, password)
        except LoginBusy:
            return _error(429, "too_many_logins", self.retry_after)
        if not known:
            return _error(401, "invalid_credentials")
        return self._issued(self.tokens.issue(login), login)

    async def whoami(self, token: str | None) -> Response:
        if token is None:
            return _unauthorized("missing_token")
        try:
            claims = self.tokens.read(token, "access")
            if await self.store.is_revoked(claims.jti, claims.sid):
                return _unauthorized("token_revoked")
        except TokenRejected as exc:
            return _unauthorized(exc.code)
        except StoreUnavailable:
            return self.unavailable()
        return JSONResponse({"user": claims.sub, "session": claims.sid})

    async def signout(self, token: str | None) -> Response:
        """Revoke the access token and its session (every refresh token of it, renewed or not)."""
        if token is None:
            return _unauthorized("missing_token")
        try:
            claims = self.tokens.read(token, "access")
            await self.store.revoke(
                {
                    claims.jti: self.tokens.revocation_ttl(claims.exp),
                    claims.sid: self.tokens.session_ttl(),
                }
            )
        except TokenRejected as exc:
            return _unauthorized(exc.code)
        except StoreUnavailable:
            return self.unavailable()
        answer = Response(status_code=204)
        answer.delete_cookie(REFRESH_COOKIE, path=COOKIE_PATH, secure=self.settings.cookie_secure,
                             httponly=True, samesite="strict")  # fmt: skip
        return answer

    async def renew(self, refresh: str | None) -> Response:
        """A refresh token works once, in a session not signed out: the new pair stays in it."""
        if not refresh:
            return _unauthorized("missing_refresh_cookie")
        try:
            claims = self.tokens.read(refresh, "refresh")
            ttl = self.tokens.revocation_ttl(claims.exp)
            usable = await self.store.use_refresh(claims.sid, claims.jti, ttl)
        except TokenRejected as exc:
            return _unauthorized(exc.code)
        except StoreUnavailable:
            return self.unavailable()
        if not usable:
            return _unauthorized("refresh_revoked")
        return self._issued(self.tokens.issue(claims.sub, claims.sid), claims.sub)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The worker's app (uvicorn ``--factory``): settings from the environment by default."""
    auth = CarefulAuth(settings or Settings.from_env(os.environ))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await auth.store.close()

    app = FastAPI(title="careful-auth", lifespan=lifespan)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "bad_request")
        return _error(exc.status_code, code, dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def invalid(_: Request, exc: RequestValidationError) -> Response:
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        return JSONResponse({"error": "invalid_request", "fields": fields}, status_code=422)

    @app.post("/api/auth/signin")
    async def signin(login: FormText, password: FormText) -> Response:
        return await auth.signin(login, password)

    @app.get("/api/whoami")
    async def whoami(request: Request) -> Response:
        return await auth.whoami(_bearer(request))

    @app.post("/api/auth/signout", status_code=204)
    async def signout(request: Request) -> Response:
        return await auth.signout(_bearer(request))

    @app.post("/api/auth/renew")
    async def renew(refresh: RefreshCookie = None) -> Response:
        return await auth.renew(refresh)

    @app.get("/livez")
    async def livez() -> dict[str, Any]:
        return {"ok": True}

    @app.get("/readyz")
    async def readyz() -> Response:
        if await auth.store.ping():
            return JSONResponse({"ok": True})
        return _error(503, "revocation_store_unavailable", auth.retry_after)

    app.add_middleware(ServedBy)
    return app
