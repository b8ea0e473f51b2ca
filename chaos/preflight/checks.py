"""The preflight: a service, started with a healthy Redis, does what its profile says, or the
first mismatch in one line, before any scenario runs (contract §2.3).

    result = await preflight(AuthApi(profile), "http://127.0.0.1:8000")
    result.ok, result.line     # "logout: POST /access-revoke answered 405; ..."

Login, verify 200, refresh when the profile has it; then, on a second login's token never
verified before, logout and verify refused (401/403): the preflight checks the profile's
shapes, and a service that caches "not revoked" is left for the gate to catch (I1).
When a route answers 404 or 405, the service's OpenAPI document (if it serves one) says
which methods that path has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from chaos.preflight.openapi import methods_of, openapi_document
from chaos.profile import AuthApi, HttpCall

__all__ = ["PreflightResult", "preflight"]

REFUSED = frozenset({401, 403})
TIMEOUT_S = 10.0
BODY_SHOWN = 120  # characters of an unexpected answer's body in the one-line message


@dataclass
class PreflightResult:
    """``line`` is the first mismatch (empty when everything matched); ``steps`` says what
    each step got."""

    line: str = ""
    steps: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.line


class Mismatch(Exception):
    """A step did not get what the profile says."""


async def _send(http: httpx.AsyncClient, base: str, call: HttpCall) -> httpx.Response:
    try:
        return await http.request(call.method, base + call.path, **call.httpx_args())
    except httpx.HTTPError as exc:
        raise Mismatch(
            f"{call.method} {call.path}: no answer ({type(exc).__name__}: {exc})"
        ) from None


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


async def _hint(http: httpx.AsyncClient, base: str, call: HttpCall, status: int) -> str:
    if status not in (404, 405):
        return ""
    document = await openapi_document(http, base)
    if document is None:
        return ""
    listed = methods_of(document, call.path)
    if not listed:
        return f"; the service's OpenAPI has no path {call.path}"
    return f"; the service's OpenAPI lists {' and '.join(listed)} for {call.path}"


async def _expect(
    http: httpx.AsyncClient, base: str, step: str, call: HttpCall, *, want: frozenset[int],
    what: str,
) -> httpx.Response:  # fmt: skip
    response = await _send(http, base, call)
    if response.status_code not in want:
        hint = await _hint(http, base, call, response.status_code)
        text = response.text.strip().replace("\n", " ")
        body = text if len(text) <= BODY_SHOWN else f"{text[:BODY_SHOWN]}..."
        raise Mismatch(
            f"{step}: {call.method} {call.path} answered {response.status_code}, expected "
            f"{what}{hint} (body: {body or 'empty'})"
        )
    return response


async def _steps(http: httpx.AsyncClient, api: AuthApi, base: str, result: PreflightResult) -> None:
    profile = api.profile
    user = profile.accounts.users[0]
    ok = frozenset(range(200, 300))
    answer = await _expect(http, base, "login", api.login(user), want=ok, what=f"2xx for {user[0]}")
    access, refresh = api.tokens("login", _json(answer), dict(answer.cookies))
    if access is None:
        raise Mismatch(
            f"login: the answer has no access token at {profile.login.access_token!r} "
            f"(keys: {', '.join(sorted(_json(answer))) or 'none'})"
        )
    result.steps.append(f"login {answer.status_code}")
    answer = await _expect(
        http, base, "verify", api.verify(access), want=ok, what="2xx for a fresh token"
    )
    result.steps.append(f"verify {answer.status_code} (worker {api.worker(answer.headers)}, "
                        f"check {api.check(answer.headers)})")  # fmt: skip
    if api.has_refresh:
        await _refresh_step(http, api, base, refresh, result)
    else:
        result.steps.append("refresh: none in the profile")
    # logout and the refused verify on a token of its own, never verified before: the
    # preflight checks the profile's shapes; a service that caches "not revoked" is the
    # gate's to catch (I1), with its evidence
    second = await _expect(http, base, "login again", api.login(user), want=ok, what="2xx")
    access, _ = api.tokens("login", _json(second), dict(second.cookies))
    if access is None:
        raise Mismatch("login again: the answer has no access token where the profile says")
    answer = await _expect(http, base, "logout", api.logout(access), want=ok, what="2xx")
    result.steps.append(f"logout {answer.status_code}")
    answer = await _expect(
        http,
        base,
        "verify after logout",
        api.verify(access),
        want=REFUSED,
        what="401 or 403 (refused)",
    )
    result.steps.append(f"verify after logout {answer.status_code}")


async def _refresh_step(
    http: httpx.AsyncClient, api: AuthApi, base: str, refresh: str | None, result: PreflightResult
) -> None:
    call = api.refresh(refresh) if refresh else None
    if call is None:
        raise Mismatch("refresh: the login answer has no refresh token where the profile says")
    answer = await _expect(http, base, "refresh", call, want=frozenset(range(200, 300)), what="2xx")
    new_access, _ = api.tokens("refresh", _json(answer), dict(answer.cookies))
    if new_access is None:
        raise Mismatch("refresh: the answer has no access token where the profile says")
    result.steps.append(f"refresh {answer.status_code}")


async def preflight(api: AuthApi, base_url: str) -> PreflightResult:
    """Run the steps against ``base_url``; never raises for what the service answers."""
    result = PreflightResult()
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:
        try:
            await _steps(http, api, base_url, result)
        except Mismatch as exc:
            result.line = str(exc)
    return result
