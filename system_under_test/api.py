"""The FastAPI app: routes of the contract table, JSON errors, and the OpenAPI document.

app = build_app(service)   # wrapped by front.Front, which serves /health and /auth/verify
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import metrics, session_routes
from .errors import STATUS_OF, ErrorBody, error_body, error_headers
from .revocation import READY_WARNING, RevocationUnavailable
from .service import Service
from .verify import Answer, verify_bearer

log = logging.getLogger("system_under_test.api")


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=128)
    password: str = Field(min_length=1, max_length=1024)


class RefreshRequest(BaseModel):
    refresh_token: str = Field(min_length=1, max_length=8192)


class TokenResponse(BaseModel):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int


class VerifyResponse(BaseModel):
    sub: str
    jti: str
    exp: int


class LogoutResponse(BaseModel):
    revoked: str


class StatusResponse(BaseModel):
    status: str
    warning: str | None = None  # /ready: ready, but a setting can lose revocations


BEARER: dict[str, Any] = {"security": [{"bearerAuth": []}]}


def _doc(*statuses: int) -> dict[int | str, dict[str, Any]]:
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorBody, "description": f"error {status}"}
        if status == 401:
            entry["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
        if status in (429, 503):
            entry["headers"] = {"Retry-After": {"schema": {"type": "string"}}}
        out[status] = entry
    return out


async def _disconnected(request: Request) -> None:
    # the body is read: the next ASGI message is the disconnect
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _response(answer: Answer) -> Response:
    status, body, headers = answer
    return Response(
        body,
        status_code=status,
        media_type="application/json",
        headers={k.decode(): v.decode() for k, v in headers},
    )


def refuse(code: str, detail: str, retry_after: int | None = None) -> Response:
    return Response(
        error_body(code, detail),
        status_code=STATUS_OF[code],
        media_type="application/json",
        headers=error_headers(code, retry_after),
    )


def build_app(service: Service) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        try:
            yield
        finally:
            await service.close()

    app = FastAPI(title="auth-chaos reference auth service", version="0.1.0", lifespan=lifespan)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code)
        if code is None:
            code = "invalid_request" if exc.status_code < 500 else "internal_unavailable"
        response = refuse(code, str(exc.detail))
        if exc.headers and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        first = errors[0] if errors else {}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return refuse("invalid_request", f"{where}: {first.get('msg', 'malformed body')}")

    @app.exception_handler(Exception)
    async def unexpected(_: Request, exc: Exception) -> Response:
        log.error("unexpected error: %r", exc)
        return refuse("internal_unavailable", "unexpected error, retry")

    @app.post(
        "/auth/login",
        response_model=TokenResponse,
        responses=_doc(401, 422, 429, 503),
    )
    async def login(body: LoginRequest, request: Request) -> Response:
        # front.py answers the usual body itself; this route takes every other one
        gone = partial(_disconnected, request)
        return _response(await session_routes.login(service, body.username, body.password, gone))

    @app.get(
        "/auth/verify",
        response_model=VerifyResponse,
        responses={
            200: {"headers": {"X-Revocation-Check": {"schema": {"type": "string"}}}},
            **_doc(401, 503),
        },
        openapi_extra=BEARER,
    )
    async def verify(request: Request) -> Response:
        authorizations = request.headers.getlist("authorization")
        if len(authorizations) > 1:
            return refuse("invalid_token", "more than one Authorization header")
        authorization = authorizations[0] if authorizations else None
        return _response(await verify_bearer(service, authorization))

    @app.post(
        "/auth/logout",
        response_model=LogoutResponse,
        responses=_doc(401, 503),
        openapi_extra=BEARER,
    )
    async def logout(request: Request) -> Response:
        # front.py answers every logout itself; this route documents it (and serves the app
        # when it runs without the front)
        return _response(await session_routes.logout(service, request.headers.raw))

    @app.post("/auth/refresh", response_model=TokenResponse, responses=_doc(401, 422, 503))
    async def refresh(body: RefreshRequest) -> Response:
        return _response(await session_routes.refresh(service, body.refresh_token))

    @app.get("/health", response_model=StatusResponse)
    async def health() -> Response:
        return Response(b'{"status":"ok"}', media_type="application/json")

    @app.get("/ready", response_model=StatusResponse, responses=_doc(503))
    async def ready() -> Response:
        ok, reason = await service.store.readiness()
        if not ok:
            return refuse("not_ready", reason)
        if reason.startswith(READY_WARNING):  # ready, but acknowledged revocations may be lost
            body = {"status": "ready", "warning": reason.removeprefix(READY_WARNING)}
            return Response(json.dumps(body).encode(), media_type="application/json")
        return Response(b'{"status":"ready"}', media_type="application/json")

    @app.get(
        "/metrics",
        response_class=Response,
        responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    )
    async def prometheus() -> Response:
        service.flush_metrics()  # this worker's counts exact; the others' within FLUSH_S
        return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE)

    @app.get("/redis/stats", response_model=dict[str, Any], responses=_doc(503))
    async def redis_stats() -> Response:
        try:
            stats = await service.store.stats()
        except RevocationUnavailable as exc:
            return refuse("redis_unavailable", str(exc)[:200], exc.retry_after)
        return Response(json.dumps(stats, default=str), media_type="application/json")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            }
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
