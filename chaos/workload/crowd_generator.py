"""One crowd generator process: starts its share of virtual users on the ramp, reports each
second.

The parent sends nothing after the plan; this process sends ``("progress", snapshot)`` every
``report_every_s`` and ``("final", (snapshot, calls))`` once, over a multiprocessing pipe.
``calls`` are the journal's ``CrowdCall``s (empty unless ``plan.journal_every``).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from typing import Protocol
from urllib.parse import urlsplit

import uvloop  # the service's own loop (uvicorn[standard]); much cheaper per request

from chaos.profile import AuthApi, ServiceProfile, reference_profile
from chaos.workload.ceiling import CeilingApi, judge_ceiling
from chaos.workload.crowd import CrowdCall, CrowdMix, Judge, VirtualUser
from chaos.workload.http1 import Connection
from chaos.workload.tally import Tally

__all__ = ["CrowdJournal", "CrowdPlan", "FullUntil", "generator_main"]

YOUNG_THRESHOLD = 50_000  # objects made and still alive before a young collection (Python: 700)

LAG_PROBE_S = 0.05  # how often the event loop's own delay is sampled


class FullUntil(Protocol):
    """A shared double (``multiprocessing.RawValue('d')``): monotonic seconds until which
    every call goes into the journal (the parent raises it while a fault is in effect)."""

    value: float


@dataclass(frozen=True)
class CrowdPlan:
    """Everything a generator process needs; picklable."""

    index: int  # this process's number, 0..processes-1
    processes: int
    users: int  # all users of the run; this process runs users index, index+processes, ...
    ramp_per_s: float
    start_at: float  # monotonic seconds (CLOCK_MONOTONIC is shared by processes)
    stop_at: float
    drain_s: float
    base_urls: tuple[str, ...]  # one connection per URL and user; user n starts on n % len
    accounts: tuple[tuple[str, str], ...]  # (username, password), shared by the users
    mix: CrowdMix
    timeout_s: float
    seed: int
    parent_pid: int
    report_every_s: float = 1.0
    # 0: no journal. N: journal every call but a verify answered "200 enforced", of which
    # 1 in N (and all of them while ``FullUntil`` is ahead): the history stays bounded
    journal_every: int = 0
    profile: ServiceProfile = field(default_factory=reference_profile)  # how users call it
    ceiling_path: str | None = None  # every request to this route instead (chaos.workload.ceiling)


class CrowdJournal:
    """Keeps the calls the history needs: every unusual answer, every login and logout
    cycle, and a sample of the plain verifies (all of them while a fault is in effect)."""

    def __init__(self, every: int, full_until: FullUntil | None) -> None:
        self.every = every
        self.full_until = full_until
        self.calls: list[CrowdCall] = []
        self._plain = 0

    def __call__(self, call: CrowdCall) -> None:
        if call.route != "verify" or call.error is not None:
            self.calls.append(call)
            return
        self._plain += 1
        full = self.full_until is not None and time.monotonic() < self.full_until.value
        if full or self._plain % self.every == 0:
            self.calls.append(call)


def _cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


async def _lag_probe(tally: Tally) -> None:
    """Sample how late the event loop wakes up: the generator's own contribution to latency."""
    while True:
        planned = time.monotonic() + LAG_PROBE_S
        await asyncio.sleep(LAG_PROBE_S)
        tally.loop_lag.record((time.monotonic() - planned) * 1e6)


async def _reporter(tally: Tally, pipe: Pipe, every_s: float, parent: int) -> None:
    while True:
        await asyncio.sleep(every_s)
        tally.cpu_seconds = _cpu_seconds()
        try:
            pipe.send(("progress", tally.snapshot()))
        except (BrokenPipeError, ConnectionResetError):
            os._exit(3)  # the parent is gone: no one reads, and no one would stop us
        if os.getppid() != parent:
            os._exit(3)


def _connections(urls: Sequence[str], timeout_s: float) -> list[Connection]:
    out = []
    for url in urls:
        parts = urlsplit(url)
        out.append(Connection(parts.hostname or "127.0.0.1", parts.port or 80, timeout_s))
    return out


def _api(plan: CrowdPlan) -> tuple[AuthApi, Judge | None]:
    """How users call the service: as its profile says, or the ceiling's one route."""
    if plan.ceiling_path is not None:
        return CeilingApi(plan.profile, plan.ceiling_path), judge_ceiling
    return AuthApi(plan.profile), None


async def _start_user(
    plan: CrowdPlan, number: int, tally: Tally, journal: CrowdJournal | None
) -> None:
    await asyncio.sleep(max(0.0, plan.start_at + number / plan.ramp_per_s - time.monotonic()))
    if time.monotonic() >= plan.stop_at:
        return
    tally.users_started += 1
    rng = random.Random(plan.seed * 1_000_003 + number)
    credentials = plan.accounts[number % len(plan.accounts)]
    connections = _connections(plan.base_urls, plan.timeout_s)
    api, judge = _api(plan)
    user = VirtualUser(
        connections, credentials, tally, rng, api, number=number, journal=journal, judge=judge,
    )  # fmt: skip
    await user.run(plan.mix, plan.stop_at)


def quiet_collector() -> None:
    """Keep Python's cyclic garbage collector from pausing this process mid-measurement: what
    exists now (the users) is moved out of its reach, and a young collection waits for 50,000
    new objects instead of 700. With the defaults, a generator process of 5,000 users paused
    for 5 full collections of up to 216 ms each, 53 middle ones of up to 59 ms and about 600
    young ones in a 150 s run, and every answer that arrived during a pause was timed late by
    it (docs/performance.md "Fourth round")."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, *gc.get_threshold()[1:])


async def _run(plan: CrowdPlan, pipe: Pipe, journal: CrowdJournal | None) -> Tally:
    tally = Tally()
    background = [
        asyncio.create_task(_lag_probe(tally)),
        asyncio.create_task(_reporter(tally, pipe, plan.report_every_s, plan.parent_pid)),
    ]
    users = [
        asyncio.create_task(_start_user(plan, number, tally, journal))
        for number in range(plan.index, plan.users, plan.processes)
    ]
    quiet_collector()
    deadline = plan.stop_at + plan.drain_s - time.monotonic()
    _, pending = await asyncio.wait(users, timeout=max(deadline, 0.1)) if users else ((), set())
    for task in pending:
        task.cancel()
    abandoned = len(pending)
    if pending:
        await asyncio.wait(pending)
    for task in background:
        task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.gather(*background)
    if abandoned:
        tally.errors["in flight at the end (abandoned after the drain)"] += abandoned
    tally.cpu_seconds = _cpu_seconds()
    return tally


def generator_main(plan: CrowdPlan, pipe: Pipe, full_until: FullUntil | None = None) -> None:
    """Entry point of the generator process."""
    journal = CrowdJournal(plan.journal_every, full_until) if plan.journal_every > 0 else None
    try:
        tally = uvloop.run(_run(plan, pipe, journal))
        pipe.send(("final", (tally.snapshot(), journal.calls if journal else [])))
    except BaseException as exc:
        pipe.send(("crashed", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        pipe.close()
