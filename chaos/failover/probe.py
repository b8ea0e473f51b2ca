"""Verifies on every worker, paced, recorded in the drill's history: the fine-grained
evidence of when each worker answers ``enforced`` again (the workload's own verifies are
mostly of revoked tokens, whose 401 says nothing about Redis).

await verify_probes(worker_urls, ("probe", "probe-pw"), history, duration_s=8.0)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from chaos.history import History
from chaos.workload import Routes
from chaos.workload.answer import recorded_call

__all__ = ["PROBE_PROCESS_BASE", "verify_probes"]

PROBE_PROCESS_BASE = 10_000  # history process ids of the probes, clear of the workload's
PROBE_INTERVAL_S = 0.02  # pacing between two verifies of one probe
LOGIN_ATTEMPTS = 50  # a probe logs in once; Redis may be down at that moment


@dataclass(frozen=True)
class _Probe:
    """One worker's probe: one call at a time, as one history process."""

    http: httpx.AsyncClient
    history: History
    process: int
    base: str
    routes: Routes
    deadline: float

    async def call(
        self, method: str, path: str, f: str, token: str | None = None, json: Any = None
    ) -> dict[str, Any]:
        """One recorded call; the JSON body of a 200, else {}."""
        op, body = await recorded_call(
            self.http, self.history, self.process, f, method, url=self.base, path=path,
            token=token, json=json, subject=False,
        )  # fmt: skip
        return body if op.status == 200 else {}

    async def run(self, user: tuple[str, str]) -> None:
        token: str | None = None
        for _ in range(LOGIN_ATTEMPTS):
            if time.monotonic() >= self.deadline:
                return
            credentials = {"username": user[0], "password": user[1]}
            body = await self.call("POST", self.routes.login, "login", json=credentials)
            if isinstance(body.get("access_token"), str):
                token = body["access_token"]
                break
            await asyncio.sleep(PROBE_INTERVAL_S * 5)  # pacing of the login retries
        while token is not None and time.monotonic() < self.deadline:
            await self.call("GET", self.routes.verify, "verify", token=token)
            await asyncio.sleep(PROBE_INTERVAL_S)  # pacing, not readiness


async def verify_probes(
    worker_urls: Sequence[str],
    user: tuple[str, str],
    history: History,
    *,
    duration_s: float,
    request_timeout_s: float = 5.0,
    routes: Routes | None = None,
) -> None:
    """One probe per worker URL: log in once, then verify that live token until the end."""
    deadline = time.monotonic() + duration_s
    async with httpx.AsyncClient(timeout=httpx.Timeout(request_timeout_s)) as http:
        probes = [
            _Probe(http, history, PROBE_PROCESS_BASE + i, url, routes or Routes(), deadline)
            for i, url in enumerate(worker_urls)
        ]
        await asyncio.gather(*(probe.run(user) for probe in probes))
