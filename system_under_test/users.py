"""The user directory: username -> scrypt hash, seeded at start, checked off the event loop.

directory = UserDirectory(load_users(settings), dummy_cost, threads=2, queue=16)
ok = await directory.check("alice", "s3cret")   # raises LoginOverloaded when the queue is full
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import passwords
from .config import ConfigError, Settings, valid_username


def _parse_line(origin: str, lineno: int, line: str, cost: int) -> tuple[str, str]:
    name, sep, secret = line.partition(":")
    if not sep or not valid_username(name) or not secret:
        raise ConfigError(f"{origin}:{lineno}: expected username:password")
    if secret.startswith(passwords.PREFIX):
        try:
            passwords.parse_hash(secret)
        except passwords.MalformedHash as exc:
            raise ConfigError(f"{origin}:{lineno}: {exc}") from None
        return name, secret
    return name, passwords.hash_password(secret, cost)


def load_users(settings: Settings) -> dict[str, str]:
    """Hashes of every seeded user (plain passwords are hashed here, once, in the supervisor)."""
    users: dict[str, str] = {}
    if settings.users_file is not None:
        origin = f"--users-file {settings.users_file}"
        try:
            text = Path(settings.users_file).read_text()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{origin}: cannot read ({exc})") from None
        for lineno, raw in enumerate(text.splitlines(), start=1):
            line = raw.strip()
            if line and not line.startswith("#"):
                name, stored = _parse_line(origin, lineno, line, settings.hash_cost)
                users[name] = stored
    for entry in settings.users:
        name, stored = _parse_line("--user", 1, entry, settings.hash_cost)
        users[name] = stored
    return users


class LoginOverloaded(Exception):
    """The bounded queue of password checks is full: shed this login (retry later)."""


class UserDirectory:
    """Checks passwords in a small thread pool so hashing never blocks the event loop.

    At most `queue` checks wait or run at once: a login beyond that is refused at once instead
    of waiting behind hashes its client will have given up on (an unbounded queue grows for as
    long as logins arrive faster than the pool hashes them).
    """

    def __init__(
        self, users: dict[str, str], dummy_cost: int, threads: int = 2, queue: int = 16
    ) -> None:
        self._users = users
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="scrypt")
        self._queue = queue
        self.pending = 0  # checks queued or hashing
        # unknown users pay a hash too, so timing does not reveal which names exist
        self._dummy = passwords.hash_password("not-a-password", dummy_cost)

    def __len__(self) -> int:
        return len(self._users)

    async def check(self, username: str, password: str) -> bool:
        """Raises LoginOverloaded when the queue is full; cancelling drops a queued check."""
        if self.pending >= self._queue:
            raise LoginOverloaded(f"{self.pending} password checks pending")
        stored = self._users.get(username)
        loop = asyncio.get_running_loop()
        self.pending += 1
        try:
            # a cancelled await cancels the pool's future too: a check still queued never runs
            ok = await loop.run_in_executor(
                self._pool, passwords.verify_password, password, stored or self._dummy
            )
        finally:
            self.pending -= 1
        return ok and stored is not None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
