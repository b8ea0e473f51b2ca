"""python -m chaos.preflight: start a service with a healthy Redis and check that it does
what its profile says, before any scenario (or write a draft profile from its OpenAPI).

    python -m chaos.preflight --sut-profile examples/naive/profile.toml
    python -m chaos.preflight --suggest --command "uvicorn app:app --port {port}" --out p.toml

Exit status: 0 when every step matched (or the draft was written), 1 on the first mismatch
(one line naming the route, what it answered and what the profile expects), 2 on bad input
(one line naming the flag or the profile key).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

import httpx

from chaos.preflight.checks import preflight
from chaos.preflight.openapi import DRAFT_ACCOUNTS, draft_profile, openapi_document
from chaos.profile import AuthApi, ProfileError, ServiceProfile, load_profile
from chaos.services import CommandService, RedisServer, ServiceError, service_of_profile


class OneLineParser(argparse.ArgumentParser):
    """A bad flag: one line naming it, exit status 2 (no usage block)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"preflight: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="python -m chaos.preflight",
        description="Start a service with a healthy Redis and check it does what its profile "
        "says (login, verify, logout, verify refused, refresh); or, with --suggest, write a "
        "draft profile from its OpenAPI document.",
    )
    parser.add_argument("--sut-profile", type=Path, help="the service's profile (TOML)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument(
        "--suggest", action="store_true",
        help="write a draft profile from the service's OpenAPI document",
    )  # fmt: skip
    parser.add_argument("--command", help="with --suggest: the start command ({port}, "
                        "{redis_url}, {workers}, ...)")  # fmt: skip
    parser.add_argument("--out", type=Path, help="with --suggest: where to write the draft "
                        "(default: print it)")  # fmt: skip
    return parser


class InputError(Exception):
    """Bad command-line input; the message is the one line printed."""


def _check(args: argparse.Namespace, profile: ServiceProfile, work: Path, redis_url: str) -> int:
    with service_of_profile(profile, work, redis_url=redis_url, workers=args.workers) as service:
        service.start()
        result = asyncio.run(preflight(AuthApi(profile), service.worker_urls[0]))
    for step in result.steps:
        print(f"preflight: {step}")
    if not result.ok:
        print(f"preflight: {profile.name}: {result.line}", file=sys.stderr)
        return 1
    print(f"preflight: {profile.name} does what its profile says")
    return 0


async def _document(url: str) -> dict[str, object] | None:
    async with httpx.AsyncClient(timeout=10.0) as http:
        return await openapi_document(http, url)


def _suggest(args: argparse.Namespace, work: Path, redis_url: str) -> int:
    with CommandService(work, args.command, redis_url, health_path="/openapi.json",
                        workers=args.workers, users=DRAFT_ACCOUNTS) as service:  # fmt: skip
        service.start()
        document = asyncio.run(_document(service.base_url))
    if document is None:
        print("preflight: --suggest: the service serves no OpenAPI document at "
              "/openapi.json", file=sys.stderr)  # fmt: skip
        return 1
    text = draft_profile(document, args.command)
    if args.out is None:
        print(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"preflight: draft profile written to {args.out}; check every line marked CHECK")
    return 0


def _profile(path: Path) -> ServiceProfile:
    try:
        return load_profile(path)
    except ProfileError as exc:
        raise InputError(str(exc)) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.suggest == (args.sut_profile is not None):
            raise InputError("give --sut-profile FILE, or --suggest with --command")
        if args.workers < 1:
            raise InputError(f"--workers: expected an integer >= 1, got {args.workers}")
        # the input is checked before anything starts
        if args.suggest and not args.command:
            raise InputError("--suggest needs --command (the service's start command)")
        profile = None if args.suggest else _profile(args.sut_profile)
        with tempfile.TemporaryDirectory(prefix="preflight-") as tmp:
            work = Path(tmp)
            with RedisServer(work) as redis:
                redis.start()
                if profile is None:
                    return _suggest(args, work, redis.url)
                return _check(args, profile, work, redis.url)
    except InputError as exc:
        print(f"preflight: {exc}", file=sys.stderr)
        return 2
    except (ServiceError, ValueError) as exc:
        print(f"preflight: the service did not start: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
