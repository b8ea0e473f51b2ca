"""Locust users with the source report's mix, for a like-for-like run beside benchmarks.load.

    python -m benchmarks.locust_run --users 1000 --ramp 50 --duration 60   # starts the stack
    locust -f benchmarks/locustfile.py --headless -u 1000 -r 50 -t 60s --host URL  # your own

Accounts ``bench0000``.. (AUTH_BENCH_ACCOUNTS of them, default 200) share AUTH_BENCH_PASSWORD.
Each user logs in, then every 0.5-1.5 s verifies (8 in 9) or logs out, checks the dead token
is refused and logs in again (1 in 9).
"""

from __future__ import annotations

import itertools
import os

from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

from benchmarks.accounts import PASSWORD

ACCOUNTS = int(os.environ.get("AUTH_BENCH_ACCOUNTS", "200"))
ACCOUNT_PASSWORD = os.environ.get("AUTH_BENCH_PASSWORD", PASSWORD)
_numbers = itertools.count()


class AuthUser(FastHttpUser):
    """One virtual user; every answer is checked against the contract, not just its status."""

    wait_time = between(0.5, 1.5)

    def on_start(self) -> None:
        self.username = f"bench{next(_numbers) % ACCOUNTS:04d}"
        self.token: str | None = None
        self.login()

    def login(self) -> None:
        body = {"username": self.username, "password": ACCOUNT_PASSWORD}
        with self.client.post(
            "/auth/login", json=body, name="login", catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"login: {answer.status_code}")
                self.token = None
                return
            self.token = answer.json()["access_token"]

    @task(8)
    def verify(self) -> None:
        if self.token is None:
            self.login()
            return
        with self.client.get(
            "/auth/verify", headers=self._bearer(self.token), name="verify", catch_response=True
        ) as answer:
            check = answer.headers.get("x-revocation-check")
            if answer.status_code != 200 or check != "enforced":
                answer.failure(f"verify: {answer.status_code} {check}")

    @task(1)
    def logout_then_check(self) -> None:
        if self.token is None:
            self.login()
            return
        dead, self.token = self.token, None
        with self.client.post(
            "/auth/logout", headers=self._bearer(dead), name="logout", catch_response=True
        ) as answer:
            if answer.status_code != 200:
                answer.failure(f"logout: {answer.status_code}")
                self.login()
                return
        with self.client.get(
            "/auth/verify", headers=self._bearer(dead), name="verify_revoked", catch_response=True
        ) as answer:
            if answer.status_code == 401:
                answer.success()
            else:
                answer.failure(f"verify_revoked: {answer.status_code} (expected 401)")
        self.login()

    @staticmethod
    def _bearer(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}
