"""The user directory: username -> scrypt hash, seeded at start, checked off the event loop.

directory = UserDirectory(load_users(settings), dummy_cost, threads=2, queue=16)
ok = await directory.check("alice", "s3cret")   # raises LoginOverloaded when the queue is full

The pool's threads run at the lowest CPU priority the system offers (Linux's SCHED_IDLE, else
niceness ``HASH_NICENESS``): in a login storm at the default cost they would otherwise take the
CPU from the loop, whose every answer then waits, a shed one included, and whose Redis replies
are read too late (docs/performance.md "A login storm at the default cost", "Whose
lateness").

A hash whose scrypt needs at most INLINE_MAX_BYTES of memory is checked on the event loop
itself: its work (about 0.05 ms at N=2^4, 0.2 ms at N=2^6 here) is less than handing it to a
thread costs (submit, a futex wake, the result back through the loop's self-pipe, and one more
loop turn, which under load is the longest part). Every heavier hash, the default N=2^15 among
them, goes to the bounded pool.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Awaitable, Callable
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


# scrypt's memory (128 * N * r * p bytes) is what its time follows; 64 KiB is N=2^6 at r=8
INLINE_MAX_BYTES = 64 * 1024


def checked_inline(stored: str) -> bool:
    """Whether a check against ``stored`` is cheap enough to run on the event loop."""
    try:
        n, r, p, _, _ = passwords.parse_hash(stored)
    except passwords.MalformedHash:
        return False  # the pool's check raises it, as before
    return 128 * n * r * p <= INLINE_MAX_BYTES


# the hashing threads' scheduling policy (Linux): a thread under it runs when nothing of normal
# priority in its scheduling group (the worker's session or cgroup) wants the CPU, and a loop
# that wakes takes the CPU from it at once (at niceness 10 the loop's wake-ups were still
# 14-17 ms late at p90 in a login storm, docs/performance.md)
HASH_POLICY: int | None = getattr(os, "SCHED_IDLE", None)
# their niceness, set first: what holds where the policy is refused (0 is the loop's, 19 the
# lowest priority)
HASH_NICENESS = 10


def yield_to_the_loop() -> None:
    """The pool's thread initializer: lower this thread's CPU priority, to the SCHED_IDLE policy
    where the system has it, else (or when refused) to niceness HASH_NICENESS; never raise it
    (a worker started nicer keeps its niceness). Where a thread's priority is not its own
    (elsewhere a thread id may name another process), or the call is refused, the thread runs
    as it would have."""
    if not sys.platform.startswith("linux"):
        return
    thread = threading.get_native_id()
    try:
        current = os.getpriority(os.PRIO_PROCESS, thread)
        if current < HASH_NICENESS:
            os.setpriority(os.PRIO_PROCESS, thread, HASH_NICENESS)
    except OSError:
        pass
    if HASH_POLICY is None:
        return
    # refused (a seccomp profile, a real-time worker without the right): the niceness holds
    with contextlib.suppress(OSError):
        os.sched_setscheduler(thread, HASH_POLICY, os.sched_param(0))


class LoginOverloaded(Exception):
    """The bounded queue of password checks is full: shed this login (retry later)."""


class UserDirectory:
    """Checks passwords in a small thread pool so hashing never blocks the event loop (a
    cheap hash, ``checked_inline``, on the loop itself).

    At most `queue` pooled checks wait or run at once: a login beyond that is refused at once
    instead of waiting behind hashes its client will have given up on (an unbounded queue
    grows for as long as logins arrive faster than the pool hashes them).
    """

    def __init__(
        self, users: dict[str, str], dummy_cost: int, threads: int = 2, queue: int = 16
    ) -> None:
        self._users = users
        self._pool = ThreadPoolExecutor(
            max_workers=threads, thread_name_prefix="scrypt", initializer=yield_to_the_loop
        )
        self._queue = queue
        self.pending = 0  # checks queued or hashing
        # unknown users pay a hash too, so timing does not reveal which names exist
        self._dummy = passwords.hash_password("not-a-password", dummy_cost)
        self._inline = {stored for stored in users.values() if checked_inline(stored)}
        if checked_inline(self._dummy):
            self._inline.add(self._dummy)

    def __len__(self) -> int:
        return len(self._users)

    def full(self) -> bool:
        """Whether a pooled check would be refused now (LoginOverloaded): the admission then
        sheds a login at its header, before its body is read (admission.py)."""
        return self.pending >= self._queue

    def inline(self, username: str) -> bool:
        """Whether ``username``'s check runs on the event loop (no queue, never shed)."""
        return self._users.get(username, self._dummy) in self._inline

    def check_now(self, username: str, password: str) -> bool:
        """The check of an ``inline`` user, on the calling thread."""
        stored = self._users.get(username)
        ok = passwords.verify_password(password, stored or self._dummy)
        return ok and stored is not None

    async def check(
        self,
        username: str,
        password: str,
        gone: Callable[[], Awaitable[None]] | None = None,
    ) -> bool | None:
        """Raises LoginOverloaded when the queue is full; None when ``gone()`` (the client
        disconnected) finished first, and then a check still queued never runs."""
        if self.inline(username):
            return self.check_now(username, password)
        if self.full():
            raise LoginOverloaded(f"{self.pending} password checks pending")
        self.pending += 1  # now, not when the check's task starts: the bound holds at once
        try:
            if gone is None:
                return await self._pooled(username, password)
            return await _unless_gone(self._pooled(username, password), gone())
        finally:
            self.pending -= 1

    async def _pooled(self, username: str, password: str) -> bool:
        """Cancelling drops a queued check."""
        stored = self._users.get(username)
        loop = asyncio.get_running_loop()
        # a cancelled await cancels the pool's future too: a check still queued never runs
        ok = await loop.run_in_executor(
            self._pool, passwords.verify_password, password, stored or self._dummy
        )
        return ok and stored is not None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


async def _unless_gone(check: Awaitable[bool], gone: Awaitable[None]) -> bool | None:
    """The check's result, or None (check cancelled, so dropped if still queued) when ``gone``
    finishes first."""
    checking = asyncio.ensure_future(check)
    leaving = asyncio.ensure_future(gone)
    try:
        await asyncio.wait((checking, leaving), return_when=asyncio.FIRST_COMPLETED)
    finally:
        leaving.cancel()
    if not checking.done():
        checking.cancel()
        return None
    return checking.result()
