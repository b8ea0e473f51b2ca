"""I1 stale accepts: a true, a false and an unknown history."""

from chaos.checkers import stale_accepts
from chaos.checkers.crafted import CraftedHistory


def _logout_then_verifies(verify_status: int) -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.call(0, "login", at=0.0, took=0.05, status=200, worker="w0-10", jti="tok-1")
    crafted.call(0, "logout", at=1.0, took=0.02, status=200, worker="w0-10", jti="tok-1")
    crafted.call(0, "verify", at=1.03, took=0.01, status=verify_status, worker="w1-11", jti="tok-1")
    crafted.call(0, "verify", at=1.05, took=0.01, status=401, worker="w0-10", jti="tok-1")
    return crafted


def test_revoked_token_rejected_everywhere_holds() -> None:
    verdict = stale_accepts(_logout_then_verifies(401).history())
    assert verdict.valid is True
    assert verdict.figures["verifies_after_logout"] == 2


def test_stale_accept_on_another_worker_is_caught() -> None:
    verdict = stale_accepts(_logout_then_verifies(200).history())
    assert verdict.valid is False
    assert verdict.figures["stale_accepts"] == 1
    assert verdict.figures["stale_accepts_by_worker"] == {"w1-11": 1}
    # the message names the invariant, the token, the worker and the wall time
    assert "I1" in verdict.message
    assert "tok-1" in verdict.message
    assert "w1-11" in verdict.message
    assert "2026-01-01T00:00:01.030" in verdict.message
    assert [op.f for op in verdict.offending] == ["verify", "logout"]


def test_verify_concurrent_with_logout_is_not_stale() -> None:
    # invoked before the logout completed: either answer is linearizable
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=1.0, took=0.05, status=200, worker="w0-10", jti="t")
    crafted.call(1, "verify", at=1.02, took=0.01, status=200, worker="w1-11", jti="t")
    crafted.call(1, "verify", at=1.10, took=0.01, status=401, worker="w1-11", jti="t")
    verdict = stale_accepts(crafted.history())
    assert verdict.valid is True
    assert verdict.figures["verifies_after_logout"] == 1


def test_no_verify_after_a_logout_is_unknown() -> None:
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=1.0, took=0.02, status=200, worker="w0-10", jti="t")
    crafted.call(0, "verify", at=1.1, took=None, worker="w1-11", jti="t")  # outcome unknown
    crafted.call(1, "logout", at=1.0, took=0.02, status=503, worker="w0-10", jti="u")
    crafted.call(1, "verify", at=1.1, took=0.01, status=200, worker="w0-10", jti="u")
    assert stale_accepts(crafted.history()).valid == "unknown"


def _degraded_accept_after_logout(*, fault: tuple[float, float] | None) -> CraftedHistory:
    crafted = CraftedHistory()
    if fault is not None:
        crafted.fault("proxy_down", inject_at=fault[0], heal_at=fault[1], effects={"redis_loss"})
    crafted.call(0, "logout", at=1.0, took=0.01, status=200, worker="w2-3", jti="t")
    crafted.call(
        1, "verify", at=1.1, took=0.01, status=200, worker="w0-1", jti="t", check="degraded"
    )
    return crafted


def test_degraded_accept_while_redis_is_cut_is_left_to_i2() -> None:
    # fail-open's documented cost: a worker that cannot reach Redis cannot see a revocation
    # written through another worker during the loss
    verdict = stale_accepts(_degraded_accept_after_logout(fault=(0.5, 3.0)).history())
    assert verdict.valid is True
    assert verdict.figures["degraded_accepts_during_faults"] == 1


def test_degraded_accept_within_recovery_after_heal_is_left_to_i2() -> None:
    crafted = _degraded_accept_after_logout(fault=(0.2, 0.9))
    assert stale_accepts(crafted.history(), recovery_s=1.0).valid is True


def test_degraded_accept_long_after_the_heal_is_a_stale_accept() -> None:
    # negative control: "degraded" is no excuse once the recovery allowance has passed
    crafted = _degraded_accept_after_logout(fault=(0.2, 0.5))
    verdict = stale_accepts(crafted.history(), recovery_s=0.1)
    assert verdict.valid is False
    assert "degraded" in verdict.message


def test_degraded_accept_without_any_fault_is_a_stale_accept() -> None:
    # negative control: a service that marks everything degraded does not escape I1
    verdict = stale_accepts(_degraded_accept_after_logout(fault=None).history())
    assert verdict.valid is False
    assert verdict.figures["stale_accepts_by_worker"] == {"w0-1": 1}


def test_an_unmarked_accept_in_flight_when_redis_is_cut_is_left_to_i2() -> None:
    # a service with no degraded signal, its worker working off a backlog: the verify was
    # invoked just before the inject and answered (failing open) after it
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=0.5, took=0.01, status=200, worker="pid-3", jti="t")
    crafted.call(1, "verify", at=0.9, took=0.5, status=200, worker="pid-1", jti="t", check=None)
    crafted.fault("proxy_down", inject_at=1.0, heal_at=3.0, effects={"redis_loss"})
    assert stale_accepts(crafted.history(), signal=False).valid is True
    # negative control: answered before the inject, it is a stale accept
    early = CraftedHistory()
    early.call(0, "logout", at=0.5, took=0.01, status=200, worker="pid-3", jti="t")
    early.call(1, "verify", at=0.7, took=0.05, status=200, worker="pid-1", jti="t", check=None)
    early.fault("proxy_down", inject_at=1.0, heal_at=3.0, effects={"redis_loss"})
    assert stale_accepts(early.history(), signal=False).valid is False
