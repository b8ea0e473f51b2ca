"""Login, logout and refresh: the decisions, and the request shapes the front answers itself.

    fields = login_fields(headers, body)          # (username, password), or None: the framework
    answer = await login(service, *fields, gone)  # (status, body, headers), like verify_bearer

The FastAPI routes (api.py) call the same functions after their own validation, so both
paths answer alike; front.py calls them directly for the usual request shape (a JSON object
with the right string fields, or for logout just the bearer header), without routing,
dependency injection or pydantic, which cost about three times the route's own work. Any other
shape goes to the framework, which refuses it as it always did (422 and its detail).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Iterable

from .revocation import RevocationCheck, RevocationUnavailable
from .service import Service
from .tokens import TokenRejected
from .users import LoginOverloaded
from .verify import DUPLICATED, Answer, bearer_token, error_answer

log = logging.getLogger("system_under_test.session_routes")

Headers = Iterable[tuple[bytes, bytes]]
JSON: list[tuple[bytes, bytes]] = []  # a 200's extra headers (content type and length: the front)
USERNAME_CHARS = (1, 128)  # the bounds of api.LoginRequest, which the framework path checks
PASSWORD_CHARS = (1, 1024)
REFRESH_TOKEN_CHARS = (1, 8192)


def _json_object(headers: Headers, body: bytes) -> dict[str, object] | None:
    """The body as a JSON object when it is declared ``application/json``, else None."""
    declared = None
    for name, value in headers:
        if name == b"content-type":
            declared = value.partition(b";")[0].strip().lower()
            break  # the framework reads the first one too
    if declared != b"application/json":
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return data if type(data) is dict else None


def _text(data: dict[str, object], name: str, bounds: tuple[int, int]) -> str | None:
    """The field when it is a string within ``bounds`` that UTF-8 can carry (JSON lets a lone
    surrogate through, which the framework refuses with its own 422)."""
    value = data.get(name)
    if type(value) is not str or not bounds[0] <= len(value) <= bounds[1]:
        return None
    if not value.isascii():
        try:
            value.encode()
        except UnicodeEncodeError:
            return None
    return value


def login_fields(headers: Headers, body: bytes) -> tuple[str, str] | None:
    """(username, password) of a well-formed login body, else None (the framework's turn)."""
    data = _json_object(headers, body)
    if data is None:
        return None
    username = _text(data, "username", USERNAME_CHARS)
    password = _text(data, "password", PASSWORD_CHARS)
    if username is None or password is None:
        return None
    return username, password


def refresh_field(headers: Headers, body: bytes) -> str | None:
    """The refresh token of a well-formed refresh body, else None (the framework's turn)."""
    data = _json_object(headers, body)
    return None if data is None else _text(data, "refresh_token", REFRESH_TOKEN_CHARS)


def single_authorization(headers: Headers) -> tuple[bool, str | None]:
    """(False, None) for more than one Authorization header (ambiguous: which one would a
    proxy have checked?), else (True, its value or None)."""
    found = None
    for name, value in headers:
        if name == b"authorization":
            if found is not None:
                return False, None
            found = value.decode("latin-1")
    return True, found


def tokens_answer(service: Service, access: str, refresh: str) -> Answer:
    body = json.dumps(
        {
            "access_token": access,
            "refresh_token": refresh,
            "token_type": "bearer",
            "expires_in": service.settings.access_ttl_s,
        },
        separators=(",", ":"),
    ).encode()
    return 200, body, JSON


async def login(
    service: Service,
    username: str,
    password: str,
    gone: Callable[[], Awaitable[None]] | None = None,
) -> Answer:
    """``gone``: finishes when the client disconnects (a queued check is then dropped)."""
    retry = service.login_limit.retry_after(username)
    if retry:
        return error_answer("too_many_attempts", "too many failed logins", retry)
    try:
        ok = await service.users.check(username, password, gone)
    except LoginOverloaded as exc:
        return error_answer("login_overloaded", f"too many logins in progress ({exc}), retry")
    if ok is None:  # the client left: nobody reads this answer
        return error_answer("login_overloaded", "client disconnected")
    if not ok:
        retry = await service.login_limit.failed(username)
        if retry:
            return error_answer("too_many_attempts", "too many failed logins", retry)
        return error_answer("invalid_credentials", "bad username or password")
    pair = service.tokens.issue_pair(username)
    return tokens_answer(service, pair.access, pair.refresh)


async def logout(service: Service, headers: Headers) -> Answer:
    single, authorization = single_authorization(headers)
    if not single:
        return DUPLICATED
    token = bearer_token(authorization)
    if token is None:
        return error_answer("missing_token", "Authorization: Bearer <token> required")
    try:
        claims = service.tokens.decode(token, "access")
    except TokenRejected as rejected:
        return error_answer(rejected.code, rejected.detail)
    # the family too: otherwise the session's refresh token would mint a new access token
    try:
        await service.store.revoke_all(
            [(claims.jti, claims.exp), ("fam:" + claims.fam, service.family_exp())]
        )
    except RevocationUnavailable as exc:
        return error_answer("revocation_unavailable", "revocation not stored", exc.retry_after)
    except Exception as exc:  # never acknowledged unless stored, never a 500
        log.error("revoke raised: %r", exc)
        return error_answer("revocation_unavailable", "revocation not stored")
    return 200, revoked_body(claims.jti), JSON


def revoked_body(jti: str) -> bytes:
    return json.dumps({"revoked": jti}, separators=(",", ":")).encode()


async def refresh(service: Service, refresh_token: str) -> Answer:
    try:
        claims = service.tokens.decode(refresh_token, "refresh")
    except TokenRejected as rejected:
        return error_answer(rejected.code, rejected.detail)
    # the family only: a used refresh jti is the claim's business (reuse -> refresh_reused).
    # Never fail-open: the rotation must be written to Redis anyway, and the degraded
    # counter must count only verify's 200 degraded answers (a refresh that passed a
    # degraded family check then failed its claim was counted and answered 503).
    answer = await service.store.check("fam:" + claims.fam, fail_open=False)
    if answer.check is RevocationCheck.UNAVAILABLE:
        return error_answer("revocation_unavailable", "revocation list unreachable")
    if answer.revoked:
        return error_answer("token_revoked", "refresh token has been revoked")
    claimed = await service.store.claim_once(claims.jti, claims.exp)
    if claimed is None:
        return error_answer("revocation_unavailable", "cannot record the rotation")
    if not claimed:
        try:
            await service.store.revoke("fam:" + claims.fam, service.family_exp())
        except RevocationUnavailable:
            log.warning("reused refresh token: family %s not revoked (Redis)", claims.fam)
        return error_answer("refresh_reused", "refresh token already used: session revoked")
    pair = service.tokens.issue_pair(claims.sub, claims.fam)
    return tokens_answer(service, pair.access, pair.refresh)


__all__ = [
    "login",
    "login_fields",
    "logout",
    "refresh",
    "refresh_field",
    "single_authorization",
    "tokens_answer",
]
