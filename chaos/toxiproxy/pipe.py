"""One direction of a relayed connection: source socket, toxic chain, destination socket.

With no toxic the pipe is a bare relay: the source protocol writes straight into the
destination transport (``fast``), with no per-chunk work beyond that call.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import random
from typing import Protocol

from .stub import Chunk, Item, ToxicStub
from .toxics import ToxicWrapper

log = logging.getLogger("chaos.toxiproxy")

# bytes queued inside a chain before the source socket stops being read
QUEUE_HIGH = 256 * 1024
QUEUE_LOW = 64 * 1024


class FastPath(Protocol):
    """The source protocol: with ``fast_dest`` set it writes there without calling the pipe."""

    fast_dest: asyncio.Transport | None


def roll(toxicity: float, rng: random.Random) -> bool:
    """Whether a toxic applies on one connection and direction: 0 never, 1 always."""
    return rng.random() < toxicity


class Pipe:
    """Moves chunks from ``source`` to ``dest`` through the stubs of the direction's toxics."""

    def __init__(
        self,
        direction: str,
        source: asyncio.Transport,
        dest: asyncio.Transport,
        rng: random.Random,
        reader: FastPath,
        *,
        count_bytes: bool = False,
    ) -> None:
        self.direction = direction
        self.source = source
        self.dest = dest
        self.rng = rng
        self.reader = reader
        self.count_bytes = count_bytes
        self.stubs: list[ToxicStub] = []
        self.states: dict[str, object] = {}
        self.fast = False
        self.set_fast(True)
        self.eof_fed = False
        self.finished = False
        self.dest_full = False
        self.queue_full = False
        self.received = 0
        self.sent = 0

    def set_fast(self, fast: bool) -> None:
        """Switch the source protocol between writing straight to ``dest`` and ``feed``."""
        self.fast = fast
        self.reader.fast_dest = self.dest if fast and not self.count_bytes else None

    # --- data path -------------------------------------------------------------------------
    def feed(self, data: bytes) -> None:
        """A chunk read from the source (the fast path never gets here)."""
        self.received += len(data)
        if self.finished:
            return
        if not self.stubs:
            self._write(data)
            return
        self.stubs[0].put(Chunk(data, asyncio.get_running_loop().time()))
        if not self.queue_full and self.queued() > QUEUE_HIGH:
            self.queue_full = True
            self._update_reading()

    def feed_eof(self) -> None:
        """The source is done: EOF enters the chain once."""
        if self.eof_fed:
            return
        self.eof_fed = True
        if self.stubs:
            self.stubs[0].put(None)
        else:
            self.put(None)

    def put(self, item: Item) -> None:
        """End of the chain: write to the destination, or close it at EOF."""
        if self.finished:
            return
        if item is None:
            self.finished = True
            self.set_fast(False)
            self.dest.close()
            return
        self._write(item.data)

    def _write(self, data: bytes) -> None:
        if self.finished:
            return
        self.sent += len(data)
        self.dest.write(data)

    # --- backpressure ----------------------------------------------------------------------
    def queued(self) -> int:
        return sum(stub.queued for stub in self.stubs)

    def drained(self) -> None:
        if self.queue_full and self.queued() < QUEUE_LOW:
            self.queue_full = False
            self._update_reading()

    def set_dest_full(self, full: bool) -> None:
        self.dest_full = full
        self._update_reading()

    def _update_reading(self) -> None:
        if self.source.is_closing():
            return
        if self.dest_full or self.queue_full:
            self.source.pause_reading()
        else:
            self.source.resume_reading()

    # --- chain changes ---------------------------------------------------------------------
    def add(self, wrapper: ToxicWrapper) -> None:
        """Insert a toxic (by insertion order) if it wins its toxicity roll."""
        if self.finished or not roll(wrapper.toxicity, self.rng):
            return
        state = self.states.get(wrapper.name)
        if state is None and wrapper.toxic.stateful:
            state = self.states[wrapper.name] = wrapper.toxic.new_state()
        stub = ToxicStub(wrapper, self, state)
        index = bisect.bisect([s.wrapper.seq for s in self.stubs], wrapper.seq)
        self.stubs.insert(index, stub)
        self._rewire()
        stub.task = asyncio.get_running_loop().create_task(self._run(stub))

    def remove(self, wrapper: ToxicWrapper, *, cleanup: bool = True) -> None:
        """Take a toxic out of the chain, releasing what it holds to the next stage."""
        stub = next((s for s in self.stubs if s.wrapper is wrapper), None)
        if stub is None:
            if cleanup:
                self.states.pop(wrapper.name, None)
            return
        if cleanup:
            self.states.pop(wrapper.name, None)
            if stub.toxic.cleanup(stub):
                self._drop_stub(stub)
                return
        target = stub.next
        for item in stub.release():
            if target is not None:
                target.put(item)
        self._drop_stub(stub)

    def restart(self, wrapper: ToxicWrapper) -> None:
        """An updated toxic restarts on the connection: held data moves on, toxicity re-rolls."""
        self.remove(wrapper, cleanup=False)
        self.add(wrapper)

    def _drop_stub(self, stub: ToxicStub) -> None:
        self.stubs.remove(stub)
        self._rewire()
        if stub.task is not None:
            stub.task.cancel()
        self.drained()

    def _rewire(self) -> None:
        for i, stub in enumerate(self.stubs):
            stub.next = self.stubs[i + 1] if i + 1 < len(self.stubs) else self
        self.set_fast(not self.stubs and not self.finished)

    async def _run(self, stub: ToxicStub) -> None:
        try:
            await stub.toxic.pipe(stub)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("toxic %s failed; closing its direction", stub.wrapper.name)
            stub.close()

    def stop(self) -> None:
        """The connection is gone: stop every toxic."""
        self.finished = True
        self.set_fast(False)
        for stub in self.stubs:
            if stub.task is not None:
                stub.task.cancel()
        self.stubs.clear()
