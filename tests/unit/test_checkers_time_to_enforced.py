"""I6 time to enforced after heal: a true, a false (late, never) and an unknown history."""

from chaos.checkers import time_to_enforced
from chaos.checkers.crafted import CraftedHistory


def _recovery(w1_checks: list[tuple[float, str]]) -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.call(
        0, "verify", at=0.5, took=0.01, status=200, worker="w0-1", jti="a", check="enforced"
    )
    crafted.call(
        1, "verify", at=0.5, took=0.01, status=200, worker="w1-1", jti="a", check="enforced"
    )
    crafted.fault("proxy_down", inject_at=1.0, heal_at=4.0, effects={"redis_loss"})
    crafted.call(
        0, "verify", at=4.5, took=0.01, status=200, worker="w0-1", jti="a", check="enforced"
    )
    for i, (at, check) in enumerate(w1_checks):
        crafted.call(
            10 + i, "verify", at=at, took=0.01, status=200, worker="w1-1", jti="a", check=check
        )
    return crafted


def test_prompt_recovery_holds() -> None:
    verdict = time_to_enforced(
        _recovery([(4.2, "degraded"), (5.0, "enforced"), (6.0, "enforced")]).history(), budget_s=5
    )
    assert verdict.valid is True
    figures = verdict.figures["heals"]["1:proxy_down"]
    assert figures["w1-1"] == {"first_s": 1.01, "steady_s": 1.01}


def test_flapping_back_to_degraded_counts_until_steady() -> None:
    checks = [(4.1, "enforced"), (7.0, "degraded"), (12.0, "enforced")]
    verdict = time_to_enforced(_recovery(checks).history(), budget_s=5)
    assert verdict.valid is False
    assert "w1-1" in verdict.message
    assert "after 8.01s" in verdict.message
    assert verdict.figures["heals"]["1:proxy_down"]["w1-1"]["first_s"] == 0.11


def test_never_enforced_again_is_caught() -> None:
    verdict = time_to_enforced(
        _recovery([(4.5, "degraded"), (9.5, "degraded")]).history(), budget_s=5
    )
    assert verdict.valid is False
    assert "never" in verdict.message


def test_worker_silent_after_heal_is_unknown() -> None:
    assert time_to_enforced(_recovery([]).history(), budget_s=5).valid == "unknown"


def test_a_worker_first_seen_past_the_budget_already_enforced_is_unknown() -> None:
    # a worker fresh connections rarely reach: when it recovered is not known, not late
    verdict = time_to_enforced(_recovery([(12.0, "enforced")]).history(), budget_s=5)
    assert verdict.valid == "unknown"
    assert "w1-1 after 1:proxy_down (its first verify came 8.01s after the heal" in verdict.message
    # negative control: the same worker seen unenforced before is late
    late = time_to_enforced(
        _recovery([(4.5, "degraded"), (12.0, "enforced")]).history(), budget_s=5
    )
    assert late.valid is False


def test_no_heal_is_unknown() -> None:
    crafted = CraftedHistory()
    crafted.fault("proxy_down", inject_at=1.0, heal_at=None, effects={"redis_loss"})
    crafted.call(
        0, "verify", at=2.0, took=0.01, status=200, worker="w0-1", jti="a", check="degraded"
    )
    assert time_to_enforced(crafted.history(), budget_s=5).valid == "unknown"


def test_not_yet_steady_when_the_run_ends_early_is_unknown() -> None:
    # the history ends 2.5 s after the heal, the budget is 5 s: not proven late
    verdict = time_to_enforced(
        _recovery([(4.5, "degraded"), (6.5, "degraded")]).history(), budget_s=5
    )
    assert verdict.valid == "unknown"
    assert "within the 2.5s watched" in verdict.message


def test_a_call_nobody_answered_names_no_worker_to_wait_for() -> None:
    # a verify that timed out after the heal carries only the URL it was aimed at: I6 waits
    # for the workers that answered (both steady here), not for that URL
    crafted = _recovery([(4.5, "enforced"), (6.0, "enforced")])
    crafted.call(
        20, "verify", at=4.6, took=5.0, type="info", jti="a", error="timeout:crowd",
        target="http://127.0.0.1:9001",
    )  # fmt: skip
    verdict = time_to_enforced(crafted.history(), budget_s=5)
    assert verdict.valid is True, verdict.message


def test_a_call_overtaken_by_the_next_fault_does_not_count_against_recovery() -> None:
    # steady from 4.5 s; a verify invoked at 7.9 s is answered degraded at 8.3 s because the
    # next fault began at 8.0 s: that answer is about the next fault, not this heal
    crafted = _recovery([(4.5, "enforced"), (6.0, "enforced")])
    crafted.call(30, "verify", at=7.9, took=0.4, status=200, worker="w1-1", jti="a",
                 check="degraded")  # fmt: skip
    crafted.fault("proxy_down_2", inject_at=8.0, heal_at=9.0, effects={"redis_loss"})
    for process, worker in ((0, "w0-1"), (1, "w1-1")):
        crafted.call(process, "verify", at=9.5, took=0.01, status=200, worker=worker, jti="a",
                     check="enforced")  # fmt: skip
    verdict = time_to_enforced(crafted.history(), budget_s=5)
    assert verdict.valid is True, verdict.message
    steady = verdict.figures["heals"]["1:proxy_down"]["w1-1"]["steady_s"]
    assert steady == 0.51
