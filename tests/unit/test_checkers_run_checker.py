"""A checker that raises, or passes on no evidence, yields unknown, never a pass; any False
fails the gate; the runner runs exactly the declared checks."""

import pytest

from chaos.checkers import (
    CHECKS,
    CheckInputs,
    UnknownCheck,
    Verdict,
    checks_for,
    gate_passes,
    run_checker,
    run_checks,
)
from chaos.checkers.crafted import CraftedHistory


def _explodes() -> Verdict:
    raise KeyError("worker")


def test_a_checker_that_raises_is_unknown() -> None:
    verdict = run_checker("I7", _explodes)
    assert verdict.valid == "unknown"
    assert verdict.invariant == "I7"
    assert "KeyError" in verdict.message
    assert gate_passes([verdict])


def test_a_pass_on_no_evidence_is_unknown_with_its_reason() -> None:
    judged_nothing = run_checker("I6", lambda: Verdict("I6", True, evidence=0, unit="workers"))
    assert judged_nothing.valid == "unknown"
    assert judged_nothing.unknown_reason == "no workers to judge"
    silent = run_checker("I6", lambda: Verdict("I6", True))  # did not say what it judged
    assert silent.valid == "unknown"
    assert "without saying what it judged" in silent.message
    judged = run_checker("I6", lambda: Verdict("I6", True, evidence=3, unit="workers"))
    assert judged.valid is True
    failing = run_checker("I6", lambda: Verdict("I6", False, evidence=0))
    assert failing.valid is False  # a violation stands on its own offending calls


def test_any_false_fails_the_gate() -> None:
    ok = Verdict("I1", True)
    unknown = Verdict("I2", "unknown")
    bad = Verdict("I4", False)
    assert gate_passes([ok, unknown])
    assert not gate_passes([ok, unknown, bad])


def _stale() -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=1.0, took=0.01, status=200, worker="w0-1", jti="a")
    crafted.call(
        0, "verify", at=1.1, took=0.01, status=200, worker="w1-1", jti="a", check="enforced"
    )
    return crafted


def test_exactly_the_declared_checks_run_in_order() -> None:
    inputs = CheckInputs(failure_mode="closed", revoked_jtis={"a"})
    verdicts = run_checks(("I4", "I1"), _stale().history(), inputs)
    assert [v.invariant for v in verdicts] == ["I4", "I1"]
    assert verdicts[0].valid is True
    assert verdicts[1].valid is False
    assert not gate_passes(verdicts)


def test_a_check_that_does_not_exist_is_a_declaration_error() -> None:
    with pytest.raises(UnknownCheck, match="I99"):
        run_checks(("I1", "I99"), _stale().history(), CheckInputs())


def test_what_a_scenario_declares_follows_its_faults() -> None:
    assert checks_for({"redis_loss"}, "open") == ("I1", "I2", "I4", "I5", "I6", "I9", "I10")
    assert "I3" in checks_for({"redis_loss"}, "closed")
    assert checks_for({"redis_slow"}, "open") == ("I1", "I4", "I5", "I6", "I9", "I10")
    assert checks_for({"worker_loss"}, "open") == ("I1", "I4", "I5", "I7", "I9", "I10")
    assert checks_for({"redis_loss"}, "open", crowd=True)[-1] == "I2-outside"
    assert checks_for({"failover"}, "open", durability=True) == ("I8", "I9")
    assert checks_for({"redis_loss"}, "open", durability=True) == ("I8", "I2", "I9")
    for effects in ({"redis_loss"}, {"redis_slow"}, {"worker_loss"}):
        assert set(checks_for(effects, "open", crowd=True)) <= set(CHECKS)


def test_verdict_json_round_trip() -> None:
    crafted = CraftedHistory()
    crafted.call(0, "verify", at=1.1, took=0.01, status=500, worker="w1-1", jti="a")
    (verdict,) = run_checks(("I9",), crafted.history(), CheckInputs())
    assert verdict.evidence == 1
    assert Verdict.from_json(verdict.to_json()) == verdict
