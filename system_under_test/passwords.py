"""Password hashes: stdlib scrypt, self-describing, compared in constant time.

    stored = hash_password("s3cret", cost=2**15)   # "$scrypt$n=32768,r=8,p=1$<salt>$<key>"
    verify_password("s3cret", stored)              # True

``python -m system_under_test.passwords PASSWORD [COST]`` prints a hash for a users file.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import sys

# 2**15, r=8: 32 MiB and tens of ms per hash, the usual interactive-login figure for scrypt
DEFAULT_COST = 2**15
MIN_COST = 2**4
MAX_COST = 2**20
BLOCK_SIZE = 8
PARALLELISM = 1
KEY_BYTES = 32
SALT_BYTES = 16
PREFIX = "$scrypt$"


class MalformedHash(ValueError):
    """A stored hash is not ``$scrypt$n=..,r=..,p=..$salt$key``."""


def is_valid_cost(n: int) -> bool:
    return MIN_COST <= n <= MAX_COST and n & (n - 1) == 0


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int, *, dklen: int = KEY_BYTES) -> bytes:
    # maxmem: scrypt needs 128*r*n bytes; the stdlib default (32 MiB) is too small for n=2**15
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=256 * r * n + 2**20
    )


def hash_password(password: str, cost: int = DEFAULT_COST) -> str:
    salt = os.urandom(SALT_BYTES)
    key = _derive(password, salt, cost, BLOCK_SIZE, PARALLELISM)
    return f"{PREFIX}n={cost},r={BLOCK_SIZE},p={PARALLELISM}${_b64(salt)}${_b64(key)}"


def parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes]:
    """(n, r, p, salt, key); raises MalformedHash."""
    if not stored.startswith(PREFIX):
        raise MalformedHash("not a $scrypt$ hash")
    try:
        params, salt, key = stored[len(PREFIX) :].split("$")
        fields = dict(item.split("=", 1) for item in params.split(","))
        n, r, p = int(fields["n"]), int(fields["r"]), int(fields["p"])
        salt_raw, key_raw = _unb64(salt), _unb64(key)
    except (ValueError, KeyError) as exc:
        raise MalformedHash(f"malformed $scrypt$ hash ({exc})") from None
    if (
        not is_valid_cost(n)
        or not 1 <= r <= 32
        or not 1 <= p <= 16
        or not salt_raw
        or not 16 <= len(key_raw) <= 64
    ):
        raise MalformedHash("$scrypt$ parameters out of range")
    return n, r, p, salt_raw, key_raw


def verify_password(password: str, stored: str) -> bool:
    n, r, p, salt, key = parse_hash(stored)
    return hmac.compare_digest(_derive(password, salt, n, r, p, dklen=len(key)), key)


def main(argv: list[str]) -> int:
    if not 1 <= len(argv) <= 2 or (len(argv) == 2 and not argv[1].isdigit()):
        print("usage: python -m system_under_test.passwords PASSWORD [COST]", file=sys.stderr)
        return 2
    cost = int(argv[1]) if len(argv) == 2 else DEFAULT_COST
    if not is_valid_cost(cost):
        print(f"COST: {cost} must be a power of two in [{MIN_COST}, {MAX_COST}]", file=sys.stderr)
        return 2
    print(hash_password(argv[0], cost))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
