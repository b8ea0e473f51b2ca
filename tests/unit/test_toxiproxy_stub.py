"""ToxicStub bookkeeping: what a removed toxic hands on, in order, and what a closed one drops."""

from __future__ import annotations

from chaos.toxiproxy.stub import Chunk, Item, ToxicStub
from chaos.toxiproxy.toxics import ToxicWrapper
from chaos.toxiproxy.toxics.noop import NoopToxic


class Recorder:
    """A Target and Drain that records what reaches it."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.drains = 0

    def put(self, item: Item) -> None:
        self.items.append(item)

    def drained(self) -> None:
        self.drains += 1


def make_stub() -> tuple[ToxicStub, Recorder]:
    wrapper = ToxicWrapper("n", "noop", "downstream", "downstream", 1.0, NoopToxic(), 0)
    recorder = Recorder()
    stub = ToxicStub(wrapper, recorder, None)
    stub.next = recorder
    return stub, recorder


def test_release_hands_on_held_then_queued_items_in_order() -> None:
    stub, _ = make_stub()
    held = Chunk(b"held", 0.0)
    stub.hold(held)
    stub.put(Chunk(b"q1", 0.0))
    stub.put(None)
    assert stub.queued == 2
    released = stub.release()
    assert [i.data if i else None for i in released] == [b"held", b"q1", None]
    assert stub.queued == 0
    assert stub.release() == []  # nothing is handed on twice


def is_holding(stub: ToxicStub) -> bool:
    return stub.holding  # a call, so the type checker does not narrow across writes


def test_write_of_the_held_chunk_clears_it() -> None:
    stub, recorder = make_stub()
    chunk = Chunk(b"x", 0.0)
    stub.hold(chunk)
    stub.write(Chunk(b"piece", 0.0))  # a piece: the rest stays held
    assert is_holding(stub)
    stub.write(chunk)
    assert not is_holding(stub)
    assert [i.data for i in recorder.items if i] == [b"piece", b"x"]


def test_close_sends_eof_once_and_swallows_later_input() -> None:
    stub, recorder = make_stub()
    stub.close()
    stub.close()
    stub.put(Chunk(b"late", 0.0))
    assert recorder.items == [None]
    assert stub.queued == 0
