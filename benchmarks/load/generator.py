"""One generator process: starts its share of virtual users on the ramp, reports each second.

The parent sends nothing after the plan; this process sends ``("progress", snapshot)`` every
``report_every_s`` and ``("final", snapshot)`` once, over a multiprocessing pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection as Pipe
from urllib.parse import urlsplit

import uvloop  # the service's own loop (uvicorn[standard]); much cheaper per request

from benchmarks.accounts import Account
from benchmarks.load.http1 import Connection
from benchmarks.load.tally import Tally
from benchmarks.load.user import Mix, VirtualUser

LAG_PROBE_S = 0.05  # how often the event loop's own delay is sampled


@dataclass(frozen=True)
class GeneratorPlan:
    """Everything a generator process needs; picklable."""

    index: int  # this process's number, 0..processes-1
    processes: int
    users: int  # all users of the run; this process runs users index, index+processes, ...
    ramp_per_s: float
    start_at: float  # monotonic seconds (CLOCK_MONOTONIC is shared by processes)
    stop_at: float
    drain_s: float
    base_url: str
    accounts: tuple[Account, ...]
    mix: Mix
    timeout_s: float
    seed: int
    parent_pid: int
    report_every_s: float = 1.0


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


async def _start_user(plan: GeneratorPlan, number: int, tally: Tally, host: str, port: int) -> None:
    await asyncio.sleep(max(0.0, plan.start_at + number / plan.ramp_per_s - time.monotonic()))
    if time.monotonic() >= plan.stop_at:
        return
    tally.users_started += 1
    rng = random.Random(plan.seed * 1_000_003 + number)
    account = plan.accounts[number % len(plan.accounts)]
    user = VirtualUser(Connection(host, port, plan.timeout_s), account, tally, rng)
    await user.run(plan.mix, plan.stop_at)


async def _run(plan: GeneratorPlan, pipe: Pipe) -> Tally:
    parts = urlsplit(plan.base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    tally = Tally()
    background = [
        asyncio.create_task(_lag_probe(tally)),
        asyncio.create_task(_reporter(tally, pipe, plan.report_every_s, plan.parent_pid)),
    ]
    users = [
        asyncio.create_task(_start_user(plan, number, tally, host, port))
        for number in range(plan.index, plan.users, plan.processes)
    ]
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


def generator_main(plan: GeneratorPlan, pipe: Pipe) -> None:
    """Entry point of the generator process."""
    try:
        tally = uvloop.run(_run(plan, pipe))
        pipe.send(("final", tally.snapshot()))
    except BaseException as exc:
        pipe.send(("crashed", f"{type(exc).__name__}: {exc}"))
        raise
    finally:
        pipe.close()
