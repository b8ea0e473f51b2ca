"""One design at one load: its own Redis and workers (started from its profile), every
worker answering before the crowd starts, the crowd, and the CPU readings around it.

    figures = run_design(design, LoadPoint(1000, 50, 60), RunSettings(), folder, print)
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.accounts import account_pool
from benchmarks.compare.cpu import CpuMeter, CpuSplit, children_cpu_s, own_cpu_s
from benchmarks.compare.designs import Design
from benchmarks.compare.figures import RunFigures, run_figures
from benchmarks.compare.spy import WorkerSpies
from benchmarks.load.report import RunFacts, render
from benchmarks.machine import load_average, utc_now
from benchmarks.target import Target, started_profile_service
from chaos.services.process_tree import ProcessTree
from chaos.workload.crowd_runner import SPAWN_S, CrowdShape, run_crowd

__all__ = ["LoadPoint", "RunSettings", "every_worker_answers", "run_design"]

WARM_TRIES = 200  # fresh connections at most, until every worker of the shared port answered
WARM_TIMEOUT_S = 60.0


@dataclass(frozen=True)
class LoadPoint:
    """Users, users started per second, and the run's length (ramp included)."""

    users: int
    ramp_per_s: float
    duration_s: float


@dataclass(frozen=True)
class RunSettings:
    """What every run of one comparison shares."""

    workers: int = 2
    accounts: int = 200
    processes: int = 2  # generator processes
    timeout_s: float = 30.0
    seed: int = 1
    spy_rate: int = 50  # py-spy samples per second per worker; 0: none
    progress_every: int = 5  # print every Nth progress line (one a second)


def every_worker_answers(url: str, path: str, tree: ProcessTree) -> tuple[set[int], set[int]]:
    """GET ``path`` over fresh connections until every worker of the tree has answered one
    (the kernel hands each connection to one worker); (wanted, seen) pids, bounded in tries
    and time."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    wanted, seen = set(tree.workers()), set[int]()
    deadline = time.monotonic() + WARM_TIMEOUT_S
    for _ in range(WARM_TRIES):
        if wanted <= seen or time.monotonic() > deadline:
            break
        connection = http.client.HTTPConnection(host, port, timeout=5.0)
        try:
            connection.request("GET", path)
            connection.getresponse().read()
            if connection.sock is not None:
                owner = tree.owner_of(connection.sock.getsockname()[1])
                if owner is not None:
                    seen.add(owner)
        except OSError:
            time.sleep(0.1)  # refused while a worker starts: the next try is a fresh one
        finally:
            connection.close()
    return wanted, seen


def _thinned(show: Callable[[str], None], prefix: str, every: int) -> Callable[[str], None]:
    count = 0

    def line(text: str) -> None:
        nonlocal count
        count += 1
        if count % every == 0:
            show(f"{prefix} {text}")

    return line


def run_design(
    design: Design, point: LoadPoint, settings: RunSettings, folder: Path,
    show: Callable[[str], None] = print,
) -> RunFigures:  # fmt: skip
    """Start ``design`` fresh (``settings.workers`` workers), run the crowd at ``point``, stop
    it; the figures, with the crowd's full table in ``folder/run.md`` and the services' logs
    under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    pool = account_pool(settings.accounts)
    with started_profile_service(
        folder / "services", design.profile, workers=settings.workers, accounts=pool,
        args=design.args,
    ) as target:  # fmt: skip
        return _measure(design, point, settings, folder, target, show=show)


def _measure(
    design: Design, point: LoadPoint, settings: RunSettings, folder: Path, target: Target,
    *, show: Callable[[str], None],
) -> RunFigures:  # fmt: skip
    assert target.service_pid is not None
    tree = ProcessTree(target.service_pid, target.ports)
    notes: list[str] = []
    wanted, seen = every_worker_answers(target.base_url, design.profile.ready, tree)
    if not wanted or not wanted <= seen:
        notes.append(
            f"before the run, {len(seen)} of {len(wanted)} worker(s) answered over fresh "
            "connections; the run went ahead"
        )
    meter = CpuMeter(tree, target.redis_url)
    shape = CrowdShape(
        point.users, point.ramp_per_s, point.duration_s, processes=settings.processes,
        timeout_s=settings.timeout_s, seed=settings.seed, profile=design.profile,
        ceiling_path=design.ceiling_path,
    )  # fmt: skip
    spies = WorkerSpies(meter.workers, seconds=point.duration_s + SPAWN_S,
                        rate=settings.spy_rate, folder=folder)  # fmt: skip
    accounts = [(a.username, a.password) for a in target.accounts]
    prefix = f"[{design.key} {point.users:,}]"
    load_before, started = load_average(), utc_now()
    before, own_before = meter.read(), own_cpu_s()
    spies.start()
    try:
        result = run_crowd(target.crowd_urls, accounts, shape,
                           _thinned(show, prefix, settings.progress_every))  # fmt: skip
    except BaseException:
        spies.kill()  # an interrupted run leaves no recorder behind
        raise
    after, own_after = meter.read(), own_cpu_s()
    load_after = load_average()
    reaped = children_cpu_s()  # the generators are reaped already, the recorders next
    sampled = spies.finish()
    spy_s = children_cpu_s() - reaped
    gone = [pid for pid in meter.workers if pid not in tree.workers()]
    if gone:
        notes.append(f"worker(s) {gone} were gone after the run (replaced?)")
    cpu = CpuSplit.between(
        before, after, generator_s=result.tally.cpu_seconds + own_after - own_before,
        worker_shares=sampled.shares(), spy_samples=sampled.samples, spy_note=sampled.note,
        spy_s=spy_s,
    )  # fmt: skip
    facts = RunFacts(
        point.users, point.ramp_per_s, point.duration_s, settings.processes,
        point.duration_s + SPAWN_S, f"{design.title}; passwords: {design.hashing}", started,
        load_before, load_after, cpu.box_busy_s / max(cpu.wall_s * cpu.cores, 1e-9),
    )  # fmt: skip
    (folder / "run.md").write_text(render(result.tally, facts) + "\n", encoding="utf-8")
    return run_figures(
        design.key, result.tally, users=point.users, ramp_per_s=point.ramp_per_s,
        duration_s=point.duration_s, checks_revocation=design.checks_revocation,
        started=started, load_before=load_before, load_after=load_after, cpu=cpu,
        workers=settings.workers, notes=notes,
    )  # fmt: skip


def with_workers(settings: RunSettings, workers: int) -> RunSettings:
    """The same settings with another worker count (the scaling runs)."""
    return replace(settings, workers=workers)
