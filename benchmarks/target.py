"""The service a benchmark aims at: one it starts (Redis + workers) or one already running;
the reference service by default, any profiled service with ``--sut-profile FILE``.

    with started_service(workdir, workers=2, hash_cost=16) as target: ...        # the reference
    with started_profile_service(workdir, profile, workers=2) as target: ...     # a profile's
"""

from __future__ import annotations

import argparse
import shlex
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from benchmarks.accounts import (
    DEFAULT_HASH_COST,
    Account,
    account_pool,
    hashed_users,
    valid_hash_cost,
)
from chaos.profile import ProfileError, ServiceProfile, load_profile
from chaos.services import AuthService, RedisServer
from chaos.services.command_service import service_of_profile
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
    profile: ServiceProfile | None = None  # None: the reference service, its own routes
    service_pid: int | None = None  # the service's root process, when the benchmark started it
    ports: tuple[int, ...] = field(default=())  # the ports it serves on, when started here

    def label(self) -> str:
        """How the run's output names the service's settings (a lighter hash cost loudly)."""
        flags = " ".join(self.service_flags) if self.service_flags else "none"
        if self.profile is not None and self.hash_cost is None:
            cost = f"hash cost: as {self.profile.name}'s own command sets it"
        else:
            cost = hash_cost_label(self.hash_cost)
        named = f"service profile {self.profile.name}; " if self.profile is not None else ""
        return f"{named}{cost}; extra service flags: {flags}"

    @property
    def crowd_urls(self) -> list[str]:
        """Where the crowd sends requests: every worker's port when each has its own."""
        if self.profile is not None and self.profile.port_per_worker and self.worker_urls:
            return list(self.worker_urls)
        return [self.base_url]


def add_target_arguments(
    parser: argparse.ArgumentParser,
    *,
    accounts: int = 200,
    profiles: bool = False,
    workers_flag: str = "--workers",
) -> None:
    """The options every benchmark shares to pick or start its service; ``profiles``: also
    ``--sut-profile FILE`` (any service its profile describes); ``workers_flag``: the name of
    the service's worker count (a benchmark whose ``--workers`` means something else)."""
    group = parser.add_argument_group("service")
    group.add_argument("--base-url", help="aim at this running service instead of starting one")
    group.add_argument("--username", help="with --base-url: an account that can log in")
    group.add_argument("--password", help="with --base-url: its password")
    group.add_argument(
        workers_flag, dest="workers", type=int, default=None,
        help="service workers to start (default 2, or the profile's)",
    )  # fmt: skip
    group.add_argument(
        "--accounts", type=int, default=None,
        help=f"accounts to create (default {accounts}; with --sut-profile: the profile's "
        "accounts unless given)",
    )  # fmt: skip
    group.add_argument(
        "--hash-cost",
        type=int,
        default=None,
        help=f"scrypt N of the accounts' hashes (default {DEFAULT_HASH_COST}, the service's "
        "default; a lighter cost is labelled in the output; not with --sut-profile)",
    )
    if profiles:
        group.add_argument(
            "--sut-profile", type=Path, metavar="FILE",
            help="a service profile (TOML, or a pyproject.toml with [tool.auth-chaos.service]): "
            "requests shaped by it; without --base-url the service is started from it",
        )  # fmt: skip
    parser.set_defaults(target_accounts_default=accounts, workers_flag=workers_flag)
    group.add_argument("--workdir", type=Path, help="where logs and the users file go")
    group.add_argument(
        "--service-args",
        default="",
        help="extra flags for the service it starts, one string (e.g. '--redis-timeout 0.5')",
    )


