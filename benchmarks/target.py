"""The service a benchmark aims at: one it starts (Redis + workers) or one already running."""

from __future__ import annotations

import argparse
import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.accounts import (
    DEFAULT_HASH_COST,
    Account,
    account_pool,
    hashed_users,
    valid_hash_cost,
)
from chaos.services import AuthService, RedisServer
from chaos.workload.crowd_table import hash_cost_label


@dataclass(frozen=True)
class Target:
    """Where to send requests, and the accounts that can log in there."""

    base_url: str
    accounts: tuple[Account, ...]
    hash_cost: int | None  # None: unknown (a service the benchmark did not start)
    worker_urls: tuple[str, ...] = field(default=())
    service_flags: tuple[str, ...] = field(default=())
    redis_pid: int | None = None  # known when the benchmark started Redis itself
    workers: int = 2
    redis_url: str | None = None  # known when the benchmark started Redis itself

    def label(self) -> str:
        """How the run's output names the service's settings (a lighter hash cost loudly)."""
        flags = " ".join(self.service_flags) if self.service_flags else "none"
        return f"{hash_cost_label(self.hash_cost)}; extra service flags: {flags}"


def add_target_arguments(parser: argparse.ArgumentParser, *, accounts: int = 200) -> None:
    """The options every benchmark shares to pick or start its service."""
    group = parser.add_argument_group("service")
    group.add_argument("--base-url", help="aim at this running service instead of starting one")
    group.add_argument("--username", help="with --base-url: an account that can log in")
    group.add_argument("--password", help="with --base-url: its password")
    group.add_argument("--workers", type=int, default=2, help="workers to start (default 2)")
    group.add_argument(
        "--accounts", type=int, default=accounts, help=f"accounts to create (default {accounts})"
    )
    group.add_argument(
        "--hash-cost",
        type=int,
        default=DEFAULT_HASH_COST,
        help=f"scrypt N of the accounts' hashes (default {DEFAULT_HASH_COST}, the service's "
        "default; a lighter cost is labelled in the output)",
    )
    group.add_argument("--workdir", type=Path, help="where logs and the users file go")
    group.add_argument(
        "--service-args",
        default="",
        help="extra flags for the service it starts, one string (e.g. '--redis-timeout 0.5')",
    )


def check_target_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse bad combinations with one line naming the flag."""
    if args.base_url and not (args.username and args.password):
        parser.error("--base-url needs --username and --password")
    if not args.base_url and (args.username or args.password):
        parser.error("--username/--password only apply with --base-url")
    if args.workers < 1:
        parser.error(f"--workers must be >= 1, got {args.workers}")
    if args.accounts < 1:
        parser.error(f"--accounts must be >= 1, got {args.accounts}")
    if args.base_url and args.service_args:
        parser.error("--service-args only apply to a service the benchmark starts")
    try:
        args.service_args = tuple(shlex.split(args.service_args))
    except ValueError as exc:
        parser.error(f"--service-args: {exc}")
    if not valid_hash_cost(args.hash_cost):
        parser.error(f"--hash-cost must be a power of two in [16, 1048576], got {args.hash_cost}")


@contextmanager
def target_from_arguments(
    args: argparse.Namespace, *, extra_args: tuple[str, ...] = ()
) -> Iterator[Target]:
    """The running service named by ``--base-url``, or a fresh Redis + service stopped after."""
    if args.base_url:
        account = Account(args.username, args.password)
        yield Target(args.base_url, (account,), None, workers=args.workers)
        return
    with (
        _workdir(args.workdir) as workdir,
        started_service(
            workdir,
            workers=args.workers,
            accounts=args.accounts,
            hash_cost=args.hash_cost,
            extra_args=(*args.service_args, *extra_args),
        ) as target,
    ):
        yield target


@contextmanager
def _workdir(chosen: Path | None) -> Iterator[Path]:
    if chosen is not None:
        chosen.mkdir(parents=True, exist_ok=True)
        yield chosen
        return
    with tempfile.TemporaryDirectory(prefix="auth-chaos-bench-") as tmp:
        yield Path(tmp)


@contextmanager
def started_service(
    workdir: Path,
    *,
    workers: int = 2,
    accounts: int = 200,
    hash_cost: int = DEFAULT_HASH_COST,
    extra_args: tuple[str, ...] = (),
) -> Iterator[Target]:
    """Redis and the reference service with ``workers`` workers on one port; stopped after."""
    pool = account_pool(accounts)
    with RedisServer(workdir) as redis:
        service = AuthService(
            workdir,
            redis.url,
            workers=workers,
            port_per_worker=False,
            users=hashed_users(pool, hash_cost),
            extra_args=("--hash-cost", str(hash_cost), *extra_args),
        )
        with service:
            yield Target(
                service.base_url,
                tuple(pool),
                hash_cost,
                tuple(service.worker_urls),
                tuple(extra_args),
                redis.pid,
                workers,
                redis.url,
            )
