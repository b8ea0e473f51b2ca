"""Locust with the source report's mix: one process, or a master and N worker processes
(Locust's distributed mode), against a service it starts (Redis + workers) or one given.

    python -m benchmarks.locust_run --users 1000 --ramp 50 --duration 60           # one process
    python -m benchmarks.locust_run --workers 2                                    # master + 2
    python -m benchmarks.locust_run --workers 2 --expect-workers 6 --master-bind-host 0.0.0.0 \\
        --master-port 5557 --base-url http://10.0.0.5:8000 --sut-profile my.toml   # + 4 remote
    python -m benchmarks.locust_run --master-host 10.0.0.2 --master-port 5557 --workers 4 \\
        --sut-profile my.toml                                   # on another machine: 4 workers

Needs the ``bench`` extra (``pip install -e '.[bench]'``). Requests are shaped by the
service profile (``--sut-profile``, default the reference's), as in ``benchmarks.load``.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from benchmarks.machine import busy_share, cpu_ticks, load_average, utc_now
from benchmarks.target import (
    Target,
    add_target_arguments,
    check_target_arguments,
    target_from_arguments,
)
from chaos.ports import claim_port
from chaos.profile import ServiceProfile

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
EXPECT_WAIT_S = 60  # the master gives up when the workers it expects are not there by then
READY = re.compile(r"reported as ready\. (?P<count>\d+) workers connected")


def locust_argv(host: str, users: int, ramp: float, duration: int, csv_prefix: Path) -> list[str]:
    """The exact Locust command line of a headless run (printed too)."""
    return [
        "locust", "-f", str(LOCUSTFILE), "--headless", "--only-summary", "-u", str(users),
        "-r", f"{ramp:g}", "-t", f"{duration}s", "--stop-timeout", "10", "--host", host,
        "--csv", str(csv_prefix),
    ]  # fmt: skip


def master_argv(run: list[str], *, bind_host: str, port: int, expect: int) -> list[str]:
    """A headless run as Locust's master, waiting for ``expect`` workers."""
    return [
        *run, "--master", "--master-bind-host", bind_host, "--master-bind-port", str(port),
        "--expect-workers", str(expect), "--expect-workers-max-wait", str(EXPECT_WAIT_S),
    ]  # fmt: skip


def worker_argv(master_host: str, port: int) -> list[str]:
    """One Locust worker process connecting to the master."""
    return ["locust", "-f", str(LOCUSTFILE), "--worker", "--master-host", master_host,
            "--master-port", str(port)]  # fmt: skip


def stats_table(stats_csv: Path) -> str:
    """Locust's per-name stats as the project's Markdown table."""
    lines = [
        "| name | requests | failures | req/s | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|---|",
    ]
    with stats_csv.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lines.append(
                f"| {row['Name']} | {int(row['Request Count']):,} | "
                f"{int(row['Failure Count']):,} | {float(row['Requests/s']):,.0f} | "
                f"{row['50%']} ms | {row['95%']} ms | {row['99%']} ms | "
                f"{float(row['Max Response Time']):,.0f} ms |"
            )
    return "\n".join(lines)


def failures_table(failures_csv: Path) -> str:
    """Locust's failures by kind, most first."""
    if not failures_csv.exists():
        return "failures: -"
    with failures_csv.open(encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: -int(r["Occurrences"]))
    if not rows:
        return "failures: none"
    return "failures:\n" + "\n".join(
        f"- {row['Name']}: {row['Error']}: {int(row['Occurrences']):,}" for row in rows
    )


