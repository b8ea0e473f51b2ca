"""One send() per answer: the head is held until the body joins it, and nothing is lost."""

from __future__ import annotations

import asyncio
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
