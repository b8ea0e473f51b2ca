"""I9 documented statuses: a true, a false (500, undocumented, hang) and an unknown history."""

from chaos.checkers import documented_statuses
from chaos.checkers.crafted import CraftedHistory


def _calls(extra: tuple[str, int | None] | None = None) -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.call(0, "login", at=0.1, took=0.05, status=200, worker="w0-1")
    crafted.call(0, "verify", at=0.2, took=0.01, status=503, worker="w0-1", jti="a")
    crafted.call(0, "logout", at=0.3, took=0.01, status=401, worker="w0-1", jti="a")
    crafted.call(
        1, "verify", at=0.3, took=0.01, type="fail", error="connect_refused", worker="w1-1"
    )
    if extra is not None:
        f, status = extra
        if status is None:
            crafted.call(
                2,
                f,
                at=0.4,
                took=5.0,
                type="info",
                error="timeout:ReadTimeout",
                worker="w1-1",
                jti="h",
            )
        else:
            crafted.call(2, f, at=0.4, took=0.01, status=status, worker="w1-1", jti="h")
    return crafted


def _with_verify_answer(reply: dict[str, object]) -> CraftedHistory:
    """The calls of ``_calls`` and a verify 200 of token ``mine`` that answered ``reply``."""
    crafted = _calls()
    crafted.call(3, "verify", at=0.5, took=0.01, status=200, worker="w0-1", jti="mine", reply=reply)
    return crafted


def test_matching_answer_is_fine() -> None:
    crafted = _with_verify_answer({"answered_jti": "mine", "answered_sub": None})
    assert documented_statuses(crafted.history()).valid is True


def test_documented_statuses_hold() -> None:
    verdict = documented_statuses(_calls().history())
    assert verdict.valid is True
    assert verdict.figures["answered"] == 3


def test_500_is_caught() -> None:
    verdict = documented_statuses(_calls(("verify", 500)).history())
    assert verdict.valid is False
    assert "status 500 not documented for verify" in verdict.message
    assert "jti h" in verdict.message
    assert "w1-1" in verdict.message


def test_503_on_refresh_is_documented_but_502_is_not() -> None:
    assert documented_statuses(_calls(("refresh", 503)).history()).valid is True
    assert documented_statuses(_calls(("refresh", 502)).history()).valid is False


def test_hang_is_caught() -> None:
    verdict = documented_statuses(_calls(("logout", None)).history())
    assert verdict.valid is False
    assert "hang" in verdict.message


def test_nothing_answered_is_unknown() -> None:
    crafted = CraftedHistory()
    crafted.call(
        1, "verify", at=0.3, took=0.01, type="fail", error="connect_refused", worker="w1-1"
    )
    assert documented_statuses(crafted.history()).valid == "unknown"


def test_a_crossed_answer_is_caught() -> None:
    crafted = _with_verify_answer({"answered_jti": "someone-elses"})
    verdict = documented_statuses(crafted.history())
    assert verdict.valid is False
    assert "another token" in verdict.message
    assert "jti mine" in verdict.message