def locust_env(profile: ServiceProfile | None, args: argparse.Namespace) -> dict[str, str]:
    """What the locustfile reads: the profile and the accounts, as the target has them."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path.cwd()), *_pythonpath()])}
    if args.sut_profile is not None:
        env["AUTH_BENCH_PROFILE"] = str(Path(args.sut_profile).resolve())
    if args.username:
        env["AUTH_BENCH_USERS"] = f"{args.username}:{args.password}"
    elif profile is not None and args.accounts is None:
        env["AUTH_BENCH_USERS"] = ",".join(f"{n}:{p}" for n, p in profile.accounts.users)
    else:
        env["AUTH_BENCH_ACCOUNTS"] = str(args.accounts or args.target_accounts_default)
    return env


def _pythonpath() -> list[str]:
    current = os.environ.get("PYTHONPATH", "")
    return [current] if current else []


def _locust() -> str | None:
    found = shutil.which("locust")
    beside = Path(sys.executable).with_name("locust")
    return found or (str(beside) if beside.exists() else None)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.locust_run")
    parser.add_argument("--users", type=int, default=1000, help="Locust -u (default 1000)")
    parser.add_argument("--ramp", type=float, default=50, help="Locust -r (default 50)")
    parser.add_argument("--duration", type=int, default=60, help="Locust -t seconds (60)")
    dist = parser.add_argument_group("distributed (Locust's master and workers)")
    dist.add_argument(
        "--workers",
        dest="locust_workers",
        type=int,
        default=0,
        help="Locust worker processes on this machine (default 0: one process, "
        "no master); with --master-host: workers joining that master",
    )
    dist.add_argument(
        "--expect-workers",
        type=int,
        help="workers the master waits for (default --workers; more: the rest "
        "join from other machines)",
    )
    dist.add_argument(
        "--master-bind-host",
        default="127.0.0.1",
        help="where the master listens (default 127.0.0.1; 0.0.0.0 lets other "
        "machines' workers in)",
    )
    dist.add_argument(
        "--master-port",
        type=int,
        help="the master's port (default: a free one; give it for remote workers)",
    )
    dist.add_argument(
        "--master-host", help="run only workers here, joining the master on this host"
    )
    add_target_arguments(parser, profiles=True, workers_flag="--service-workers")
    return parser  # fmt: skip


def check(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    check_target_arguments(parser, args)
    if args.users < 1 or args.ramp <= 0 or not 1 <= args.duration <= 3600:
        parser.error("--users >= 1, --ramp > 0 and --duration in [1, 3600] are required")
    if not 0 <= args.locust_workers <= 64:
        parser.error(f"--workers must be between 0 and 64, got {args.locust_workers}")
    if args.expect_workers is not None and args.locust_workers == 0:
        parser.error("--expect-workers needs --workers >= 1 (a master runs only with workers)")
    if args.expect_workers is not None and args.expect_workers < args.locust_workers:
        parser.error(f"--expect-workers must be >= --workers ({args.locust_workers})")
    if args.master_port is not None and not 1 <= args.master_port <= 65535:
        parser.error(f"--master-port must be a port number, got {args.master_port}")
    if args.master_host and args.locust_workers < 1:
        parser.error("--master-host needs --workers >= 1 (the worker processes to run here)")
    if args.master_host and args.base_url:
        parser.error("--base-url is the master's to give: workers get the host from it")
    if args.base_url and args.profile is None and not args.username:
        parser.error("--base-url needs --username/--password or --sut-profile")
    if _locust() is None:
        parser.error("locust is not installed: pip install -e '.[bench]'")


@contextmanager
def _processes(argvs: list[list[str]], env: dict[str, str], log: Path) -> Iterator[
    list[subprocess.Popen[bytes]]
]:  # fmt: skip
    """Start each argv in its own session (output to ``log``); SIGKILL whatever is left."""
    started: list[subprocess.Popen[bytes]] = []
    with log.open("ab") as out:
        try:
            for argv in argvs:
                started.append(subprocess.Popen(argv, env=env, stdout=out,
                                                stderr=subprocess.STDOUT,
                                                start_new_session=True))  # fmt: skip
            yield started
        finally:
            for process in started:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            for process in started:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()


def run_workers_only(args: argparse.Namespace) -> int:
    """``--master-host``: N worker processes here, until the master ends the run."""
    locust = _locust()
    assert locust is not None
    port = args.master_port or 5557
    argv = worker_argv(args.master_host, port)
    argv[0] = locust
    env = locust_env(args.profile, args)
    print(f"$ {' '.join(argv)}  (x{args.locust_workers})", flush=True)
    with tempfile.TemporaryDirectory(prefix="auth-chaos-locust-") as tmp:
        log = Path(tmp) / "workers.log"
        with _processes([argv] * args.locust_workers, env, log) as workers:
            codes = [w.wait() for w in workers]
        print(log.read_text(errors="replace")[-4000:])
    return max(codes, default=0)


def run_master(args: argparse.Namespace, target: Target, prefix: Path) -> tuple[int, str]:
    """A one-process run, or the master plus ``--workers`` local workers; (exit, log)."""
    locust = _locust()
    assert locust is not None
    run = locust_argv(target.base_url, args.users, args.ramp, args.duration, prefix)
    run[0] = locust
    env = locust_env(target.profile, args)
    log = prefix.with_suffix(".log")
    timeout = args.duration + EXPECT_WAIT_S + 120
    if args.locust_workers == 0:
        print("$ " + " ".join(run), flush=True)
        with _processes([run], env, log) as (single,):
            return _wait(single, timeout), log.read_text(errors="replace")
    expect = args.expect_workers or args.locust_workers
    with _master_port(args.master_port) as port:
        master = master_argv(run, bind_host=args.master_bind_host, port=port, expect=expect)
        worker = worker_argv("127.0.0.1", port)
        worker[0] = locust
        print("$ " + " ".join(master), flush=True)
        print(f"$ {' '.join(worker)}  (x{args.locust_workers})", flush=True)
        if expect > args.locust_workers:
            print(
                f"waiting up to {EXPECT_WAIT_S} s for {expect - args.locust_workers} more "
                "worker(s): on each other machine run python -m benchmarks.locust_run "
                f"--master-host <this machine> --master-port {port} --workers K (same "
                "--sut-profile and accounts flags)", flush=True,
            )  # fmt: skip
        with _processes([master, *[worker] * args.locust_workers], env, log) as started:
            return _wait(started[0], timeout), log.read_text(errors="replace")


@contextmanager
def _master_port(chosen: int | None) -> Iterator[int]:
    if chosen is not None:
        yield chosen
        return
    claim = claim_port()
    try:
        port = claim.port
        claim.release()  # Locust binds it itself; claimed only to pick a free one
        yield port
    finally:
        claim.release()


def _wait(process: subprocess.Popen[bytes], timeout: float) -> int:
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(f"locust did not finish within {timeout:.0f} s: stopped", file=sys.stderr)
        return 124


def workers_ready(log: str) -> int:
    """How many workers were connected at most, as the master's log says."""
    return max((int(m.group("count")) for m in READY.finditer(log)), default=0)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    check(parser, args)
    if args.master_host:
        return run_workers_only(args)
    started, load_before, ticks = utc_now(), load_average(), cpu_ticks()
    with tempfile.TemporaryDirectory(prefix="auth-chaos-locust-") as tmp:
        prefix = Path(tmp) / "run"
        with target_from_arguments(args) as target:
            code, log = run_master(args, target, prefix)
        busy = busy_share(ticks, cpu_ticks())
        mode = (
            "one process" if args.locust_workers == 0
            else f"master + {args.locust_workers} local worker process(es), "
            f"{workers_ready(log)} connected to the master"
        )  # fmt: skip
        print()
        print(f"locust {args.users:,} users, ramp {args.ramp:g}/s, {args.duration} s, {mode}; "
              f"{target.label()}")  # fmt: skip
        print(f"started {started}; {load_before} before, {load_average()} after; "
              f"all cores {busy:.0%} busy")  # fmt: skip
        print()
        stats = Path(f"{prefix}_stats.csv")
        if not stats.exists():
            print(log[-3000:])
            print("no statistics: locust did not complete a run (its log above)")
            return code or 1
        print(stats_table(stats))
        print()
        print(failures_table(Path(f"{prefix}_failures.csv")))
    # locust exits 1 when any request failed: the tables above say which
    return code


if __name__ == "__main__":
    sys.exit(main())
