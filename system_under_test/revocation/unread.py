"""A reply waiting unread is not a Redis timeout.

When a deadline fires while the event loop is late, Redis's reply may already sit in the kernel
receive buffer of the socket: the timer ran before the loop read it. Such a deadline gives the
read a few loop turns first (each turn reads the socket before it runs due timers), and fires
only when nothing waits. A hung Redis sends nothing, so its deadlines fire exactly as before.

unread_bytes(sock.fileno())                       # FIONREAD: received, not yet read
async with GraceTimeout(0.26, link.reply_pending, started): ...  # asyncio.timeout + grace
"""

from __future__ import annotations

import asyncio
import fcntl
import struct
import termios
from collections.abc import Callable
from types import TracebackType

# loop turns a deadline may wait while replies arrive: an earlier batch's reply read, the next
# batch sent, its reply read, its reader resumed (the hard bound: a trickle cannot extend more)
GRACE_TURNS = 4

# `since` (time.monotonic when the request was sent) -> is a reply unread, or read since then?
ReplyPending = Callable[[float], bool]


def unread_bytes(fd: int) -> int:
    """Bytes the kernel holds for `fd` that nobody has read yet (0 for a closed socket)."""
    try:
        raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except (OSError, ValueError):  # closed socket (EBADF), or a socket object's fd of -1
        return 0
    count: int = struct.unpack("i", raw)[0]
    return count


def grant_turn(turns: int, pending: bool) -> bool:
    """Whether an expired deadline waits one more loop turn instead of firing."""
    return pending and turns < GRACE_TURNS


class GraceTimeout:
    """`asyncio.timeout(delay_s)` whose expiry first gives a pending reply GRACE_TURNS turns."""

    def __init__(self, delay_s: float, pending: ReplyPending, since: float) -> None:
        self._delay_s = delay_s
        self._pending = pending
        self._since = since  # time.monotonic() when the guarded call began
        self._timeout = asyncio.timeout(None)
        self._handle: asyncio.TimerHandle | None = None
        self._turns = 0

    async def __aenter__(self) -> GraceTimeout:
        await self._timeout.__aenter__()
        self._handle = asyncio.get_running_loop().call_later(self._delay_s, self._expire)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None
        await self._timeout.__aexit__(exc_type, exc, tb)  # raises TimeoutError when it fired

    def _expire(self) -> None:
        loop = asyncio.get_running_loop()
        if grant_turn(self._turns, self._pending(self._since)):
            self._turns += 1
            # a timer due now runs after the next turn's socket reads (call_soon would run before)
            self._handle = loop.call_later(0, self._expire)
            return
        self._handle = None
        self._timeout.reschedule(loop.time())  # cancels the task on the next turn
