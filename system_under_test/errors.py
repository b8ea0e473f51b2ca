"""Stable error codes and their JSON bodies: ``{"error": code, "detail": text}``.

401  missing_token, invalid_token, token_expired, token_revoked, wrong_token_type,
     refresh_reused, invalid_credentials
404  not_found        405 method_not_allowed        422 invalid_request
429  too_many_attempts, login_overloaded
503  revocation_unavailable, not_ready, redis_unavailable, internal_unavailable, overloaded
"""

from __future__ import annotations

import json

from pydantic import BaseModel

STATUS_OF: dict[str, int] = {
    "missing_token": 401,
    "invalid_token": 401,
    "token_expired": 401,
    "token_revoked": 401,
    "wrong_token_type": 401,
    "refresh_reused": 401,
    "invalid_credentials": 401,
    "not_found": 404,
    "method_not_allowed": 405,
    "invalid_request": 422,
    "too_many_attempts": 429,
    "login_overloaded": 429,  # the contract's login statuses: 429 is its "retry later"
    "revocation_unavailable": 503,
    "not_ready": 503,
    "redis_unavailable": 503,
    "internal_unavailable": 503,
    "overloaded": 503,  # shed by the worker's admission before any work (login: 429 instead)
}

BEARER_CHALLENGE = 'Bearer error="invalid_token"'


class ErrorBody(BaseModel):
    """Every error answer."""

    error: str
    detail: str


def error_body(code: str, detail: str) -> bytes:
    return json.dumps({"error": code, "detail": detail}, separators=(",", ":")).encode()


def error_headers(code: str, retry_after: int | None = None) -> dict[str, str]:
    """401 challenge and 503/429 Retry-After, as the contract wants them."""
    status = STATUS_OF[code]
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = BEARER_CHALLENGE
    if status in (429, 503):
        headers["Retry-After"] = str(max(1, retry_after or 1))
    return headers
