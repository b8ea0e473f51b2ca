"""A pool of test accounts and the users file that hands them to the service pre-hashed.

Hashing 10,000 passwords at the default scrypt cost takes minutes, so load runs share a pool
of accounts between virtual users and cache the users file per (pool size, cost).
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HASH_COST = 14  # log2 of scrypt's N; the service's default cost
SCRYPT_R = 8
SCRYPT_P = 1
PASSWORD = "bench-password-0123456789"  # noqa: S105  (a throwaway test credential)


@dataclass(frozen=True)
class Account:
    """One login the virtual users may use."""

    username: str
    password: str


def scrypt_hash(password: str, cost: int, salt: bytes | None = None) -> str:
    """The users-file form of a password hash: ``$scrypt$ln=..,r=..,p=..$salt$hash``."""
    salt = salt if salt is not None else os.urandom(16)
    n = 2**cost
    derived = hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=SCRYPT_R, p=SCRYPT_P, maxmem=256 * n * SCRYPT_R
    )
    b64 = base64.b64encode
    return f"$scrypt$ln={cost},r={SCRYPT_R},p={SCRYPT_P}${b64(salt).decode()}${b64(derived).decode()}"


def account_pool(size: int) -> list[Account]:
    """``size`` accounts, ``bench0000``... with one shared password."""
    if size < 1:
        raise ValueError(f"--accounts must be >= 1, got {size}")
    return [Account(f"bench{i:04d}", PASSWORD) for i in range(size)]


def users_file(directory: Path, accounts: list[Account], cost: int) -> Path:
    """Write (or reuse) the users file for ``accounts`` hashed at ``cost``."""
    path = directory / f"users-{len(accounts)}-ln{cost}.txt"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    # every account shares the password, so one hash serves them all (same salt is harmless here)
    digest = scrypt_hash(PASSWORD, cost)
    lines = [f"{a.username}:{digest}\n" for a in accounts]
    tmp = path.with_suffix(".tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(path)
    return path
