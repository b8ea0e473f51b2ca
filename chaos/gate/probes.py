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
from chaos.workload.answer import answer_fields, json_body, subject_fields
from chaos.workload.outcome import outcome_of_error, outcome_of_status
from chaos.workload.tokens import token_fields

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
        fields: dict[str, Any] = token_fields(token) if token else {}
        invoke = self.history.invoke(self.process, f, target=url, **fields)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            response = await self.http.request(method, url + path, headers=headers, json=json)
        except httpx.HTTPError as exc:
            kind, error = outcome_of_error(exc)
            return self.history.complete(invoke, kind, error=error), {}
        body = json_body(response)
        done = answer_fields(response, body)
        done.update(subject_fields(f, fields, response.status_code, body))
        return self.history.complete(invoke, outcome_of_status(response.status_code), **done), body

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
