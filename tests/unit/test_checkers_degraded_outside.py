"""I2-outside: degraded answers only inside a Redis fault window or its heal allowance."""

from chaos.checkers import degraded_outside_faults
from chaos.checkers.crafted import CraftedHistory


def _history(degraded_at: float) -> CraftedHistory:
    crafted = CraftedHistory()
    crafted.call(0, "verify", at=0.5, took=0.01, status=200, worker="w0-1", jti="a",
                 check="enforced")  # fmt: skip
    crafted.fault("proxy_down", inject_at=2.0, heal_at=4.0, effects={"redis_loss"})
    crafted.call(1, "verify", at=degraded_at, took=0.01, status=200, worker="w1-1", jti="b",
                 check="degraded")  # fmt: skip
    crafted.call(0, "verify", at=9.0, took=0.01, status=200, worker="w0-1", jti="a",
                 check="enforced")  # fmt: skip
    return crafted


def test_degraded_inside_the_window_or_its_allowance_holds() -> None:
    for at in (3.0, 5.5):
        verdict = degraded_outside_faults(_history(at).history(), recovery_s=2.0)
        assert verdict.valid is True, verdict.message
        assert verdict.figures["degraded_inside_faults"] == 1


def test_degraded_before_any_fault_or_past_the_allowance_is_caught() -> None:
    for at in (1.0, 7.0):
        verdict = degraded_outside_faults(_history(at).history(), recovery_s=2.0)
        assert verdict.valid is False
        assert verdict.message.startswith("I2-outside violated: 1 degraded 200(s)")
        assert "jti b" in verdict.message
        assert "worker w1-1" in verdict.message
        assert verdict.offending


def test_no_verify_outside_the_windows_is_unknown() -> None:
    crafted = CraftedHistory()
    crafted.fault("proxy_down", inject_at=1.0, heal_at=2.0, effects={"redis_loss"})
    crafted.call(0, "verify", at=1.5, took=0.01, status=200, worker="w0-1", jti="a",
                 check="degraded")  # fmt: skip
    assert degraded_outside_faults(crafted.history(), recovery_s=2.0).valid == "unknown"