def check_target_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse bad combinations with one line naming the flag; fill in the defaults (and
    ``args.profile``: the loaded ``--sut-profile``, or None)."""
    args.profile = _profile(parser, getattr(args, "sut_profile", None))
    profile = args.profile
    if args.base_url and not (args.username and args.password) and profile is None:
        parser.error("--base-url needs --username and --password (or --sut-profile)")
    if not args.base_url and (args.username or args.password):
        parser.error("--username/--password only apply with --base-url")
    if args.workers is None:
        args.workers = profile.workers if profile is not None else 2
    if args.workers < 1:
        parser.error(f"{args.workers_flag} must be >= 1, got {args.workers}")
    if args.accounts is not None and args.accounts < 1:
        parser.error(f"--accounts must be >= 1, got {args.accounts}")
    if args.base_url and args.service_args:
        parser.error("--service-args only apply to a service the benchmark starts")
    try:
        args.service_args = tuple(shlex.split(args.service_args))
    except ValueError as exc:
        parser.error(f"--service-args: {exc}")
    if profile is not None:
        _check_profile_arguments(parser, args, profile)
        return
    if args.accounts is None:
        args.accounts = args.target_accounts_default
    if args.hash_cost is None:
        args.hash_cost = DEFAULT_HASH_COST
    if not valid_hash_cost(args.hash_cost):
        parser.error(f"--hash-cost must be a power of two in [16, 1048576], got {args.hash_cost}")


def _profile(parser: argparse.ArgumentParser, path: Path | None) -> ServiceProfile | None:
    if path is None:
        return None
    try:
        return load_profile(path)
    except ProfileError as exc:
        parser.error(f"--sut-profile: {exc}")


def _check_profile_arguments(
    parser: argparse.ArgumentParser, args: argparse.Namespace, profile: ServiceProfile
) -> None:
    if args.hash_cost is not None:
        parser.error(
            "--hash-cost: a profiled service hashes passwords as its command says "
            "(pass the service's own flag in --service-args if its command takes {args})"
        )
    if args.service_args and not profile.takes_args:
        parser.error(f"--service-args: the command of profile {profile.name} has no {{args}}")
    if args.accounts is not None and not takes_users_file(profile):
        parser.error(
            f"--accounts: profile {profile.name} does not read {{users_file}}, so the benchmark "
            "cannot give it other accounts"
        )


def takes_users_file(profile: ServiceProfile) -> bool:
    """The service reads its accounts from the file the benchmark writes (``{users_file}``)."""
    return "{users_file}" in profile.command or any(
        "{users_file}" in value for value in profile.env.values()
    )


@contextmanager
def target_from_arguments(
    args: argparse.Namespace, *, extra_args: tuple[str, ...] = ()
) -> Iterator[Target]:
    """The running service named by ``--base-url``, or a fresh Redis + service stopped after."""
    profile: ServiceProfile | None = args.profile
    if args.base_url:
        if args.username:
            accounts: tuple[Account, ...] = (Account(args.username, args.password),)
        else:
            accounts = tuple(Account(*pair) for pair in profile.accounts.users) if profile else ()
        yield Target(args.base_url, accounts, None, workers=args.workers, profile=profile)
        return
    if profile is not None:
        pool = account_pool(args.accounts) if args.accounts is not None else None
        with (
            _workdir(args.workdir) as workdir,
            started_profile_service(
                workdir, profile, workers=args.workers, accounts=pool,
                args=(*args.service_args, *extra_args),
            ) as target,
        ):  # fmt: skip
            yield target
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
            ports = tuple(int(url.rsplit(":", 1)[1]) for url in service.worker_urls)
            yield Target(
                service.base_url,
                tuple(pool),
                hash_cost,
                tuple(service.worker_urls),
                tuple(extra_args),
                redis.pid,
                workers,
                redis.url,
                service_pid=service.pid,
                ports=ports,
            )


@contextmanager
def started_profile_service(
    workdir: Path,
    profile: ServiceProfile,
    *,
    workers: int,
    accounts: list[Account] | None = None,
    args: tuple[str, ...] = (),
) -> Iterator[Target]:
    """Redis and the service ``profile`` describes, started by its own command with
    ``workers`` workers; ``accounts`` replace the profile's (written to ``{users_file}``).
    Stopped after."""
    if accounts is not None:
        pairs = tuple((account.username, account.password) for account in accounts)
        profile = replace(profile, accounts=replace(profile.accounts, users=pairs))
    with RedisServer(workdir) as redis:
        service = service_of_profile(profile, workdir, redis_url=redis.url, workers=workers,
                                     args=args)  # fmt: skip
        with service:
            yield Target(
                service.base_url,
                tuple(Account(*pair) for pair in profile.accounts.users),
                None,
                tuple(service.worker_urls),
                args,
                redis.pid,
                workers,
                redis.url,
                profile,
                service.pid,
                service.ports,
            )
