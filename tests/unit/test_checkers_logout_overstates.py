"""I4 logouts that overstate: a true, a false and an unknown history."""

from chaos.checkers import logout_overstates
from chaos.checkers.crafted import CraftedHistory


def _logouts() -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.call(
        0, "logout", at=1.0, took=0.01, status=200, worker="w0-1", jti="a", value={"exp": 500}
    )
    crafted.call(
        1, "logout", at=1.0, took=0.01, status=200, worker="w1-1", jti="b", value={"exp": 900}
    )
    crafted.call(2, "logout", at=1.0, took=0.01, status=503, worker="w1-1", jti="c")
    return crafted


def test_every_acknowledged_revocation_in_redis_holds() -> None:
    verdict = logout_overstates(_logouts().history(), {"a", "b"})
    assert verdict.valid is True
    assert verdict.figures["logouts_acknowledged"] == 2


def test_missing_revocation_is_caught() -> None:
    verdict = logout_overstates(_logouts().history(), {"a", "c"})
    assert verdict.valid is False
    assert verdict.figures["missing"] == 1
    assert "I4" in verdict.message
    assert "jti b" in verdict.message
    assert "w1-1" in verdict.message


def test_expired_token_key_may_be_gone() -> None:
    verdict = logout_overstates(_logouts().history(), {"b"}, read_at_epoch_s=600)
    assert verdict.valid is True
    assert verdict.figures["skipped_expired"] == 1


def test_unread_redis_is_unknown() -> None:
    assert logout_overstates(_logouts().history(), None).valid == "unknown"


def test_no_acknowledged_logout_is_unknown() -> None:
    crafted = CraftedHistory()
    crafted.call(2, "logout", at=1.0, took=0.01, status=503, worker="w1-1", jti="c")
    assert logout_overstates(crafted.history(), set()).valid == "unknown"
