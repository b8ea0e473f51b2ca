"""One send() per answer: the head is held until the body joins it, and nothing is lost."""

from __future__ import annotations

import asyncio
import gc
import weakref
from dataclasses import dataclass, field
from typing import cast

from system_under_test.one_write import HeldHead


@dataclass
class Transport:
    writes: list[bytes] = field(default_factory=list)
    closed: bool = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed

    def get_extra_info(self, name: str) -> str:
        return name


@dataclass
class Cycle:
    response_started: bool = False


def held() -> tuple[HeldHead, Transport, Cycle]:
    transport, cycle = Transport(), Cycle()
    return HeldHead(cast(asyncio.Transport, transport), cycle), transport, cycle


def test_the_head_and_the_body_leave_in_one_write() -> None:
    proxy, transport, cycle = held()
    cycle.response_started = True
    proxy.write(b"HTTP/1.1 200 OK\r\n\r\n")
    assert transport.writes == []
    proxy.write(b"{}")
    assert transport.writes == [b"HTTP/1.1 200 OK\r\n\r\n{}"]
    proxy.write(b"more")  # a streamed body's later chunks go as they come
    assert transport.writes[-1] == b"more"


def test_a_100_continue_goes_out_at_once() -> None:
    proxy, transport, _ = held()
    proxy.write(b"HTTP/1.1 100 Continue\r\n\r\n")  # before the response started
    assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]


def test_a_head_without_a_body_is_sent_by_flush_or_close_or_any_other_use() -> None:
    for finish in ("flush", "close", "get_extra_info"):
        proxy, transport, cycle = held()
        cycle.response_started = True
        proxy.write(b"HEAD-ANSWER")
        if finish == "flush":
            proxy.flush()
        elif finish == "close":
            proxy.close()
            assert transport.closed
        else:
            assert proxy.get_extra_info("peername") == "peername"
        assert transport.writes == [b"HEAD-ANSWER"], finish
        proxy.flush()  # nothing twice
        assert transport.writes == [b"HEAD-ANSWER"], finish


def test_release_breaks_the_reference_cycle_with_the_request() -> None:
    """uvicorn's cycle holds the proxy (cycle.transport) and the proxy the cycle: released,
    both go back by reference counting alone, not at the collector's next full pass."""

    def request(release: bool) -> weakref.ref[Cycle]:
        proxy, transport, cycle = held()
        cycle.transport = proxy  # type: ignore[attr-defined]  # as http_protocol.py does
        cycle.response_started = True
        proxy.write(b"HEAD")
        proxy.write(b"BODY")
        if release:
            proxy.release()
            proxy.write(b"late")
            assert transport.writes == [b"HEADBODY", b"late"]
        return weakref.ref(cycle)

    gc.disable()
    try:
        assert request(release=True)() is None
        kept = request(release=False)  # the control: without release() only gc frees it
        assert kept() is not None
    finally:
        gc.enable()
    gc.collect()
    assert kept() is None
