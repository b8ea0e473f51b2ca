"""I7 (worker crash contained) and the victim's outage, on histories written by hand; the
victim is what the worker fault recorded at its inject."""

from __future__ import annotations

from chaos.checkers import victim_of
from chaos.checkers.crafted import CraftedHistory
from chaos.checkers.worker_crash import without_victim_outage, worker_crash_contained
from chaos.faults import WORKER_LOSS

VICTIM, OTHER = "http://127.0.0.1:9001", "http://127.0.0.1:9000"
HIT = {"victim": {"target": VICTIM, "worker": "w1-11", "replaced": True}}


def crash(new_answer: int = 401, other_error: str | None = None) -> CraftedHistory:
    """w1-11 on VICTIM is killed at 2.0; w1-12 answers from 3.0 on."""
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=0.5, took=0.01, status=200, worker="w0-10", jti="r", target=OTHER)
    crafted.call(1, "verify", at=1.0, took=0.01, status=200, worker="w1-11", jti="a", target=VICTIM)
    crafted.fault("worker_kill9", inject_at=2.0, heal_at=2.1, effects={WORKER_LOSS}, details=HIT)
    crafted.call(1, "verify", at=2.2, took=0.9, status=401, worker="w1-12", jti="r", target=VICTIM)
    crafted.call(
        1, "verify", at=3.2, took=0.01, status=new_answer, worker="w1-12", jti="r", target=VICTIM
    )
    if other_error:
        crafted.call(2, "verify", at=2.5, took=0.01, type="info", error=other_error, target=OTHER)
    else:
        crafted.call(2, "verify", at=2.5, took=0.01, status=200, worker="w0-10", target=OTHER)
    return crafted


def test_replaced_worker_enforcing_earlier_revocations_holds() -> None:
    verdict = worker_crash_contained(crash().history())
    assert verdict.valid is True, verdict.message
    assert verdict.figures["replacements"] == ["w1-12"]


def test_replacement_accepting_an_earlier_revocation_is_caught() -> None:
    history = crash(new_answer=200).history()
    verdict = worker_crash_contained(history)
    assert verdict.valid is False
    assert "w1-12 accepted (200) token jti r" in verdict.message


def test_other_worker_hurt_during_the_outage_is_caught() -> None:
    history = crash(other_error="connection_dropped:ReadError").history()
    verdict = worker_crash_contained(history)
    assert verdict.valid is False
    assert "other workers hurt" in verdict.message


def test_no_replacement_is_caught() -> None:
    crafted = CraftedHistory()
    crafted.fault("worker_kill9", inject_at=2.0, heal_at=2.1, effects={WORKER_LOSS}, details=HIT)
    crafted.call(
        1, "verify", at=2.2, took=0.01, type="fail", error="connect_refused", target=VICTIM
    )
    verdict = worker_crash_contained(crafted.history())
    assert verdict.valid is False
    assert "no process answered" in verdict.message


def test_the_victim_is_read_from_the_fault_op() -> None:
    victim = victim_of(crash().history())
    assert victim is not None
    assert (victim.target, victim.worker, victim.replaced) == (VICTIM, "w1-11", True)


def test_a_worker_fault_without_a_recorded_victim_is_unknown() -> None:
    crafted = CraftedHistory()
    crafted.fault("worker_kill9", inject_at=2.0, heal_at=2.1, effects={WORKER_LOSS})
    crafted.call(1, "verify", at=2.2, took=0.01, status=200, worker="w1-12", target=VICTIM)
    verdict = worker_crash_contained(crafted.history())
    assert verdict.valid == "unknown"
    assert "recorded victim" in verdict.message


def test_no_worker_fault_is_unknown() -> None:
    crafted = CraftedHistory()
    crafted.call(1, "verify", at=1.0, took=0.01, status=200, worker="w1-11", target=VICTIM)
    verdict = worker_crash_contained(crafted.history())
    assert verdict.valid == "unknown"


def test_outage_calls_aimed_at_the_victim_are_set_aside() -> None:
    victim = victim_of(crash().history())
    assert victim is not None
    scoped, set_aside = without_victim_outage(crash().history(), victim)
    # the slow first answer of the replacement (invoked during the outage) is set aside,
    # the calls before the crash, after its first answer and to other workers stay
    assert set_aside == 1
    assert [c.start_ns for c in scoped.calls() if c.invoke.target == VICTIM][-1] > 0
    assert len(scoped.calls()) == 4


SHARED = "http://127.0.0.1:9000"  # one port for every worker: workers named by their process
HIT_SHARED = {"victim": {"target": SHARED, "worker": "pid-11", "replaced": True}}


def shared_crash(new_answer: int = 401, other_status: int = 200) -> CraftedHistory:
    """pid-11 (of pid-10, pid-11) is killed at 2.0; pid-12 answers from 3.0 on."""
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=0.5, took=0.01, status=200, worker="pid-10", jti="r",
                 target=SHARED)  # fmt: skip
    crafted.call(1, "verify", at=1.0, took=0.01, status=200, worker="pid-11", jti="a",
                 target=SHARED)  # fmt: skip
    crafted.fault("worker_kill9", inject_at=2.0, heal_at=2.1, effects={WORKER_LOSS},
                  details=HIT_SHARED)  # fmt: skip
    crafted.call(
        1, "verify", at=2.2, took=0.5, type="info", error="timeout:ReadTimeout", target=SHARED
    )  # fmt: skip  (on the victim's connection: nobody to blame)
    crafted.call(2, "verify", at=2.3, took=0.01, status=other_status, worker="pid-10",
                 target=SHARED)  # fmt: skip
    crafted.call(1, "verify", at=3.2, took=0.01, status=new_answer, worker="pid-12", jti="r",
                 target=SHARED)  # fmt: skip
    return crafted


def test_on_a_shared_port_a_new_process_enforcing_earlier_revocations_holds() -> None:
    verdict = worker_crash_contained(shared_crash().history())
    assert verdict.valid is True, verdict.message
    assert verdict.figures["replacements"] == ["pid-12"]


def test_on_a_shared_port_the_new_process_accepting_a_revoked_token_is_caught() -> None:
    verdict = worker_crash_contained(shared_crash(new_answer=200).history())
    assert verdict.valid is False
    assert "pid-12 accepted (200) token jti r" in verdict.message


def test_on_a_shared_port_another_worker_failing_is_caught() -> None:
    verdict = worker_crash_contained(shared_crash(other_status=500).history())
    assert verdict.valid is False
    assert "other workers hurt" in verdict.message


def test_on_a_shared_port_the_victims_unanswered_calls_are_set_aside() -> None:
    history = shared_crash().history()
    victim = victim_of(history)
    assert victim is not None
    scoped, set_aside = without_victim_outage(history, victim)
    assert len(scoped.calls()) == len(history.calls()) - 1
    assert set_aside == 1  # the timeout on the victim's connection
