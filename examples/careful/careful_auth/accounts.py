"""Accounts from a ``username:password`` file, kept only as salted PBKDF2 hashes.

accounts = Accounts.from_file(path, iterations=600_000)
await accounts.check("alice", "alice-pw")   # True/False; raises LoginBusy when saturated
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
from pathlib import Path

__all__ = ["Accounts", "LoginBusy", "read_accounts"]

SALT_BYTES = 16
MAX_WAITING = 32  # logins queued for a hashing thread before new ones are turned away
HASH_THREADS = 2  # the box has 2 cores; more threads only queue inside OpenSSL


class LoginBusy(Exception):
    """Too many logins are already waiting for a hash: answer 429, do not queue."""


def read_accounts(path: Path) -> list[tuple[str, str]]:
    """(username, password) per line; raises ValueError naming the file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"CAREFUL_USERS_FILE {path}: cannot read ({exc})") from None
    found: list[tuple[str, str]] = []
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, password = line.partition(":")
        if not sep or not name or not password:
            raise ValueError(f"CAREFUL_USERS_FILE {path}:{lineno}: expected username:password")
        found.append((name, password))
    if not found:
        raise ValueError(f"CAREFUL_USERS_FILE {path}: no accounts")
    return found


def _derive(password: str, salt: bytes, iterations: int) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)


class Accounts:
    """Salted hashes per user; checks run on a small thread pool, never on the event loop."""

    def __init__(self, entries: list[tuple[str, str]], iterations: int) -> None:
        self._iterations = iterations
        self._hashes: dict[str, tuple[bytes, bytes]] = {}
        for name, password in entries:
            salt = os.urandom(SALT_BYTES)
            self._hashes[name] = (salt, _derive(password, salt, iterations))
        # unknown users cost a full hash too, so timing does not tell who exists
        self._decoy = (os.urandom(SALT_BYTES), os.urandom(32))
        self._threads = asyncio.Semaphore(HASH_THREADS)
        self._waiting = 0

    @classmethod
    def from_file(cls, path: Path, iterations: int) -> Accounts:
        return cls(read_accounts(path), iterations)

    def _matches(self, name: str, password: str) -> bool:
        salt, expected = self._hashes.get(name, self._decoy)
        found = _derive(password, salt, self._iterations)
        return hmac.compare_digest(found, expected) and name in self._hashes

    async def check(self, name: str, password: str) -> bool:
        if self._waiting >= MAX_WAITING:
            raise LoginBusy
        self._waiting += 1
        try:
            async with self._threads:
                return await asyncio.to_thread(self._matches, name, password)
        finally:
            self._waiting -= 1
