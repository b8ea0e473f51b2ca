"""I3 fail-closed: a true, a false and an unknown history."""

from chaos.checkers import fail_closed
from chaos.checkers.crafted import CraftedHistory


def _loss(statuses: list[int]) -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.call(
        0, "verify", at=0.5, took=0.01, status=200, worker="w0-1", jti="a", check="enforced"
    )
    crafted.fault("proxy_down", inject_at=1.0, heal_at=3.0, effects={"redis_loss"})
    for i, status in enumerate(statuses):
        crafted.call(
            i, "verify", at=1.2 + i * 0.1, took=0.01, status=status, worker=f"w{i}-1", jti="a"
        )
    crafted.call(
        0, "verify", at=3.5, took=0.01, status=200, worker="w0-1", jti="a", check="enforced"
    )
    return crafted


def test_only_503_and_401_during_loss_holds() -> None:
    verdict = fail_closed(_loss([503, 401, 503]).history())
    assert verdict.valid is True
    assert verdict.figures["verifies_during_loss"] == 3
    assert verdict.figures["statuses_during_loss"] == {"503": 2, "401": 1}


def test_a_200_during_loss_is_caught() -> None:
    verdict = fail_closed(_loss([503, 200]).history())
    assert verdict.valid is False
    assert verdict.figures["accepted_during_loss"] == 1
    assert "I3" in verdict.message
    assert "w1-1" in verdict.message
    assert "proxy_down" in verdict.message


def test_no_verify_during_loss_is_unknown() -> None:
    assert fail_closed(_loss([]).history()).valid == "unknown"


def test_slow_redis_is_not_a_loss_window() -> None:
    crafted = CraftedHistory()
    crafted.fault("latency_50ms", inject_at=1.0, heal_at=3.0, effects={"redis_slow"})
    crafted.call(
        0, "verify", at=1.2, took=0.06, status=200, worker="w0-1", jti="a", check="enforced"
    )
    assert fail_closed(crafted.history()).valid == "unknown"
