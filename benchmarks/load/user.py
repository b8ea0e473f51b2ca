"""One virtual user with the source report's mix, in a closed loop.

Log in; then, after a think time of 0.5-1.5 s each: verify its token (8 in 9), or log out,
verify the dead token (expect 401) and log in again (1 in 9). A failed login is retried
after the next think time.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from dataclasses import dataclass

from benchmarks.accounts import Account
from benchmarks.load.http1 import Answer, Connection, TransportError
from benchmarks.load.tally import Tally

REVOKED_ACCEPTED = "verify_revoked: 200 (REVOKED TOKEN ACCEPTED)"


@dataclass(frozen=True)
class Mix:
    """Think time and how often a user logs out."""

    think_min_s: float = 0.5
    think_max_s: float = 1.5
    logout_share: float = 1 / 9


class VirtualUser:
    """Drives one connection; records every request into the process's ``Tally``."""

    def __init__(
        self, connection: Connection, account: Account, tally: Tally, rng: random.Random
    ) -> None:
        self._connection = connection
        self._login_body = json.dumps(
            {"username": account.username, "password": account.password}
        ).encode()
        self._tally = tally
        self._rng = rng

    async def run(self, mix: Mix, stop_at: float) -> None:
        """Act until ``stop_at`` (monotonic seconds); no new action starts after it."""
        try:
            token = await self._login()
            while True:
                think = self._rng.uniform(mix.think_min_s, mix.think_max_s)
                if time.monotonic() + think >= stop_at:
                    return
                await asyncio.sleep(think)
                if token is None:
                    token = await self._login()
                elif self._rng.random() < mix.logout_share:
                    if await self._logout(token):
                        await self._verify_revoked(token)
                    token = await self._login()
                else:
                    await self._verify(token)
        finally:
            self._connection.close()

    async def _call(
        self, route: str, method: str, path: str, token: str | None, body: bytes | None
    ) -> Answer | None:
        started = time.perf_counter()
        try:
            answer = await self._connection.request(method, path, token=token, json_body=body)
        except TransportError as exc:
            self._tally.record(route, (time.perf_counter() - started) * 1e6, f"{route}: {exc.kind}")
            return None
        elapsed_us = (time.perf_counter() - started) * 1e6
        self._tally.record(route, elapsed_us, judge_answer(route, answer))
        return answer

    async def _login(self) -> str | None:
        answer = await self._call("login", "POST", "/auth/login", None, self._login_body)
        if answer is None or answer.status != 200:
            return None
        token = json.loads(answer.body).get("access_token")
        return token if isinstance(token, str) else None

    async def _logout(self, token: str) -> bool:
        answer = await self._call("logout", "POST", "/auth/logout", token, None)
        return answer is not None and answer.status == 200

    async def _verify(self, token: str) -> None:
        await self._call("verify", "GET", "/auth/verify", token, None)

    async def _verify_revoked(self, token: str) -> None:
        await self._call("verify_revoked", "GET", "/auth/verify", token, None)


def judge_answer(route: str, answer: Answer) -> str | None:
    """None when ``answer`` is what the contract promises for ``route``, else the error kind."""
    if route == "verify_revoked":
        if answer.status == 401:
            return None
        if answer.status == 200:
            return REVOKED_ACCEPTED
        return f"verify_revoked: {answer.status}"
    if answer.status != 200:
        return f"{route}: {answer.status}"
    if route == "verify":
        check = answer.headers.get(b"x-revocation-check", b"(none)").decode()
        if check != "enforced":
            return f"verify: 200 {check}"
    return None
