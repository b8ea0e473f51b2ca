"""Attack cases are well formed, and the judge of an answer catches every departure."""

from __future__ import annotations

import time

import jwt

from chaos.attacks import (
    AttackCase,
    AttackRequest,
    Outcome,
    TokenProfile,
    authorization_attacks,
    body_attacks,
    kind_confusion,
    problems,
    refresh_replay,
    revoked_resigned,
)
from chaos.attacks.cases import REFUSED_TOKEN, VERIFY

SECRET = b"unit-test-secret-of-at-least-32-bytes!!"
VERIFY_CASE = AttackCase("verify/x/y", AttackRequest("GET", VERIFY), REFUSED_TOKEN, "why")
CHALLENGE = (("www-authenticate", 'Bearer error="invalid_token"'),)
ERROR_BODY = b'{"error":"invalid_token","detail":"bad signature"}'


def outcome(
    status: int | None, body: bytes = ERROR_BODY, headers: tuple[tuple[str, str], ...] = CHALLENGE
) -> Outcome:
    return Outcome(
        VERIFY_CASE, status, headers, body, 0.01, None if status else "ReadTimeout: timed out"
    )


def test_a_documented_refusal_has_no_problem() -> None:
    assert problems(outcome(401)) == []


def test_every_departure_is_caught() -> None:
    assert "server error 500" in problems(outcome(500))[0]
    assert problems(outcome(200, b'{"sub":"alice"}')) == ["status 200, documented [401]"]
    assert "not JSON" in problems(outcome(401, b"Unauthorized"))[0]
    assert "'error'" in problems(outcome(401, b'{"detail":"no"}'))[0]
    assert "Bearer challenge" in problems(outcome(401, headers=()))[0]
    assert "no answer" in problems(outcome(None))[0]


def test_case_names_are_unique_and_expectations_set() -> None:
    token = jwt.encode({"sub": "alice"}, SECRET)
    cases = [*authorization_attacks(token), *body_attacks()]
    names = [case.name for case in cases]
    assert len(names) == len(set(names))
    assert all(case.expected and max(case.expected) < 500 for case in cases)
    assert all(case.request.path.startswith("/auth/") for case in cases)


def test_live_token_cases_carry_the_tokens_they_were_given() -> None:
    now = int(time.time())
    claims = {"sub": "alice", "jti": "j1", "iat": now, "exp": now + 900}
    access = jwt.encode({**claims, "typ": "access"}, SECRET)
    refresh = jwt.encode({**claims, "jti": "j2", "typ": "refresh"}, SECRET)
    confusion = kind_confusion(access, refresh)
    assert [c.name.split("/")[0] for c in confusion] == ["verify", "logout", "refresh"]
    assert refresh.encode() in confusion[0].request.headers[0][1]
    profile = TokenProfile.hs256(access, SECRET, 30)
    revoked = revoked_resigned(access, profile, now)
    renewed = next(c for c in revoked if c.name == "verify/revoked/renewed-with-service-key")
    token = renewed.request.headers[0][1].decode().removeprefix("Bearer ")
    decoded = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert decoded["jti"] == "j1"  # same jti, valid signature: only revocation refuses it
    assert all(c.expected == REFUSED_TOKEN for c in [*revoked, *refresh_replay(refresh)])
