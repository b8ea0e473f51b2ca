"""An attack case: one HTTP request and the statuses the service documents for it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from .forged import ForgedToken

LOGIN = "/auth/login"
VERIFY = "/auth/verify"
LOGOUT = "/auth/logout"
REFRESH = "/auth/refresh"

REFUSED_TOKEN = frozenset({401})
"""What verify, logout and refresh answer to a token they must not accept."""

MALFORMED_OR_REFUSED = frozenset({401, 422})
"""An empty or long refresh token: a malformed body (422) or an invalid token (401)."""
LONG_TOKEN_CHARS = 4096

Headers = tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class AttackRequest:
    """A request as sent: header values are bytes so that they may be non-ASCII."""

    method: str
    path: str
    headers: Headers = ()
    body: bytes | None = None


@dataclass(frozen=True)
class AttackCase:
    """``name`` is ``route/group/variant``; ``expected`` the documented refusal statuses."""

    name: str
    request: AttackRequest
    expected: frozenset[int]
    why: str

    @property
    def group(self) -> str:
        return self.name.split("/")[1]


def bearer(token: str) -> Headers:
    # HTTP strips trailing whitespace from a field value anyway; clients refuse to send it
    return (("Authorization", f"Bearer {token}".rstrip().encode()),)


def json_body(value: object) -> tuple[Headers, bytes]:
    return (("Content-Type", b"application/json"),), json.dumps(value).encode()


def on_verify(forged: ForgedToken, expected: frozenset[int] = REFUSED_TOKEN) -> AttackCase:
    return AttackCase(
        f"verify/{forged.name}",
        AttackRequest("GET", VERIFY, bearer(forged.token)),
        expected,
        forged.why,
    )


def on_logout(forged: ForgedToken, expected: frozenset[int] = REFUSED_TOKEN) -> AttackCase:
    return AttackCase(
        f"logout/{forged.name}",
        AttackRequest("POST", LOGOUT, bearer(forged.token)),
        expected,
        forged.why,
    )


def on_refresh(forged: ForgedToken, expected: frozenset[int] = REFUSED_TOKEN) -> AttackCase:
    if expected == REFUSED_TOKEN and not 0 < len(forged.token) <= LONG_TOKEN_CHARS:
        expected = MALFORMED_OR_REFUSED  # the body check may refuse it before the token check
    headers, body = json_body({"refresh_token": forged.token})
    return AttackCase(
        f"refresh/{forged.name}",
        AttackRequest("POST", REFRESH, headers, body),
        expected,
        forged.why,
    )


def on_token_routes(
    access_forgeries: Iterable[ForgedToken], refresh_forgeries: Iterable[ForgedToken]
) -> list[AttackCase]:
    """Access-token forgeries on verify and logout, refresh-token forgeries on refresh."""
    cases: list[AttackCase] = []
    for forged in access_forgeries:
        cases += [on_verify(forged), on_logout(forged)]
    cases += [on_refresh(forged) for forged in refresh_forgeries]
    return cases
