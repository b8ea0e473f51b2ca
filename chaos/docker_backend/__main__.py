"""python -m chaos.docker_backend reap [--orphans [--scope S] | --run ID | --stack ID | --all]

Removes labelled containers and networks that runs left behind (default: --orphans).
"""

from __future__ import annotations

import argparse
import sys

from ._engine import connect_engine
from ._errors import DockerBackendError
from ._reaper import Reaped, reap, reap_orphan_containers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chaos.docker_backend")
    commands = parser.add_subparsers(dest="command", required=True)
    reaper = commands.add_parser("reap", help="remove what runs left behind")
    which = reaper.add_mutually_exclusive_group()
    which.add_argument("--orphans", action="store_true", help="owner process gone (default)")
    which.add_argument("--run", metavar="ID", help="everything of one suite run")
    which.add_argument("--stack", metavar="ID", help="one DockerRun / ComposeStack")
    which.add_argument("--all", action="store_true", help="everything labelled auth-chaos.run")
    reaper.add_argument(
        "--scope", metavar="S", help="with --orphans: only runs of AUTH_CHAOS_SCOPE=S"
    )
    args = parser.parse_args(argv)
    if args.scope is not None and (args.run or args.stack or args.all):
        parser.error("--scope: only with --orphans")
    if args.scope is not None and not args.scope.strip(":"):
        parser.error(f"--scope: expected a non-empty scope, got {args.scope!r}")
    try:
        client = connect_engine()
    except DockerBackendError as exc:
        print(f"chaos.docker_backend: {exc}", file=sys.stderr)
        return 1
    try:
        reaped: Reaped
        if args.run is not None or args.stack is not None:
            reaped = reap(client, args.run, stack_id=args.stack)
        elif args.all:
            reaped = reap(client)
        else:
            reaped = reap_orphan_containers(client, args.scope)
    finally:
        client.close()
    print(f"reaped {len(reaped.containers)} containers, {len(reaped.networks)} networks")
    for name in reaped.containers + reaped.networks:
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
