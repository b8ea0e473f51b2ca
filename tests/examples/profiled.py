"""An example service started from its ``profile.toml`` with the gate's own loader, and that
profile's routes as HTTP calls (``chaos.profile.AuthApi``), each on a new connection.

    profile = example_profile("careful")
    service = service_of_profile(profile, workdir, redis_url=redis.url, workers=2).start()
    calls = ProfileCalls(profile, service.base_url)
    tokens = calls.login(); calls.verify(tokens.access).status_code   # 200
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from chaos.profile import AuthApi, HttpCall, ServiceProfile, load_profile

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TIMEOUT = 5.0  # seconds per call: far above any answer of a healthy service on loopback


def example_profile(name: str) -> ServiceProfile:
    return load_profile(EXAMPLES / name / "profile.toml")


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str


def _json(answer: httpx.Response) -> dict[str, Any]:
    data = answer.json()
    return data if isinstance(data, dict) else {}


class ProfileCalls:
    """login, verify, logout and refresh as the profile says, each on a new connection (one
    client for all calls, keeping no connection alive)."""

    def __init__(self, profile: ServiceProfile, base_url: str) -> None:
        self.profile = profile
        self.api = AuthApi(profile)
        self.base_url = base_url
        self.client = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))

    def send(self, call: HttpCall, timeout: float = TIMEOUT) -> httpx.Response:
        return self.client.request(
            call.method, self.base_url + call.path, timeout=timeout, **call.httpx_args()
        )

    def get(self, path: str) -> httpx.Response:
        return self.client.get(self.base_url + path, timeout=TIMEOUT)

    def close(self) -> None:
        self.client.close()

    def _tokens(self, route: str, answer: httpx.Response) -> Tokens:
        access, refresh = self.api.tokens(
            "login" if route == "login" else "refresh", _json(answer), dict(answer.cookies)
        )
        assert access, f"{route}: no access token where the profile says: {answer.text}"
        assert refresh, f"{route}: no refresh token where the profile says: {answer.text}"
        return Tokens(access, refresh)

    def login(self, account: tuple[str, str] | None = None) -> Tokens:
        user = account or self.profile.accounts.users[0]
        answer = self.send(self.api.login(user))
        assert answer.status_code == 200, f"login as {user[0]}: {answer.status_code} {answer.text}"
        return self._tokens("login", answer)

    def verify(self, access: str, timeout: float = TIMEOUT) -> httpx.Response:
        return self.send(self.api.verify(access), timeout)

    def logout(self, access: str) -> httpx.Response:
        return self.send(self.api.logout(access))

    def refresh_answer(self, refresh: str) -> httpx.Response:
        call = self.api.refresh(refresh)
        assert call is not None, f"{self.profile.name} has no refresh route"
        return self.send(call)

    def refresh(self, refresh: str) -> Tokens:
        answer = self.refresh_answer(refresh)
        assert answer.status_code == 200, f"refresh: {answer.status_code} {answer.text}"
        return self._tokens("refresh", answer)

    def documented(self, route: str, answer: httpx.Response) -> bool:
        profile = self.profile
        statuses = {
            "login": profile.login.statuses, "verify": profile.verify.statuses,
            "logout": profile.logout.statuses,
            "refresh": profile.refresh.statuses if profile.refresh else frozenset(),
        }  # fmt: skip
        return answer.status_code in statuses[route]
