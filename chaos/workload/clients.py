"""Concurrent async clients against a list of worker URLs, every call recorded in a History.

    config = WorkloadConfig(worker_urls=[...], users=[("alice", "pw")], api=AuthApi(profile),
                            clients=8, max_ops=2000, duration_s=20, seed=7)
    history = await Workload(config, History()).run()

The I1 pattern is built in: after a logout answered 200 on worker A, the client verifies
the same token at once on every other worker (and A again); clients also verify their live
tokens (fail-open/closed shows) and revisit tokens they revoked earlier.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from chaos.history import History
from chaos.profile import AuthApi, HttpCall
from chaos.workload.answer import AuthAnswer, ConnectionOwners, recorded_call
from chaos.workload.mix import Mix

REVISIT_KEEP = 8  # revoked tokens a client remembers for later checks
LOGIN_BACKOFF_S = 0.02  # first pause after a failed login; doubles up to 1 s


@dataclass(frozen=True)
class WorkloadConfig:
    """Who calls what, how often and for how long. Bounded in ops AND in time. ``api``:
    how the service is called (its profile); ``owners``: names the worker holding a
    connection, for a service without a worker header."""

    worker_urls: Sequence[str]
    users: Sequence[tuple[str, str]]
    api: AuthApi
    clients: int = 8
    max_ops: int = 1000
    duration_s: float = 10.0
    request_timeout_s: float = 5.0  # the request deadline: beyond it the call is info
    connect_timeout_s: float = 2.0
    mix: Mix = field(default_factory=Mix)
    seed: int = 0
    owners: ConnectionOwners | None = None
    acknowledged: list[str] | None = None  # every token whose logout was acknowledged

    def __post_init__(self) -> None:
        if not self.worker_urls:
            raise ValueError("workload: worker_urls is empty")
        if not self.users:
            raise ValueError("workload: users is empty")
        if self.clients < 1 or self.max_ops < 1 or self.duration_s <= 0:
            raise ValueError("workload: clients, max_ops and duration_s must be positive")
        self.mix.choices()


class _Budget:
    """Shared op count and deadline: a call starts only while both allow it."""

    def __init__(self, max_ops: int, duration_s: float) -> None:
        self.left = max_ops
        self.deadline = time.monotonic() + duration_s

    def time_left(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def take(self) -> bool:
        if self.left <= 0 or time.monotonic() >= self.deadline:
            return False
        self.left -= 1
        return True


class Workload:
    """Runs ``config.clients`` client tasks until the op count or the deadline is spent."""

    def __init__(
        self, config: WorkloadConfig, history: History, http: httpx.AsyncClient | None = None
    ) -> None:
        self.config = config
        self.history = history
        # a client made once by the caller: making one blocks the event loop (SSL context,
        # 70-250 ms on a busy box), which would count as latency of the calls in flight
        self.http = http

    async def run(self) -> History:
        config = self.config
        budget = _Budget(config.max_ops, config.duration_s)
        if self.http is not None:
            await self._run_clients(self.http, budget)
            return self.history
        timeout = httpx.Timeout(config.request_timeout_s, connect=config.connect_timeout_s)
        limits = httpx.Limits(
            max_connections=config.clients * 2, max_keepalive_connections=config.clients
        )
        async with httpx.AsyncClient(timeout=timeout, limits=limits) as http:
            await self._run_clients(http, budget)
        return self.history

    async def _run_clients(self, http: httpx.AsyncClient, budget: _Budget) -> None:
        clients = [
            _Client(i, self.config, self.history, http, budget) for i in range(self.config.clients)
        ]
        await asyncio.gather(*(c.run() for c in clients))


class _Client:
    """One logical client (a Jepsen process): one call at a time."""

    def __init__(
        self,
        process: int,
        config: WorkloadConfig,
        history: History,
        http: httpx.AsyncClient,
        budget: _Budget,
    ) -> None:
        self.process = process
        self.config = config
        self.api = config.api
        self.history = history
        self.http = http
        self.budget = budget
        self.rng = random.Random(config.seed * 100_003 + process)
        self.user = config.users[process % len(config.users)]
        self.access: str | None = None
        self.refresh_token: str | None = None
        self.revoked: list[str] = []
        self.login_backoff_s = 0.0

    def _worker(self) -> str:
        return self.rng.choice(list(self.config.worker_urls))

    async def run(self) -> None:
        names, weights = self.config.mix.choices()
        while True:
            if self.access is None:
                if not await self.login(self._worker()):
                    return
                continue
            action = self.rng.choices(names, weights)[0]
            if action == "revisit" and not self.revoked:
                action = "verify"
            step = {
                "verify": self.verify_live,
                "logout": self.logout_then_verify_everywhere,
                "refresh": self.refresh,
                "login": self.relogin,
                "revisit": self.revisit,
            }[action]
            if not await step():
                return

    async def login(self, url: str) -> bool:
        answer = await self.call("login", self.api.login(self.user), url)
        if answer is None:
            return False
        if answer.op.type == "ok" and answer.access is not None:
            self.access, self.refresh_token = answer.access, answer.refresh
            self.login_backoff_s = 0.0
        else:  # 429, refused, Redis trouble: back off instead of spinning through the budget
            self.login_backoff_s = min(max(self.login_backoff_s * 2, LOGIN_BACKOFF_S), 1.0)
            await asyncio.sleep(min(self.login_backoff_s, self.budget.time_left()))
        return True

    async def relogin(self) -> bool:
        return await self.login(self._worker())

    async def verify_live(self) -> bool:
        assert self.access is not None
        return await self.verify(self.access, self._worker()) is not None

    async def revisit(self) -> bool:
        return await self.verify(self.rng.choice(self.revoked), self._worker()) is not None

    async def logout_then_verify_everywhere(self) -> bool:
        assert self.access is not None
        token = self.access
        first = self._worker()
        answer = await self.call("logout", self.api.logout(token), first, token=token)
        if answer is None:
            return False
        if answer.op.status == 503:
            return True  # not revoked: the token stays live and the client may retry later
        self.access = self.refresh_token = None
        if answer.op.type != "ok":
            return True
        self.revoked = [*self.revoked[-(REVISIT_KEEP - 1) :], token]
        if self.config.acknowledged is not None:
            self.config.acknowledged.append(token)
        others = [u for u in self.config.worker_urls if u != first]
        self.rng.shuffle(others)
        for url in [*others, first]:
            if await self.verify(token, url) is None:
                return False
        return True

    async def refresh(self) -> bool:
        call = self.api.refresh(self.refresh_token) if self.refresh_token else None
        if call is None:
            return await self.verify_live()
        answer = await self.call("refresh", call, self._worker(), about=self.refresh_token)
        if answer is None:
            return False
        if answer.op.type == "ok" and answer.access is not None:
            self.access, self.refresh_token = answer.access, answer.refresh
        elif answer.op.status == 401 or answer.op.type == "info":
            self.access = self.refresh_token = None
        return True

    async def verify(self, token: str, url: str) -> AuthAnswer | None:
        return await self.call("verify", self.api.verify(token), url, token=token)

    async def call(
        self, f: str, request: HttpCall, url: str, *, token: str | None = None,
        about: str | None = None,
    ) -> AuthAnswer | None:  # fmt: skip
        """One recorded call; None when the budget (ops or time) is spent."""
        if not self.budget.take():
            return None
        return await recorded_call(
            self.http, self.history, self.process, f, request, api=self.api, url=url, token=token,
            about=about, owners=self.config.owners,
        )  # fmt: skip
