"""A reply waiting unread: FIONREAD on a real socket, and the grace a deadline gives it."""

from __future__ import annotations

import asyncio
import socket

import pytest

from system_under_test.revocation.unread import (
    GRACE_TURNS,
    GraceTimeout,
    grant_turn,
    unread_bytes,
)


def test_unread_bytes_counts_what_the_kernel_holds() -> None:
    left, right = socket.socketpair()
    with left, right:
        assert unread_bytes(right.fileno()) == 0
        left.sendall(b"*1\r\n$-1\r\n")
        assert unread_bytes(right.fileno()) == 9
        right.recv(4)
        assert unread_bytes(right.fileno()) == 5
    assert unread_bytes(right.fileno()) == 0  # closed: -1, nothing to read


def test_grant_turn_only_while_a_reply_is_pending_and_turns_remain() -> None:
    assert grant_turn(0, True)
    assert grant_turn(GRACE_TURNS - 1, True)
    assert not grant_turn(GRACE_TURNS, True)
    assert not grant_turn(0, False)


def test_grace_timeout_lets_a_reply_read_on_the_next_turn_complete() -> None:
    async def scenario() -> str:
        reply: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def pending(since: float) -> bool:
            if not reply.done():
                reply.set_result("values")  # read on the turn the deadline gives
            return True

        async with GraceTimeout(0.0, pending, since=0.0):
            return await reply

    assert asyncio.run(scenario()) == "values"


@pytest.mark.parametrize(("answer", "asked"), [(False, 1), (True, GRACE_TURNS + 1)])
def test_grace_timeout_fires_when_nothing_is_pending_or_the_turns_run_out(
    answer: bool, asked: int
) -> None:
    calls: list[float] = []

    async def scenario() -> None:
        def pending(since: float) -> bool:
            calls.append(since)
            return answer

        async with GraceTimeout(0.0, pending, since=1.5):
            await asyncio.Event().wait()  # a hung Redis

    with pytest.raises(TimeoutError):
        asyncio.run(scenario())
    assert calls == [1.5] * asked
