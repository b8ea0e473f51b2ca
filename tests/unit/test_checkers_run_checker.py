"""A checker that raises yields unknown, never a pass; any False fails the gate."""

from chaos.checkers import CheckInputs, Verdict, check_history, gate_passes, run_checker
from chaos.checkers.crafted import CraftedHistory


def _explodes() -> Verdict:
    raise KeyError("worker")


def test_a_checker_that_raises_is_unknown() -> None:
    verdict = run_checker("I7", _explodes)
    assert verdict.valid == "unknown"
    assert verdict.invariant == "I7"
    assert "KeyError" in verdict.message
    assert gate_passes([verdict])


def test_any_false_fails_the_gate() -> None:
    ok = Verdict("I1", True)
    unknown = Verdict("I2", "unknown")
    bad = Verdict("I4", False)
    assert gate_passes([ok, unknown])
    assert not gate_passes([ok, unknown, bad])


def test_the_suite_runs_every_checker_on_a_history() -> None:
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=1.0, took=0.01, status=200, worker="w0-1", jti="a")
    crafted.call(
        0, "verify", at=1.1, took=0.01, status=200, worker="w1-1", jti="a", check="enforced"
    )
    verdicts = check_history(
        crafted.history(), CheckInputs(failure_mode="closed", revoked_jtis={"a"})
    )
    assert [v.invariant for v in verdicts] == ["I1", "I3", "I4", "I5", "I6", "I9", "I10"]
    assert verdicts[0].valid is False
    assert verdicts[2].valid is True
    assert not gate_passes(verdicts)


def test_verdict_json_round_trip() -> None:
    crafted = CraftedHistory()
    crafted.call(0, "verify", at=1.1, took=0.01, status=500, worker="w1-1", jti="a")
    (verdict,) = [v for v in check_history(crafted.history(), CheckInputs()) if v.invariant == "I9"]
    assert Verdict.from_json(verdict.to_json()) == verdict
