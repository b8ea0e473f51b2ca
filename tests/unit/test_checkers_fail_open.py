"""I2 fail-open: true, false (each clause) and unknown histories."""

from chaos.checkers import fail_open
from chaos.checkers.crafted import CraftedHistory


def _window(crafted: CraftedHistory) -> None:
    crafted.fault("redis_sigstop", inject_at=1.0, heal_at=10.0, effects={"redis_loss"})


def _one_verify_in_window(at: float, check: str) -> CraftedHistory:
    """A Redis loss from 1 s to 10 s and one verify 200 of token ``a`` by ``w0-1``."""
    crafted = CraftedHistory()
    _window(crafted)
    crafted.call(0, "verify", at=at, took=0.3, status=200, worker="w0-1", jti="a", check=check)
    return crafted


def test_degraded_and_counted_holds() -> None:
    crafted = _one_verify_in_window(at=1.5, check="degraded")
    crafted.call(
        1, "verify", at=1.6, took=0.3, status=200, worker="w1-1", jti="b", check="degraded"
    )
    verdict = fail_open(
        crafted.history(), degraded_bound_s=60, degraded_metric_delta={"w0": 1.0, "w1": 1.0}
    )
    assert verdict.valid is True
    assert verdict.figures["degraded_accepts"] == 2


def test_enforced_200_during_loss_is_caught() -> None:
    crafted = _one_verify_in_window(at=1.5, check="enforced")
    verdict = fail_open(crafted.history(), degraded_bound_s=60, degraded_metric_delta={"w0": 5.0})
    assert verdict.valid is False
    assert "not 'degraded'" in verdict.message
    assert "w0-1" in verdict.message


def test_token_revoked_before_the_loss_accepted_is_caught() -> None:
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=0.2, took=0.01, status=200, worker="w0-1", jti="old")
    _window(crafted)
    crafted.call(
        1, "verify", at=2.0, took=0.3, status=200, worker="w1-1", jti="old", check="degraded"
    )
    verdict = fail_open(
        crafted.history(), degraded_bound_s=60, degraded_metric_delta={"w1": 1.0}, known_after_s=0.5
    )
    assert verdict.valid is False
    assert "revoked before the loss" in verdict.message
    assert "old" in verdict.message


def test_200_past_the_degraded_bound_is_caught() -> None:
    crafted = _one_verify_in_window(at=8.0, check="degraded")
    verdict = fail_open(crafted.history(), degraded_bound_s=5, degraded_metric_delta={"w0": 1.0})
    assert verdict.valid is False
    assert "past the degraded bound" in verdict.message


def test_metric_that_undercounts_is_caught() -> None:
    crafted = CraftedHistory()
    _window(crafted)
    for i in range(3):
        crafted.call(
            i, "verify", at=1.5, took=0.3, status=200, worker="w0-1", jti="a", check="degraded"
        )
    verdict = fail_open(crafted.history(), degraded_bound_s=60, degraded_metric_delta={"w0": 1.0})
    assert verdict.valid is False
    assert "auth_revocation_degraded_total" in verdict.message


def test_no_metric_is_unknown_not_pass() -> None:
    crafted = _one_verify_in_window(at=1.5, check="degraded")
    assert (
        fail_open(crafted.history(), degraded_bound_s=60, degraded_metric_delta=None).valid
        == "unknown"
    )


def test_no_verify_during_loss_is_unknown() -> None:
    crafted = CraftedHistory()
    _window(crafted)
    verdict = fail_open(crafted.history(), degraded_bound_s=60, degraded_metric_delta={})
    assert verdict.valid == "unknown"


def test_revocation_just_before_the_loss_gets_propagation_slack() -> None:
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=0.9, took=0.01, status=200, worker="w0-1", jti="fresh")
    _window(crafted)
    crafted.call(
        1, "verify", at=2.0, took=0.3, status=200, worker="w1-1", jti="fresh", check="degraded"
    )
    history = crafted.history()
    assert fail_open(history, degraded_bound_s=60, degraded_metric_delta={"w1": 1.0}).valid is True
    strict = fail_open(
        history, degraded_bound_s=60, degraded_metric_delta={"w1": 1.0}, known_after_s=0
    )
    assert strict.valid is False


def test_an_unchecked_accept_in_flight_at_the_inject_of_a_token_revoked_before_is_caught() -> None:
    # a service with no degraded signal working off a backlog: the verify was invoked just
    # before the inject and failed open after it (I1 leaves it to I2)
    crafted = CraftedHistory()
    crafted.call(0, "logout", at=0.1, took=0.01, status=200, worker="pid-3", jti="t")
    crafted.call(1, "verify", at=1.4, took=0.5, status=200, worker="pid-1", jti="t", check=None)
    crafted.fault("proxy_down", inject_at=1.5, heal_at=3.0, effects={"redis_loss"})
    crafted.call(1, "verify", at=2.0, took=0.01, status=200, worker="pid-1", jti="u", check=None)
    verdict = fail_open(
        crafted.history(), degraded_bound_s=60, degraded_metric_delta=None, signal=False
    )
    assert verdict.valid is False
    assert "token revoked before the loss accepted (in flight)" in verdict.message
    # negative control: the same token refused in flight is fine
    refused = CraftedHistory()
    refused.call(0, "logout", at=0.1, took=0.01, status=200, worker="pid-3", jti="t")
    refused.call(1, "verify", at=1.4, took=0.5, status=401, worker="pid-1", jti="t", check=None)
    refused.fault("proxy_down", inject_at=1.5, heal_at=3.0, effects={"redis_loss"})
    refused.call(1, "verify", at=2.0, took=0.01, status=200, worker="pid-1", jti="u", check=None)
    fine = fail_open(
        refused.history(), degraded_bound_s=60, degraded_metric_delta=None, signal=False
    )
    assert fine.valid is True
