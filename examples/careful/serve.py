"""Start careful-auth: check the settings once, then run N uvicorn workers on one port.

    CAREFUL_REDIS_URL=redis://127.0.0.1:6379/0 CAREFUL_JWT_SECRET=... \
    CAREFUL_USERS_FILE=users.txt python serve.py --port 8000 --workers 2

A bad flag or setting prints one line naming it and exits with status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

import uvicorn
from careful_auth.accounts import read_accounts
from careful_auth.settings import Settings, SettingsError

HERE = Path(__file__).resolve().parent
GRACEFUL_STOP_S = 5  # uvicorn waits forever for open requests unless told


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected 1 to 65535, got {port}")
    return port


def _workers(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a worker count, got {text!r}") from None
    if not 1 <= count <= 64:
        raise argparse.ArgumentTypeError(f"expected 1 to 64, got {count}")
    return count


class OneLineParser(argparse.ArgumentParser):
    """A bad flag is one line naming it (no usage block), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}\n")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = OneLineParser(
        prog="serve.py",
        description="careful-auth: JWT sign-in with a Redis revocation list shared by workers. "
        "Settings come from CAREFUL_* environment variables (see README.md).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=_port, required=True, help="port to listen on")
    parser.add_argument("--workers", type=_workers, default=2, help="worker processes")
    parser.add_argument("--access-log", action="store_true", help="log every request")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        settings = Settings.from_env(os.environ)
        read_accounts(settings.users_file)
    except (SettingsError, ValueError) as exc:
        print(f"serve.py: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        "careful_auth.app:create_app",
        factory=True,
        app_dir=str(HERE),
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=args.access_log,
        log_level="info",
        timeout_graceful_shutdown=GRACEFUL_STOP_S,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
