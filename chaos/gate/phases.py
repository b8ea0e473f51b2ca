"""The unrecorded and recorded steps around a scenario's faults: wait until every worker
enforces, seed revocations, probe during the faults, check recovery, let pools settle.
Every wait is a condition polled until a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Sequence
from typing import Any

import httpx

from chaos.gate.budgets import GateBudgets
from chaos.gate.probes import Prober
from chaos.profile import AuthApi
from chaos.workload import MetricsSnapshot

__all__ = [
    "GateSetupError",
    "probe_during",
    "recover",
    "scrape",
    "seed_revocations",
    "settle",
    "wait_enforced",
]

POLL_S = 0.05  # between two polls of a condition (never a wait for readiness by itself)


class GateSetupError(RuntimeError):
    """The stack was not in a state to start a scenario; the message says what was seen."""


async def _send(http: httpx.AsyncClient, url: str, call: Any) -> httpx.Response:
    return await http.request(call.method, url + call.path, **call.httpx_args())


async def wait_enforced(
    http: httpx.AsyncClient, urls: Sequence[str], api: AuthApi, user: tuple[str, str],
    deadline_s: float,
) -> None:  # fmt: skip
    """Every worker answers a fresh token's verify 200 (``enforced`` when it says)."""
    deadline = time.monotonic() + deadline_s
    seen = "nothing yet"
    token: str | None = None
    pending = list(urls)
    while time.monotonic() < deadline:
        try:
            if token is None:
                answer = await _send(http, urls[0], api.login(user))
                if answer.status_code == 200:
                    token, _ = api.tokens("login", answer.json(), dict(answer.cookies))
                seen = f"login on {urls[0]}: {answer.status_code} {answer.text[:120]}"
            if token is not None:
                url = pending[0]
                answer = await _send(http, url, api.verify(token))
                check = api.check(answer.headers) or "enforced"
                seen = f"verify on {url}: {answer.status_code} check {check}"
                if answer.status_code == 200 and check == "enforced":
                    pending.pop(0)
                    if not pending:
                        return
                    continue
        except (httpx.HTTPError, ValueError) as exc:
            seen = f"{type(exc).__name__}: {exc}"
        await asyncio.sleep(POLL_S)
    raise GateSetupError(f"workers not enforcing after {deadline_s}s; last seen: {seen}")


async def scrape(http: httpx.AsyncClient, urls: Sequence[str], path: str | None) -> str | None:
    """``/metrics`` text from the first worker that answers 200 (None: nobody did, or the
    service has no metrics route)."""
    if path is None:
        return None
    for url in urls:
        try:
            answer = await http.get(url + path, timeout=2.0)
        except httpx.HTTPError:
            continue
        if answer.status_code == 200:
            return answer.text
    return None


async def settle(
    http: httpx.AsyncClient, urls: Sequence[str], path: str | None, deadline_s: float
) -> str | None:
    """The last ``/metrics`` text once pools are back to 0 and breakers closed, or at the
    deadline (then the I10 checker says what stayed)."""
    deadline = time.monotonic() + deadline_s
    text = await scrape(http, urls, path)
    while text is not None and time.monotonic() < deadline:
        snapshot = MetricsSnapshot.from_text(text)
        in_use = snapshot.per_worker("auth_redis_pool_in_use").values()
        state = snapshot.per_worker("auth_breaker_state").values()
        if not any(in_use) and not any(state):
            return text
        await asyncio.sleep(POLL_S * 2)
        text = await scrape(http, urls, path) or text
    return text


async def seed_revocations(
    prober: Prober, urls: Sequence[str], users: Sequence[tuple[str, str]]
) -> list[str]:
    """One session per worker logged in, logged out on the next worker, then verified on
    every worker (recorded): tokens known revoked before any fault."""
    revoked: list[str] = []
    for i, url in enumerate(urls):
        token = await prober.login(url, users[i % len(users)])
        if token is None:
            continue
        done = await prober.logout(urls[(i + 1) % len(urls)], token)
        if done.type == "ok":
            revoked.append(token)
    for token in revoked:
        for url in urls:
            await prober.verify(url, token)
    return revoked


async def probe_during(
    prober: Prober, urls: Sequence[str], live: str | None, revoked: Sequence[str],
    stop: asyncio.Event, *, rng: random.Random, pause_s: float = 0.1,
) -> None:  # fmt: skip
    """Verify known tokens on each worker in turn until ``stop``, the live one and a revoked
    one by turns: every worker sees calls during the faults whatever the workload's draws,
    the live token shows when each answers ``enforced`` again, a revoked one must stay 401."""
    tokens = [t for t in (live, *revoked) if t]
    if not tokens:
        return
    turn = 0
    while not stop.is_set():
        use_live = live is not None and (not revoked or (turn // len(urls)) % 2 == 0)
        token = live if use_live and live is not None else rng.choice(list(revoked))
        await prober.verify(urls[turn % len(urls)], token)
        turn += 1
        with contextlib.suppress(TimeoutError):  # the pause between probes, cut by stop
            await asyncio.wait_for(stop.wait(), pause_s)


async def recover(prober: Prober, urls: Sequence[str], token: str, deadline_s: float) -> None:
    """Recorded verifies of a live token on each worker until it answers ``enforced`` (or
    the deadline: the I6 checker then reports the worker that never recovered)."""
    deadline = time.monotonic() + deadline_s
    for url in urls:
        while time.monotonic() < deadline:
            op = await prober.verify(url, token)
            if op.status == 200 and (op.revocation_check or "enforced") == "enforced":
                break
            await asyncio.sleep(POLL_S)


async def wind_up(
    seeder: Prober, http: httpx.AsyncClient, urls: Sequence[str], api: AuthApi, *,
    users: Sequence[tuple[str, str]], setup_s: float,
) -> tuple[str | None, list[str], str | None]:  # fmt: skip
    """Before the load: every worker ``enforced``, the ``/metrics`` text before, revoked
    sessions seeded on every worker, and a live token: (metrics, revoked, live)."""
    await wait_enforced(http, urls, api, users[0], setup_s)
    before = await scrape(http, urls, api.profile.metrics_path)
    revoked = await seed_revocations(seeder, urls, users)
    live = await seeder.login(urls[0], users[-1])
    return before, revoked, live


async def wind_down(
    checker: Prober, http: httpx.AsyncClient, urls: Sequence[str], api: AuthApi, *,
    live: str | None, revoked: Sequence[str], budgets: GateBudgets,
) -> str | None:  # fmt: skip
    """After the load: every worker steadily ``enforced`` again (I6), every revoked token
    verified on every worker (I1), pools and breakers back to rest (I10); the last
    ``/metrics`` text."""
    if live:
        await recover(checker, urls, live, budgets.enforced_s)
    for token in revoked:
        for url in urls:
            await checker.verify(url, token)
    return await settle(http, urls, api.profile.metrics_path, budgets.settle_s)
