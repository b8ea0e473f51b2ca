"""I10 pool and breaker hygiene from /metrics snapshots: true, false and unknown."""

from chaos.checkers import pool_breaker
from chaos.workload.metrics import MetricsSnapshot

BEFORE = MetricsSnapshot.from_text(
    'auth_breaker_opened_total{worker="w0"} 1\nauth_breaker_opened_total{worker="w1"} 0\n'
    'auth_breaker_probes_total{worker="w0"} 1\n'
)


def _after(in_use: int = 0, state: int = 0, probes_w1: int = 1) -> MetricsSnapshot:
    return MetricsSnapshot.from_text(
        f'auth_redis_pool_in_use{{worker="w0"}} 0\nauth_redis_pool_in_use{{worker="w1"}} {in_use}\n'
        f'auth_breaker_state{{worker="w0"}} 0\nauth_breaker_state{{worker="w1"}} {state}\n'
        'auth_breaker_opened_total{worker="w0"} 2\nauth_breaker_opened_total{worker="w1"} 1\n'
        'auth_breaker_probes_total{worker="w0"} 2\n'
        f'auth_breaker_probes_total{{worker="w1"}} {probes_w1}\n'
    )


def test_clean_pools_and_breakers_hold() -> None:
    verdict = pool_breaker(BEFORE, _after(), expect_breaker_open=True)
    assert verdict.valid is True
    assert verdict.figures["breaker_opened"] == {"w0": 1.0, "w1": 1.0}


def test_leaked_pool_connection_is_caught() -> None:
    verdict = pool_breaker(BEFORE, _after(in_use=3), expect_breaker_open=False)
    assert verdict.valid is False
    assert "worker w1 still has 3 pool connections in use" in verdict.message


def test_breaker_left_open_is_caught() -> None:
    assert pool_breaker(BEFORE, _after(state=1), expect_breaker_open=True).valid is False


def test_probe_storm_is_caught() -> None:
    verdict = pool_breaker(BEFORE, _after(probes_w1=7), expect_breaker_open=True)
    assert verdict.valid is False
    assert "worker w1 sent 7 probes, more than its 1 possible open interval" in verdict.message


def test_one_probe_per_reset_during_a_long_outage_is_fine() -> None:
    # one opening, a 3 s outage, reset 1 s: failed probes re-open it, up to 1 + 3 intervals
    fine = pool_breaker(BEFORE, _after(probes_w1=4), expect_breaker_open=True, outage_s=3.0)
    assert fine.valid is True
    storm = pool_breaker(BEFORE, _after(probes_w1=5), expect_breaker_open=True, outage_s=3.0)
    assert storm.valid is False


def test_breaker_that_never_opened_is_caught_when_expected() -> None:
    verdict = pool_breaker(_after(), _after(), expect_breaker_open=True)
    assert verdict.valid is False
    assert "never opened" in verdict.message


def test_missing_snapshot_is_unknown() -> None:
    assert pool_breaker(None, _after(), expect_breaker_open=True).valid == "unknown"
    assert (
        pool_breaker(BEFORE, MetricsSnapshot.from_text(""), expect_breaker_open=False).valid
        == "unknown"
    )
