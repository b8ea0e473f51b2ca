"""Locust users with the source report's mix, for a like-for-like run beside benchmarks.load;
requests shaped by a service profile, as every workload of this project.

    python -m benchmarks.locust_run --users 1000 --ramp 50 --duration 60   # starts the stack
    python -m benchmarks.locust_run --workers 2                            # master + 2 workers
    locust -f benchmarks/locustfile.py --headless -u 1000 -r 50 -t 60s --host URL  # your own

Environment (the same on every machine of a distributed run):

- ``AUTH_BENCH_PROFILE``: a service profile (TOML, or a pyproject.toml with
  ``[tool.auth-chaos.service]``); default: the reference service's
- ``AUTH_BENCH_USERS``: ``name:password,name:password`` accounts; otherwise
  ``bench0000``.. (``AUTH_BENCH_ACCOUNTS`` of them, default 200) sharing
  ``AUTH_BENCH_PASSWORD``

Each user logs in, then every 0.5-1.5 s verifies (8 in 9) or logs out, checks the dead token
is refused and logs in again (1 in 9). A verify the profile's degraded signal marks is a
failure, as in benchmarks.load.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

from benchmarks.accounts import PASSWORD
from chaos.profile import AuthApi, HttpCall, load_profile, reference_profile

ACCOUNTS = int(os.environ.get("AUTH_BENCH_ACCOUNTS", "200"))
ACCOUNT_PASSWORD = os.environ.get("AUTH_BENCH_PASSWORD", PASSWORD)
_PROFILE = os.environ.get("AUTH_BENCH_PROFILE")
API = AuthApi(load_profile(Path(_PROFILE)) if _PROFILE else reference_profile())
REFUSED = (401, 403)
_numbers = itertools.count()


def account_list() -> list[tuple[str, str]]:
    """The accounts the users share, from the environment."""
    listed = os.environ.get("AUTH_BENCH_USERS", "")
    if listed:
        pairs = [item.partition(":") for item in listed.split(",") if item]
        return [(name, password) for name, _, password in pairs]
    return [(f"bench{n:04d}", ACCOUNT_PASSWORD) for n in range(ACCOUNTS)]


USERS = account_list()


def _lower(headers: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in headers.items()}


class AuthUser(FastHttpUser):
    """One virtual user; every answer is checked against the contract, not just its status."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.credentials = USERS[next(_numbers) % len(USERS)]
        self.token: str | None = None
        self.login()

    def _send(self, call: HttpCall, name: str) -> Any:
        body, content_type = call.encoded()
        headers = dict(call.headers)
        if content_type is not None:
            headers["Content-Type"] = content_type
        return self.client.request(
            call.method,
            call.path,
            name=name,
            data=body.decode() if body is not None else None,
            headers=headers,
            catch_response=True,
        )

    def login(self) -> None:
        with self._send(API.login(self.credentials), "login") as answer:
            if answer.status_code != 200:
                answer.failure(f"login: {answer.status_code}")
                self.token = None
                return
            try:
                data = answer.json()
            except ValueError:
                data = {}
            self.token, _ = API.tokens("login", data if isinstance(data, dict) else {}, {})
            if self.token is None:
                answer.failure("login: 200 without an access token where the profile says")

    @task(8)
    def verify(self) -> None:
        if self.token is None:
            self.login()
            return
        with self._send(API.verify(self.token), "verify") as answer:
            check = API.check(_lower(answer.headers))
            if answer.status_code != 200 or check == "degraded":
                answer.failure(f"verify: {answer.status_code} {check or ''}".strip())

    @task(1)
    def logout_then_check(self) -> None:
        if self.token is None:
            self.login()
            return
        dead, self.token = self.token, None
        with self._send(API.logout(dead), "logout") as answer:
            if not 200 <= answer.status_code < 300:
                answer.failure(f"logout: {answer.status_code}")
                self.login()
                return
        with self._send(API.verify(dead), "verify_revoked") as answer:
            if answer.status_code in REFUSED:
                answer.success()
            else:
                answer.failure(f"verify_revoked: {answer.status_code} (expected 401)")
        self.login()
