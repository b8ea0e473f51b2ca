"""Coalescing: one round trip per batch, and never an answer read before the check began."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from system_under_test.revocation.lookup import (
    MAX_GATHER_TURNS,
    CoalescedLookup,
    LookupExpired,
    Values,
    queued_here,
)
from system_under_test.revocation.unread import GRACE_TURNS


class Recorder:
    """A fetch that records each batch and releases it only when told to."""

    def __init__(self, state: dict[str, bytes]) -> None:
        self.state = state
        self.batches: list[list[str]] = []
        self.gates: list[asyncio.Event] = []

    async def fetch(self, keys: list[str]) -> Values:
        self.batches.append(keys)
        snapshot: Values = [self.state.get(k) for k in keys]  # read when sent
        gate = asyncio.Event()
        self.gates.append(gate)
        await gate.wait()
        return snapshot


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def test_concurrent_checks_share_one_round_trip() -> None:
    async def scenario() -> None:
        rec = Recorder({"revoked:a": b"1"})
        lookup = CoalescedLookup(rec.fetch, max_in_flight=1)
        tasks = [asyncio.create_task(lookup.lookup([k])) for k in ("revoked:a", "revoked:b")]
        tasks.append(asyncio.create_task(lookup.lookup(["revoked:a"])))
        await _settle()
        assert rec.batches == [["revoked:a", "revoked:b"]]  # deduplicated, one MGET
        rec.gates[0].set()
        answers = await asyncio.gather(*tasks)
        assert answers == [[b"1"], [None], [b"1"]]  # each check's own keys, in its order

    asyncio.run(scenario())


def test_a_check_never_joins_a_batch_already_sent() -> None:
    async def scenario() -> None:
        rec = Recorder({})
        lookup = CoalescedLookup(rec.fetch, max_in_flight=1)
        first = asyncio.create_task(lookup.lookup(["revoked:x"]))
        await _settle()
        rec.state["revoked:x"] = b"9"  # a logout acknowledged after batch 1 was sent
        second = asyncio.create_task(lookup.lookup(["revoked:x"]))
        await _settle()
        assert len(rec.batches) == 1  # batch 2 waits for batch 1 (max_in_flight=1)
        rec.gates[0].set()
        assert (await first) == [None]
        await _settle()
        assert len(rec.batches) == 2
        rec.gates[1].set()
        assert (await second) == [b"9"]  # read after the check began
        await lookup.close()

    asyncio.run(scenario())


def test_a_failed_round_trip_fails_every_waiter() -> None:
    async def boom(keys: list[str]) -> Values:
        raise ConnectionError("down")

    async def scenario() -> None:
        lookup = CoalescedLookup(boom, max_in_flight=2)
        results = await asyncio.gather(
            lookup.lookup(["revoked:a"]), lookup.lookup(["revoked:b"]), return_exceptions=True
        )
        assert all(isinstance(r, ConnectionError) for r in results)
        assert lookup.round_trips == 1

    asyncio.run(scenario())


def test_a_batch_past_its_budget_fails_its_checks_with_a_timeout() -> None:
    async def scenario() -> None:
        rec = Recorder({})
        lookup = CoalescedLookup(rec.fetch, max_in_flight=1, budget_s=0.05)
        sent = asyncio.create_task(lookup.lookup(["revoked:a"]))  # its round trip never returns
        await _settle()
        queued = asyncio.create_task(lookup.lookup(["revoked:b"]))  # waits behind it
        results = await asyncio.gather(sent, queued, return_exceptions=True)
        assert [type(r) for r in results] == [LookupExpired, LookupExpired]
        sent_for = [r.sent_for_s for r in results if isinstance(r, LookupExpired)]
        assert sent_for[0] is not None  # Redis had the first one
        assert sent_for[0] > 0.0
        assert sent_for[1] is None  # the second never left this worker
        assert len(rec.batches) == 1
        rec.gates[0].set()  # the late answer is dropped, and the queued batch is not sent
        await _settle()
        assert len(rec.batches) == 1
        await lookup.close()

    asyncio.run(scenario())


def test_a_batch_answered_in_time_is_not_failed_later() -> None:
    async def scenario() -> None:
        rec = Recorder({"revoked:a": b"7"})
        lookup = CoalescedLookup(rec.fetch, max_in_flight=1, budget_s=0.05)
        first = asyncio.create_task(lookup.lookup(["revoked:a"]))
        await _settle()
        rec.gates[0].set()
        assert (await first) == [b"7"]
        # the expired deadline finds nothing left to fail: no exception surfaces
        second = asyncio.create_task(lookup.lookup(["revoked:a"]))
        await _settle()
        await asyncio.sleep(0.1)
        rec.gates[1].set()
        results = await asyncio.gather(second, return_exceptions=True)
        assert isinstance(results[0], TimeoutError)  # negative control: this one overran
        await lookup.close()

    asyncio.run(scenario())


def test_an_expiring_batch_gives_a_pending_reply_a_turn() -> None:
    async def scenario() -> None:
        rec = Recorder({"revoked:a": b"7"})
        asked: list[float] = []

        def pending(since: float) -> bool:
            asked.append(since)
            rec.gates[0].set()  # the reply is "in the socket": it is read on the next turn
            return True

        lookup = CoalescedLookup(rec.fetch, max_in_flight=1, budget_s=0.0, pending=pending)
        assert (await lookup.lookup(["revoked:a"])) == [b"7"]  # enforced, not failed
        assert len(asked) >= 1
        await lookup.close()

    asyncio.run(scenario())


def test_an_expiring_batch_fails_when_no_reply_is_pending_or_the_turns_run_out() -> None:
    async def scenario(answer: bool) -> int:
        rec = Recorder({})
        asked: list[float] = []

        def pending(since: float) -> bool:
            asked.append(since)
            return answer  # True forever: a trickle that never completes the reply

        lookup = CoalescedLookup(rec.fetch, max_in_flight=1, budget_s=0.0, pending=pending)
        results = await asyncio.gather(lookup.lookup(["revoked:a"]), return_exceptions=True)
        assert isinstance(results[0], TimeoutError), results
        await lookup.close()
        return len(asked)

    assert asyncio.run(scenario(False)) == 1  # a hung Redis: no grace at all
    assert asyncio.run(scenario(True)) == GRACE_TURNS + 1  # the hard bound


def test_a_batch_gathered_meanwhile_goes_out_when_the_first_lands() -> None:
    async def scenario() -> None:
        rec = Recorder({})
        lookup = CoalescedLookup(rec.fetch, max_in_flight=1)
        first = asyncio.create_task(lookup.lookup(["revoked:a"]))
        await _settle()
        second = asyncio.create_task(lookup.lookup(["revoked:b"]))
        await asyncio.sleep(0)
        assert len(rec.batches) == 1
        rec.gates[0].set()
        for _ in range(2):  # the landing task sends it itself: no new task, no extra turns
            await asyncio.sleep(0)
        assert rec.batches == [["revoked:a"], ["revoked:b"]]
        rec.gates[1].set()
        await asyncio.gather(first, second)
        assert lookup.round_trips == 2
        await lookup.close()

    asyncio.run(scenario())


def test_each_check_gets_its_own_keys_in_order_from_a_shared_batch() -> None:
    async def scenario() -> None:
        rec = Recorder({"revoked:b": b"2", "revoked:c": b"3"})
        lookup = CoalescedLookup(rec.fetch, max_in_flight=1)
        first = asyncio.create_task(lookup.lookup(["revoked:a", "revoked:b"]))
        second = asyncio.create_task(lookup.lookup(["revoked:c", "revoked:b", "revoked:a"]))
        await _settle()
        assert rec.batches == [["revoked:a", "revoked:b", "revoked:c"]]  # shared keys sent once
        rec.gates[0].set()
        assert await first == [None, b"2"]
        assert await second == [b"3", b"2", None]
        await lookup.close()

    asyncio.run(scenario())


def test_a_reply_of_the_wrong_length_fails_its_checks_instead_of_misaligning() -> None:
    async def short(keys: list[str]) -> Values:
        return [b"1"] * (len(keys) - 1)  # one value missing: positions would point elsewhere

    async def scenario() -> None:
        lookup = CoalescedLookup(short, max_in_flight=1)
        results = await asyncio.gather(
            lookup.lookup(["revoked:a"]), lookup.lookup(["revoked:b"]), return_exceptions=True
        )
        assert all(isinstance(r, RuntimeError) for r in results), results
        await lookup.close()

    asyncio.run(scenario())


def test_a_batch_waits_while_checks_keep_joining_and_not_longer() -> None:
    async def scenario(gather_s: float, joiners: int) -> list[list[str]]:
        rec = Recorder({})
        lookup = CoalescedLookup(rec.fetch, max_in_flight=1, gather_s=gather_s)
        checks = [asyncio.create_task(lookup.lookup(["revoked:0"]))]
        for n in range(1, joiners):  # one more check every loop turn, as a busy worker hands in
            await asyncio.sleep(0)
            checks.append(asyncio.create_task(lookup.lookup([f"revoked:{n}"])))
        await _settle()
        for gate in rec.gates:
            gate.set()
        await _settle()
        for gate in rec.gates:
            gate.set()
        await asyncio.gather(*checks)
        await lookup.close()
        return rec.batches

    together = asyncio.run(scenario(gather_s=60.0, joiners=3))
    assert together == [["revoked:0", "revoked:1", "revoked:2"]]  # one MGET for the three
    control = asyncio.run(scenario(gather_s=0.0, joiners=3))
    assert control[0] == ["revoked:0"]  # without gathering the first check goes alone
    endless = asyncio.run(scenario(gather_s=60.0, joiners=MAX_GATHER_TURNS + 4))
    assert len(endless[0]) <= MAX_GATHER_TURNS + 1  # a stream of joiners cannot hold it back


@pytest.mark.parametrize(
    ("sent_for_s", "answering", "here"),
    [
        (None, True, True),  # unsent behind batches Redis is answering: this worker's queue
        (0.01, True, True),  # sent just before its deadline
        (0.08, True, False),  # Redis had most of a timeout: Redis is late
        (None, False, False),  # negative control: a hung Redis answers nothing
        (0.01, False, False),
    ],
)
def test_an_expired_batch_is_this_workers_only_while_redis_answers_others(
    sent_for_s: float | None, answering: bool, here: bool
) -> None:
    assert queued_here(sent_for_s, answering, timeout_s=0.1) is here


Landings = list[tuple[Values | None, Exception | None]]


def _recorder_of(landings: Landings) -> Callable[[Values | None, Exception | None], None]:
    def then(values: Values | None, error: Exception | None) -> None:
        landings.append((values, error))

    return then


def test_a_callback_check_shares_the_batch_and_gets_its_own_keys_once() -> None:
    async def scenario() -> None:
        rec = Recorder({"revoked:a": b"1"})
        lookup = CoalescedLookup(rec.fetch, max_in_flight=1)
        first = asyncio.create_task(lookup.lookup(["revoked:z"]))
        await _settle()  # batch 1 is out: the next checks gather into batch 2
        landings: Landings = []
        lookup.lookup_soon(["revoked:b", "revoked:a"], _recorder_of(landings))
        task = asyncio.create_task(lookup.lookup(["revoked:a"]))
        await _settle()
        rec.gates[0].set()
        assert (await first) == [None]
        await _settle()
        assert rec.batches[1] == ["revoked:b", "revoked:a"]  # one MGET for both kinds of check
        assert landings == []  # nothing before the batch lands
        rec.gates[1].set()
        assert (await task) == [b"1"]
        assert landings == [([None, b"1"], None)]  # its keys, in its order, once
        await lookup.close()
        assert len(landings) == 1  # closing does not call it again

    asyncio.run(scenario())


def test_a_callback_check_gets_the_batch_failure_and_a_raising_one_spares_the_others() -> None:
    async def boom(keys: list[str]) -> Values:
        raise ConnectionError("down")

    async def scenario() -> None:
        lookup = CoalescedLookup(boom, max_in_flight=1)
        landings: Landings = []

        def broken(values: Values | None, error: Exception | None) -> None:
            raise RuntimeError("a bug in one check's callback")

        lookup.lookup_soon(["revoked:a"], broken)
        lookup.lookup_soon(["revoked:a"], _recorder_of(landings))
        task = asyncio.create_task(lookup.lookup(["revoked:a"]))
        with pytest.raises(ConnectionError):
            await task
        assert len(landings) == 1
        values, error = landings[0]
        assert values is None
        assert isinstance(error, ConnectionError)

    asyncio.run(scenario())


def test_a_callback_check_past_the_budget_gets_a_lookup_expired() -> None:
    async def scenario() -> None:
        rec = Recorder({})
        lookup = CoalescedLookup(rec.fetch, max_in_flight=1, budget_s=0.05)
        landings: Landings = []
        landed = asyncio.Event()

        def then(values: Values | None, error: Exception | None) -> None:
            landings.append((values, error))
            landed.set()

        lookup.lookup_soon(["revoked:a"], then)
        await asyncio.wait_for(landed.wait(), 5.0)  # the budget's timer fails it, or this does
        assert len(landings) == 1
        assert landings[0][0] is None
        assert isinstance(landings[0][1], LookupExpired)
        rec.gates[0].set()
        await _settle()
        assert len(landings) == 1  # the late reply does not call it again
        await lookup.close()

    asyncio.run(scenario())
