"""The few synchronous calls the benchmarks make outside the measured load (httpx)."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from benchmarks.accounts import Account


class AuthCallError(RuntimeError):
    """A setup call (login, logout) did not answer as the contract says."""


@dataclass(frozen=True)
class VerifyAnswer:
    """What ``GET /auth/verify`` answered."""

    status: int
    revocation_check: str | None


def login(client: httpx.Client, account: Account) -> str:
    """Log in and return the access token."""
    answer = client.post(
        "/auth/login", json={"username": account.username, "password": account.password}
    )
    if answer.status_code != 200:
        raise AuthCallError(f"login as {account.username}: {answer.status_code} {answer.text}")
    token = answer.json().get("access_token")
    if not isinstance(token, str):
        raise AuthCallError(f"login as {account.username}: no access_token in {answer.text}")
    return token


def logout(client: httpx.Client, token: str) -> None:
    """Log out ``token`` (revoke it); only a 200 counts."""
    answer = client.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
    if answer.status_code != 200:
        raise AuthCallError(f"logout: {answer.status_code} {answer.text}")


def verify(client: httpx.Client, token: str) -> VerifyAnswer:
    """Ask ``/auth/verify`` about ``token``."""
    answer = client.get("/auth/verify", headers={"Authorization": f"Bearer {token}"})
    return VerifyAnswer(answer.status_code, answer.headers.get("x-revocation-check"))


def revoked_token(client: httpx.Client, account: Account) -> str:
    """A token that was valid, then logged out: every verify of it must answer 401."""
    token = login(client, account)
    logout(client, token)
    return token
