"""Per-connection, per-direction state of one toxic: its input queue, its output and what it holds.

Toxics read chunks with ``read`` and pass them on with ``write``; whatever a toxic has read but
not yet written is ``held`` so that removing the toxic releases it (nothing is dropped).
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from .toxics.base import ToxicWrapper


@dataclass(slots=True)
class Chunk:
    """Bytes read from a socket in one go, with the loop time they were read at."""

    data: bytes
    stamp: float


# None stands for the end of the stream (EOF) on every chunk path
Item = Chunk | None


class Target(Protocol):
    """Anything a toxic can write to: the next stub, or the pipe's destination socket."""

    def put(self, item: Item) -> None: ...


class Drain(Protocol):
    """The pipe, told when a queue shrinks (to resume reading the source)."""

    def drained(self) -> None: ...


class ToxicStub:
    """One toxic running on one direction of one connection."""

    def __init__(self, wrapper: ToxicWrapper, pipe: Drain, state: object | None) -> None:
        self.wrapper = wrapper
        self.toxic = wrapper.toxic
        self.pipe = pipe
        self.state = state
        self.next: Target | None = None
        self.queue: deque[Item] = deque()
        self.queued = 0
        self.holding = False
        self.held: Item = None
        self.closed = False
        self.task: asyncio.Task[None] | None = None
        self._waiter: asyncio.Future[None] | None = None

    def put(self, item: Item) -> None:
        """Queue an item for the toxic; a closed stub swallows what still arrives."""
        if self.closed:
            return
        self.queue.append(item)
        if item is not None:
            self.queued += len(item.data)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def read(self, idle_limit: float | None = None) -> Item:
        """The next chunk (None at EOF); TimeoutError after ``idle_limit`` seconds without one."""
        while not self.queue:
            self._waiter = asyncio.get_running_loop().create_future()
            if idle_limit is None:
                await self._waiter
            else:
                async with asyncio.timeout(idle_limit):
                    await self._waiter
        item = self.queue.popleft()
        if item is not None:
            self.queued -= len(item.data)
            self.pipe.drained()
        self.holding = True
        self.held = item
        return item

    def hold(self, chunk: Chunk) -> None:
        """Record what is left of a chunk the toxic is still working through."""
        self.holding = True
        self.held = chunk

    async def stall(self) -> None:
        """Forward nothing more until the toxic is removed or updated (then what it holds
        moves on): where the real server stalls or crashes, this direction stalls."""
        await asyncio.get_running_loop().create_future()

    def write(self, chunk: Chunk) -> None:
        """Pass a chunk (or a piece of one) to the next toxic or the socket."""
        if chunk is self.held:
            self.holding = False
            self.held = None
        if self.next is not None and not self.closed:
            self.next.put(chunk)

    def drop(self) -> None:
        """Forget the held chunk on purpose (timeout, reset_peer, limit_data drop data)."""
        self.holding = False
        self.held = None

    def close(self) -> None:
        """End this direction: EOF goes on down the chain, later input is discarded."""
        if self.closed:
            return
        self.holding = False
        self.held = None
        self.queue.clear()
        self.queued = 0
        if self.next is not None:
            self.next.put(None)
        self.closed = True

    def release(self) -> list[Item]:
        """Everything held or queued, in order, for the next stage (the toxic is leaving)."""
        items: list[Item] = []
        if self.holding:
            items.append(self.held)
        items.extend(self.queue)
        self.queue.clear()
        self.queued = 0
        self.holding = False
        self.held = None
        return items
