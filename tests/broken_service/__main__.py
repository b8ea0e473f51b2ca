"""``python -m tests.broken_service --port P --redis-url URL [--host H] [--user NAME:PW]
[--undercount-degraded]``."""

from __future__ import annotations

import argparse
import os
import secrets
import sys

import uvicorn

from tests.broken_service.app import BrokenAuth, build_app

DEFAULT_USERS = ("alice:alice-pw", "bob:bob-pw")


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.broken_service")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--workers", type=int, default=1, help="accepted; one process serves")
    parser.add_argument("--user", action="append", default=None, help="NAME:PASSWORD")
    parser.add_argument(
        "--undercount-degraded", action="store_true",
        help="serve /metrics with a degraded counter that misses every second decision",
    )  # fmt: skip
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    users = dict(u.split(":", 1) for u in (args.user or DEFAULT_USERS))
    secret = os.environ.get("AUTH_JWT_SECRET") or secrets.token_urlsafe(48)
    auth = BrokenAuth(args.redis_url, secret, users, undercount=args.undercount_degraded)
    app = build_app(auth)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
