"""The verify decision, shared by the raw fast path and the documented FastAPI route.

    verify_soon(service, authorization_header_value, reply)  # reply((status, body, headers))
    status, body, headers = await verify_bearer(service, authorization_header_value)

No logging and no pydantic here: this is the hot path benchmarks.verify_vs_health measures.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import partial

from .errors import STATUS_OF, error_body, error_headers
from .revocation import RevocationAnswer, RevocationCheck
from .service import Service
from .tokens import Claims, TokenRejected

log = logging.getLogger("system_under_test.verify")

Answer = tuple[int, bytes, list[tuple[bytes, bytes]]]


def error_answer(code: str, detail: str, retry_after: int | None = None) -> Answer:
    headers = [
        (k.lower().encode(), v.encode()) for k, v in error_headers(code, retry_after).items()
    ]
    return STATUS_OF[code], error_body(code, detail), headers


MISSING = error_answer("missing_token", "Authorization: Bearer <token> required")
# RFC 9110 5.3: Authorization is not a list; two of them are ambiguous (which one is checked?)
DUPLICATED = error_answer("invalid_token", "more than one Authorization header")
CHECK_FAILED = error_answer("revocation_unavailable", "revocation check failed")
_CHECK_HEADER = {
    RevocationCheck.ENFORCED: [(b"x-revocation-check", b"enforced")],
    RevocationCheck.DEGRADED: [(b"x-revocation-check", b"degraded")],
}
# --bench-skip-revocation-check: what the revocation list costs, measured by benchmarks.compare
SKIPPED = [(b"x-revocation-check", b"skipped")]


def bearer_token(authorization: str | None) -> str | None:
    """The token of ``Bearer <token>`` (scheme case-insensitive), else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


async def verify_bearer(service: Service, authorization: str | None) -> Answer:
    """``verify_soon``'s answer, awaited (the documented FastAPI route)."""
    answered: asyncio.Future[Answer] = asyncio.get_running_loop().create_future()
    verify_soon(service, authorization, partial(settle, answered))
    return await answered


def settle(future: asyncio.Future[Answer], answer: Answer) -> None:
    """``answer`` as ``future``'s result, unless it has one already or was cancelled (its
    client left while the check was in the batch)."""
    if not future.done():
        future.set_result(answer)


def verify_soon(
    service: Service, authorization: str | None, reply: Callable[[Answer], None]
) -> None:
    """``reply`` gets the answer once, without a task: now when no Redis read is needed, else
    from the lookup batch that reads the token's keys (store.check_soon)."""
    claims = _claims(service, authorization)
    if isinstance(claims, tuple):
        reply(claims)
        return
    if service.settings.bench_skip_revocation_check:
        reply((200, claims.verify_body, SKIPPED))
        return

    def landed(answer: RevocationAnswer | Exception) -> None:
        try:
            result = _concluded(claims, answer)
        except Exception:  # never a verify left unanswered (the batch only logs what raises)
            log.exception("verify conclusion raised")
            result = CHECK_FAILED
        reply(result)

    service.store.check_soon((claims.jti, "fam:" + claims.fam), landed)


def _claims(service: Service, authorization: str | None) -> Claims | Answer:
    """The access token's claims, or the answer that refuses it without asking Redis."""
    token = bearer_token(authorization)
    if token is None:
        return MISSING
    try:
        return service.tokens.decode(token, "access")
    except TokenRejected as rejected:
        return error_answer(rejected.code, rejected.detail)


def _concluded(claims: Claims, answer: RevocationAnswer | Exception) -> Answer:
    if isinstance(answer, Exception):  # the store promises an answer; never a 500 either way
        log.error("revocation check raised", exc_info=answer)
        return CHECK_FAILED
    if answer.check is RevocationCheck.UNAVAILABLE:
        return error_answer("revocation_unavailable", "revocation list unreachable (fail-closed)")
    if answer.revoked:
        return error_answer("token_revoked", "token has been revoked")
    return 200, claims.verify_body, _CHECK_HEADER[answer.check]
