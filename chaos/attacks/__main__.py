"""``python -m chaos.attacks --url URL --username NAME``: the hostile corpus against a service.

The password comes from ``--password-env`` (default ``AUTH_ATTACK_PASSWORD``), the HS256 key,
if known, from ``--secret-env`` (default ``AUTH_JWT_SECRET``); neither is taken on the command
line, where ``ps`` would show it. Prints one line per case not refused as documented and a
summary; exit 0 when every case is refused, 1 when some are not, 2 on bad input.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

import httpx

from .campaign import Campaign, run
from .outcome import describe, problems


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        print(f"chaos.attacks: {message}", file=sys.stderr)
        raise SystemExit(2)


def parse(argv: Sequence[str], env: Mapping[str, str]) -> tuple[str, Campaign]:
    parser = _Parser(prog="python -m chaos.attacks", description=__doc__.split("\n")[0])
    parser.add_argument("--url", required=True, help="base URL of the service")
    parser.add_argument("--username", required=True, help="an account of the service")
    parser.add_argument("--password-env", default="AUTH_ATTACK_PASSWORD")
    parser.add_argument(
        "--secret-env", default="AUTH_JWT_SECRET", help="variable holding the HS256 key (optional)"
    )
    parser.add_argument("--leeway", type=int, default=5, help="the service's leeway (s)")
    parser.add_argument(
        "--fresh-id",
        action="append",
        default=None,
        help="claim to randomise in every forgery (default: jti), repeatable",
    )
    args = parser.parse_args(list(argv))
    if not args.url.startswith(("http://", "https://")):
        parser.error(f"--url: {args.url!r} is not an http(s) URL")
    password = env.get(args.password_env)
    if not password:
        parser.error(f"--password-env: variable {args.password_env} is not set")
    if args.leeway < 0:
        parser.error(f"--leeway: {args.leeway} must be >= 0")
    secret = env.get(args.secret_env)
    campaign = Campaign(
        username=args.username, password=password,
        secret=secret.encode() if secret else None, leeway_s=args.leeway,
        fresh_ids=tuple(args.fresh_id or ["jti"]),
    )  # fmt: skip
    return args.url, campaign


def main(argv: Sequence[str] | None = None) -> int:
    url, campaign = parse(sys.argv[1:] if argv is None else argv, os.environ)
    try:
        with httpx.Client(base_url=url, timeout=20) as client:
            outcomes = run(client, campaign)
    except (httpx.HTTPError, RuntimeError) as exc:
        print(f"chaos.attacks: {exc}", file=sys.stderr)
        return 2
    wrong = [outcome for outcome in outcomes if problems(outcome)]
    for outcome in wrong:
        print(describe(outcome))
    key = "with the service's key" if campaign.secret else "without the key (signature only)"
    print(
        f"{len(outcomes)} cases {key}, {len(outcomes) - len(wrong)} refused as documented, "
        f"{len(wrong)} not"
    )
    return 1 if wrong else 0


if __name__ == "__main__":
    raise SystemExit(main())
