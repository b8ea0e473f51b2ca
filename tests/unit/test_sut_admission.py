"""The worker's admission: the limit, FIFO waits, sheds at arrival, two classes."""

from __future__ import annotations

import random

import pytest

from system_under_test.admission import LOGIN, RETRY_AFTER_S, SESSION, Admission


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Request:
    """A fake parsed request: records whether it started or was shed, and when."""

    def __init__(self, log: list[str], name: str) -> None:
        self.log = log
        self.name = name
        self.left = False
        self.retry_after: int | None = None

    def start(self) -> None:
        self.log.append(self.name)

    def shed(self, retry_after_s: int) -> None:
        self.retry_after = retry_after_s
        self.log.append(f"shed {self.name}")

    def gone(self) -> bool:
        return self.left


def admission(limit: int = 2, wait_s: float = 1.0) -> tuple[Admission, Clock, list[str]]:
    clock = Clock()
    made = Admission(limit, wait_s, clock=clock, rng=random.Random(1))
    return made, clock, []


def test_requests_under_the_limit_start_at_once_and_the_rest_wait_in_arrival_order() -> None:
    gate, _, log = admission(limit=2)
    for name in "abcd":
        gate.arrive(Request(log, name), SESSION)
    assert log == ["a", "b"]
    assert gate.running == 2
    assert gate.waiting(SESSION) == 2
    gate.finished()
    assert log == ["a", "b", "c"]
    gate.finished()
    gate.finished()
    assert log == ["a", "b", "c", "d"]
    assert gate.running == 1


def test_a_request_is_shed_on_arrival_once_its_queue_has_waited_past_the_bound() -> None:
    gate, clock, log = admission(limit=1, wait_s=1.0)
    gate.arrive(Request(log, "running"), SESSION)
    gate.arrive(Request(log, "queued"), SESSION)
    clock.now += 0.9
    gate.arrive(Request(log, "still in time"), SESSION)
    clock.now += 0.2  # the head has now waited 1.1 s
    late = Request(log, "late")
    gate.arrive(late, SESSION)
    assert log == ["running", "shed late"]
    assert late.retry_after is not None
    assert RETRY_AFTER_S[0] <= late.retry_after <= RETRY_AFTER_S[1]
    assert gate.shed_count == [1, 0]
    gate.finished()
    assert log[-1] == "queued"  # the queued ones still run, in order


def test_in_a_login_storm_the_logins_are_shed_and_the_sessions_still_start() -> None:
    gate, clock, log = admission(limit=1, wait_s=1.0)
    gate.arrive(Request(log, "first"), SESSION)
    for i in range(40):  # 80 completions a second
        gate.arrive(Request(log, f"r{i}"), SESSION)
        clock.now += 0.5 / 40
        gate.finished()
    log.clear()
    for i in range(200):  # a login storm while sessions keep coming
        gate.arrive(Request(log, f"login{i}"), LOGIN)
        if i % 10 == 0:
            gate.arrive(Request(log, f"session{i}"), SESSION)
    shed = [entry for entry in log if entry.startswith("shed")]
    assert shed
    assert all(entry.startswith("shed login") for entry in shed), shed
    for _ in range(30):
        gate.finished()
    started = [entry for entry in log if not entry.startswith("shed")]
    assert any(entry.startswith("session") for entry in started)
    assert any(entry.startswith("login") for entry in started)  # slowed, not starved


def test_a_burst_into_an_empty_queue_is_bounded_by_the_measured_rate() -> None:
    gate, clock, log = admission(limit=1, wait_s=1.0)
    gate.arrive(Request(log, "first"), SESSION)
    for i in range(40):  # 40 completions in 0.5 s: 80 a second
        gate.arrive(Request(log, f"r{i}"), SESSION)
        clock.now += 0.5 / 40
        gate.finished()
    assert gate.rate == pytest.approx(80, rel=0.1)
    log.clear()
    for i in range(100):  # arriving at once: the queue holds 1 s of work after 80 of them
        gate.arrive(Request(log, f"b{i}"), SESSION)
    shed = [entry for entry in log if entry.startswith("shed")]
    assert 15 <= len(shed) <= 25, len(shed)
    assert gate.waiting(SESSION) + len(shed) == 100


def test_logins_get_their_share_while_sessions_wait_and_all_the_rest_when_none_do() -> None:
    gate, _, log = admission(limit=1, wait_s=100.0)
    gate.arrive(Request(log, "running"), SESSION)
    for i in range(8):
        gate.arrive(Request(log, f"s{i}"), SESSION)
        gate.arrive(Request(log, f"l{i}"), LOGIN)
    for _ in range(16):
        gate.finished()
    order = log[1:]
    assert order[:10] == ["s0", "s1", "s2", "s3", "l0", "s4", "s5", "s6", "s7", "l1"]
    assert order[10:] == ["l2", "l3", "l4", "l5", "l6", "l7"]  # no session waits: logins go


def test_a_request_whose_client_left_while_queued_is_skipped() -> None:
    gate, _, log = admission(limit=1)
    gate.arrive(Request(log, "a"), SESSION)
    left = Request(log, "left")
    gate.arrive(left, SESSION)
    gate.arrive(Request(log, "b"), SESSION)
    left.left = True
    gate.finished()
    assert log == ["a", "b"]
    assert gate.running == 1


def test_a_limit_of_zero_admits_everything_at_once() -> None:
    gate, _, log = admission(limit=0)
    for name in "abcdef":
        gate.arrive(Request(log, name), LOGIN)
    assert log == list("abcdef")
    assert not gate.enabled


def test_a_login_is_shed_at_arrival_while_the_password_checks_are_full() -> None:
    full = [True]
    log: list[str] = []
    gate = Admission(4, 1.0, clock=Clock(), rng=random.Random(1), login_full=lambda: full[0])
    refused = Request(log, "login")
    gate.arrive(refused, LOGIN)  # nothing runs or waits: only the password checks are full
    gate.arrive(Request(log, "verify"), SESSION)
    full[0] = False
    gate.arrive(Request(log, "next login"), LOGIN)
    assert log == ["shed login", "verify", "next login"]
    assert refused.retry_after is not None
    assert RETRY_AFTER_S[0] <= refused.retry_after <= RETRY_AFTER_S[1]
    assert gate.shed_count == [0, 1]
    assert gate.running == 2


def test_with_the_admission_off_a_full_password_queue_sheds_nothing_at_arrival() -> None:
    log: list[str] = []
    gate = Admission(0, 1.0, clock=Clock(), rng=random.Random(1), login_full=lambda: True)
    gate.arrive(Request(log, "login"), LOGIN)  # the route's own bound refuses it instead
    assert log == ["login"]
