"""A pool of test accounts, handed to the service with precomputed password hashes.

The service takes ``username:$scrypt$n=N,r=8,p=1$salt$key`` in place of a password (see its
``--users-file``), so starting with 10,000 users does not hash 10,000 passwords. Virtual users
share the pool; every login still pays one scrypt check on the service, at the hash's cost.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from chaos.workload.crowd_table import SERVICE_DEFAULT_HASH_COST

DEFAULT_HASH_COST = SERVICE_DEFAULT_HASH_COST  # scrypt N: the service's default (--hash-cost)
MIN_HASH_COST = 2**4
MAX_HASH_COST = 2**20
SCRYPT_R = 8
SCRYPT_P = 1
PASSWORD = "bench-password-0123456789"  # noqa: S105  (a throwaway test credential)


@dataclass(frozen=True)
class Account:
    """One login the virtual users may use."""

    username: str
    password: str


def valid_hash_cost(cost: int) -> bool:
    """The service's rule: a power of two in [2^4, 2^20]."""
    return MIN_HASH_COST <= cost <= MAX_HASH_COST and cost & (cost - 1) == 0


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def scrypt_hash(password: str, cost: int, salt: bytes | None = None) -> str:
    """The service's stored form: ``$scrypt$n=N,r=8,p=1$<salt>$<key>`` (urlsafe base64)."""
    salt = salt if salt is not None else os.urandom(16)
    key = hashlib.scrypt(
        password.encode(),
        salt=salt,
        n=cost,
        r=SCRYPT_R,
        p=SCRYPT_P,
        dklen=32,
        maxmem=256 * SCRYPT_R * cost + 2**20,
    )
    return f"$scrypt$n={cost},r={SCRYPT_R},p={SCRYPT_P}${_b64(salt)}${_b64(key)}"


def account_pool(size: int) -> list[Account]:
    """``size`` accounts, ``bench0000``... sharing one password."""
    if size < 1:
        raise ValueError(f"--accounts must be >= 1, got {size}")
    return [Account(f"bench{i:04d}", PASSWORD) for i in range(size)]


def hashed_users(accounts: list[Account], cost: int) -> list[tuple[str, str]]:
    """``(username, stored hash)`` for the service's users file; one hash serves the shared
    password (the salt repeats, which only matters for real passwords)."""
    digest = scrypt_hash(PASSWORD, cost)
    return [(account.username, digest) for account in accounts]
