"""``python -m system_under_test ...``: check every setting, hash the users, supervise workers.

Any bad setting: one line on stderr naming it, exit 2, no traceback.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from . import passwords
from .config import ConfigError, Settings, jwt_secret, parse_settings
from .service import store_settings, token_keys
from .supervisor import BindError, Supervisor
from .users import load_users

PROG = "system_under_test"


def _check_keys(settings: Settings) -> None:
    if settings.jwt_alg == "HS256":
        return
    try:
        token_keys(settings, b"")
    except (ValueError, TypeError, OSError) as exc:
        raise ConfigError(f"--jwt-private-key/--jwt-public-key: unusable PEM ({exc})") from None


def prepare(argv: Sequence[str]) -> tuple[Settings, dict[str, str]]:
    settings = parse_settings(argv, os.environ)
    jwt_secret(os.environ)
    _check_keys(settings)
    try:
        store_settings(settings)
    except ValueError as exc:  # the store's own cross-field rules
        raise ConfigError(str(exc).replace("StoreSettings: ", "")) from None
    return settings, load_users(settings)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        settings, users = prepare(sys.argv[1:] if argv is None else argv)
    except ConfigError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(message)s"
    )
    if settings.hash_cost < passwords.DEFAULT_COST:
        logging.getLogger(PROG).warning(
            "WARNING: --hash-cost %d is below the default %d: password hashes are WEAKER "
            "than recommended; use this for tests and load runs only",
            settings.hash_cost,
            passwords.DEFAULT_COST,
        )
    if settings.bench_skip_revocation_check:
        logging.getLogger(PROG).warning(
            "WARNING: --bench-skip-revocation-check: verify does NOT read the revocation list, "
            "logged-out tokens are accepted; for benchmarks only"
        )
    try:
        return Supervisor(settings, users).run()
    except BindError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
