"""Recorded calls of the gate itself (besides the workload): seeding revocations before a
fault, probing tokens known revoked during it, and checking every worker after the heal.
Every call is an invoke then ok / fail / info in the same history as the workload's, shaped
by the service's profile.

probe = Prober(history, http, api, process=900)
token = await probe.login(url, ("alice", "alice-pw"))
await probe.logout(url, token); await probe.verify(other_url, token)
"""

from __future__ import annotations

import httpx

from chaos.history import History, Op
from chaos.profile import AuthApi
from chaos.workload import ConnectionOwners
from chaos.workload.answer import recorded_call

__all__ = ["Prober"]


class Prober:
    """One logical client (a history process) making one recorded call at a time."""

    def __init__(
        self, history: History, http: httpx.AsyncClient, api: AuthApi, process: int,
        owners: ConnectionOwners | None = None,
    ) -> None:  # fmt: skip
        self.history = history
        self.http = http
        self.api = api
        self.process = process
        self.owners = owners

    async def login(self, url: str, user: tuple[str, str]) -> str | None:
        """The access token, or None when the login did not succeed."""
        answer = await recorded_call(
            self.http, self.history, self.process, "login", self.api.login(user), api=self.api,
            url=url, owners=self.owners,
        )  # fmt: skip
        return answer.access if answer.op.type == "ok" else None

    async def logout(self, url: str, token: str) -> Op:
        answer = await recorded_call(
            self.http, self.history, self.process, "logout", self.api.logout(token), api=self.api,
            url=url, token=token, owners=self.owners,
        )  # fmt: skip
        return answer.op

    async def verify(self, url: str, token: str) -> Op:
        answer = await recorded_call(
            self.http, self.history, self.process, "verify", self.api.verify(token), api=self.api,
            url=url, token=token, owners=self.owners,
        )  # fmt: skip
        return answer.op
