"""``AuthApi``: a service profile turned into requests, and answers read with it. Every
workload (the gate's clients and probes, the crowd, the preflight, the load benchmarks) asks
it how to log in, verify, log out and refresh, where the tokens are, which worker answered
and whether the revocation list was checked.

    api = AuthApi(profile)
    call = api.login(("alice", "alice-pw"))        # HttpCall: method, path, headers, body
    access, refresh = api.tokens("login", answer_json, cookies)
    api.worker(headers), api.check(headers)        # None when the service does not say
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlencode

from chaos.profile.model import ServiceProfile

__all__ = ["AuthApi", "Check", "HttpCall"]

Check = Literal["enforced", "degraded"]
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class HttpCall:
    """One request: method, path, headers, and a JSON or form body (at most one)."""

    method: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)
    json: Mapping[str, Any] | None = None
    form: Mapping[str, str] | None = None

    def encoded(self) -> tuple[bytes | None, str | None]:
        """(body bytes, content type), for a client that writes bytes itself."""
        if self.json is not None:
            return json.dumps(dict(self.json)).encode(), JSON_TYPE
        if self.form is not None:
            return urlencode(dict(self.form)).encode(), FORM_TYPE
        return None, None

    def httpx_args(self) -> dict[str, Any]:
        """Keyword arguments of ``httpx.AsyncClient.request`` beyond method and URL."""
        args: dict[str, Any] = {"headers": dict(self.headers)}
        if self.json is not None:
            args["json"] = dict(self.json)
        elif self.form is not None:
            args["data"] = dict(self.form)
        return args


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _at(body: Mapping[str, Any], path: str) -> str | None:
    """The string at a dotted ``path`` of a JSON object (None when absent)."""
    if not path:
        return None
    value: Any = body
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value if isinstance(value, str) and value else None


class AuthApi:
    """Requests and answer readers for one service profile."""

    def __init__(self, profile: ServiceProfile) -> None:
        self.profile = profile

    @property
    def has_refresh(self) -> bool:
        return self.profile.refresh is not None

    def login(self, user: tuple[str, str]) -> HttpCall:
        route = self.profile.login
        fields = {route.username: user[0], route.password: user[1]}
        if route.body == "form":
            return HttpCall(route.method, route.path, form=fields)
        return HttpCall(route.method, route.path, json=fields)

    def verify(self, token: str) -> HttpCall:
        route = self.profile.verify
        return HttpCall(route.method, route.path, _bearer(token))

    def logout(self, token: str) -> HttpCall:
        route = self.profile.logout
        return HttpCall(route.method, route.path, _bearer(token))

    def refresh(self, token: str) -> HttpCall | None:
        route = self.profile.refresh
        if route is None:
            return None
        if route.send == "header":
            return HttpCall(route.method, route.path, _bearer(token))
        if route.send == "cookie":
            return HttpCall(route.method, route.path, {"Cookie": f"{route.field}={token}"})
        return HttpCall(route.method, route.path, json={route.field: token})

    def tokens(
        self, route: Literal["login", "refresh"], body: Mapping[str, Any],
        cookies: Mapping[str, str],
    ) -> tuple[str | None, str | None]:  # fmt: skip
        """(access, refresh) from a login or refresh answer: the JSON paths of the profile,
        or the refresh cookie when the service sends its refresh token in one."""
        where = self.profile.login if route == "login" else self.profile.refresh
        if where is None:
            return None, None
        access = _at(body, where.access_token)
        refresh_route = self.profile.refresh
        if refresh_route is not None and refresh_route.send == "cookie":
            return access, cookies.get(refresh_route.field) or None
        return access, _at(body, where.refresh_token)

    def worker(self, headers: Mapping[str, str]) -> str | None:
        """The worker the answer names, when the profile says which header does."""
        name = self.profile.worker_header
        return headers.get(name.lower()) or headers.get(name) if name else None

    def check(self, headers: Mapping[str, str]) -> Check | None:
        """``degraded`` or ``enforced`` as the answer's degraded signal says; None when the
        service gives no signal (or this answer carries none)."""
        signal = self.profile.degraded
        if signal is None:
            return None
        return self.check_of(headers.get(signal.header.lower()) or headers.get(signal.header))

    def check_of(self, value: str | None) -> Check | None:
        """What one value of the degraded signal's header says (None: nothing)."""
        signal = self.profile.degraded
        if signal is None or value is None:
            return None
        if value == signal.value:
            return "degraded"
        if not signal.enforced or value == signal.enforced:
            return "enforced"
        return None
