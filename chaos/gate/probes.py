"""Recorded calls of the gate itself (besides the workload): seeding revocations before a
fault, probing tokens known revoked during it, and checking every worker after the heal.
Every call is an invoke then ok / fail / info in the same history as the workload's.

probe = Prober(history, http, routes, process=900)
token = await probe.login(url, ("alice", "alice-pw"))
await probe.logout(url, token); await probe.verify(other_url, token)
"""

from __future__ import annotations

from typing import Any

import httpx

from chaos.history import History, Op
from chaos.workload import Routes
from chaos.workload.answer import recorded_call

__all__ = ["Prober"]


class Prober:
    """One logical client (a history process) making one recorded call at a time."""

    def __init__(self, history: History, http: httpx.AsyncClient, routes: Routes, process: int):
        self.history = history
        self.http = http
        self.routes = routes
        self.process = process

    async def call(
        self,
        f: str,
        method: str,
        url: str,
        path: str,
        *,
        token: str | None = None,
        json: dict[str, Any] | None = None,
    ) -> tuple[Op, dict[str, Any]]:
        return await recorded_call(
            self.http,
            self.history,
            self.process,
            f,
            method,
            url=url,
            path=path,
            token=token,
            json=json,
        )

    async def login(self, url: str, user: tuple[str, str]) -> str | None:
        """The access token, or None when the login did not succeed."""
        body = {"username": user[0], "password": user[1]}
        op, answer = await self.call("login", "POST", url, self.routes.login, json=body)
        token = answer.get("access_token")
        return token if op.type == "ok" and isinstance(token, str) else None

    async def logout(self, url: str, token: str) -> Op:
        op, _ = await self.call("logout", "POST", url, self.routes.logout, token=token)
        return op

    async def verify(self, url: str, token: str) -> Op:
        op, _ = await self.call("verify", "GET", url, self.routes.verify, token=token)
        return op
