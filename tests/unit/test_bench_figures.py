"""Pure parts of the benchmarks: wrk output, histograms, trends, soak verdicts, metric parsing."""

from __future__ import annotations

import pytest

from benchmarks.probes import gauge_by_worker, series_sum, worker_pid
from benchmarks.soak import Sample, judge
from benchmarks.trend import second_half_slope, slope
from benchmarks.verify_vs_health import Comparison, CpuCost, rounds_summary
from benchmarks.wrk import WrkError, WrkResult, duration_ms, parse
from chaos.workload.crowd import REVOKED_ACCEPTED, judge_answer
from chaos.workload.histogram import Histogram
from chaos.workload.http1 import Answer
from chaos.workload.tally import Tally

WRK_OUTPUT = """\
Running 2s test @ http://127.0.0.1:4000/auth/verify
  2 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     6.93ms    4.01ms  44.95ms   78.12%
    Req/Sec     4.90k   400.00     5.50k    70.00%
  Latency Distribution
     50%    6.54ms
     75%    8.00ms
     90%   11.87ms
     99%   44.95ms
  48901 requests in 5.01s, 9.00MB read
  Non-2xx or 3xx responses: 12
  Socket errors: connect 0, read 3, write 0, timeout 2
Requests/sec:   9751.20
Transfer/sec:      1.80MB
auth-chaos: checked=48901 unexpected=12
"""


def test_wrk_output_is_read() -> None:
    result = parse(WRK_OUTPUT)
    assert result.requests == 48901
    assert result.requests_per_s == pytest.approx(9751.20)
    assert (result.p50_ms, result.p90_ms, result.p99_ms) == (6.54, 11.87, 44.95)
    assert (result.checked, result.unexpected) == (48901, 12)
    assert (result.non_2xx, result.socket_errors) == (12, 5)


def test_wrk_percentiles_with_trailing_spaces_are_read() -> None:
    # wrk pads seconds ("1.60s ") to the width of "ms"
    assert parse(WRK_OUTPUT.replace("44.95ms", "1.60s ")).p99_ms == 1600.0


def test_wrk_output_without_the_check_line_is_refused() -> None:
    with pytest.raises(WrkError, match="auth-chaos"):
        parse(WRK_OUTPUT.replace("auth-chaos: checked=48901 unexpected=12\n", ""))


@pytest.mark.parametrize(
    ("text", "ms"), [("512.00us", 0.512), ("1.5ms", 1.5), ("2.00s", 2000.0), ("1.00m", 60000.0)]
)
def test_wrk_durations(text: str, ms: float) -> None:
    assert duration_ms(text) == pytest.approx(ms)


def test_wrk_duration_garbage_is_refused() -> None:
    with pytest.raises(WrkError):
        duration_ms("fast")


def test_histogram_percentiles_within_a_bucket() -> None:
    h = Histogram()
    for ms in range(1, 101):
        h.record(ms * 1000.0)
    p50, p99 = h.percentile(0.5), h.percentile(0.99)
    assert p50 is not None
    assert 50 <= p50 <= 50 * 1.03
    assert p99 is not None
    assert 99 <= p99 <= 99 * 1.03
    assert Histogram().percentile(0.5) is None


def test_tally_survives_the_trip_between_processes() -> None:
    tally = Tally()
    tally.record("verify", 1500.0, None)
    tally.record("verify", 2500.0, "verify: 503")
    tally.record("verify_revoked", 900.0, "verify_revoked: 200 (REVOKED TOKEN ACCEPTED)")
    back = Tally.from_snapshot(tally.snapshot())
    back.merge(Tally.from_snapshot(tally.snapshot()))
    assert back.requests == 6
    assert back.routes["verify"].ok == 2
    assert back.failed == 4
    assert back.errors["verify: 503"] == 2


def test_slope_of_a_line_and_of_noise() -> None:
    xs = [0.0, 1.0, 2.0, 3.0]
    assert slope(xs, [1.0, 3.0, 5.0, 7.0]) == pytest.approx(2.0)
    assert slope(xs, [5.0, 5.0, 5.0, 5.0]) == 0.0
    assert second_half_slope([0, 1, 2, 3, 4, 5], [0, 50, 100, 100, 100, 100]) == 0.0


def _samples(rss: list[float | None]) -> list[Sample]:
    return [
        Sample(t * 30.0, {"w0-1": r}, {"w0-1": r}, {"w0-1": 0.0}, {}, "0")
        for t, r in enumerate(rss)
    ]


def test_soak_passes_a_flat_worker() -> None:
    verdict = judge(_samples([80, 95, 100, 100.2, 100.1, 100.3]), ["w0-1"], {"w0-1": 0}, 1.0)
    assert verdict.passed, verdict.failures


def test_soak_fails_a_growing_worker() -> None:
    growing = _samples([80, 90, 100, 110, 120, 130])  # 20 MiB per minute
    verdict = judge(growing, ["w0-1"], {"w0-1": 0}, 1.0)
    assert not verdict.passed
    assert "RSS floor grows" in verdict.failures[0]


def test_soak_fails_a_replaced_worker_and_a_busy_pool() -> None:
    verdict = judge(_samples([80, 80, 80, None, None, None]), ["w0-1"], {"w0-1": 2}, 1.0)
    assert any("gone" in f for f in verdict.failures)
    assert any("still in use" in f for f in verdict.failures)


def test_gauges_are_read_per_worker() -> None:
    text = (
        "# TYPE auth_redis_pool_in_use gauge\n"
        'auth_redis_pool_in_use{worker="w0-101"} 3.0\n'
        'auth_redis_pool_in_use{worker="w1-102"} 0.0\n'
        'auth_revocations_local{worker="w0-101"} 7.0\n'
    )
    assert gauge_by_worker(text, "auth_redis_pool_in_use") == {"w0-101": 3.0, "w1-102": 0.0}
    assert worker_pid("w1-102") == 102
    assert worker_pid("worker") is None


def test_series_are_summed_over_workers_and_routes_with_a_label_filter() -> None:
    text = (
        'auth_requests_shed_total{route="/auth/verify",worker="w0-1"} 4.0\n'
        'auth_requests_shed_total{route="/auth/logout",worker="w1-2"} 2.0\n'
        'auth_revocation_check_total{result="unavailable",worker="w0-1"} 3.0\n'
        'auth_revocation_check_total{result="enforced",worker="w0-1"} 90.0\n'
    )
    assert series_sum(text, "auth_requests_shed_total") == 6.0
    assert series_sum(text, "auth_revocation_check_total", 'result="unavailable"') == 3.0
    assert series_sum(text, "auth_breaker_opened_total") is None  # another service's metrics


def test_the_load_judge_names_every_wrong_answer() -> None:
    enforced = {b"x-revocation-check": b"enforced"}
    assert judge_answer("verify", Answer(200, enforced, b"{}"), "enforced") is None
    assert judge_answer("verify", Answer(200, {}, b""), "degraded") == "verify: 200 degraded"
    assert judge_answer("verify", Answer(503, {}, b"")) == "verify: 503"
    assert judge_answer("verify_revoked", Answer(401, {}, b"")) is None
    assert judge_answer("verify_revoked", Answer(200, enforced, b"{}")) == REVOKED_ACCEPTED
    assert judge_answer("login", Answer(429, {}, b"")) == "login: 429"


def test_rounds_summary_gives_every_ratio_and_the_median() -> None:
    def wrk(rps: float) -> WrkResult:
        return WrkResult(1000, rps, 1.0, 2.0, 3.0, 1000, 0, 0, 0)

    def comparison(health_rps: float, verify_rps: float, verify_us: float) -> Comparison:
        return Comparison(
            wrk(health_rps), wrk(verify_rps), 401, 401, "l", "l", "t",
            CpuCost(30.0, None, None), CpuCost(verify_us, None, None),
        )  # fmt: skip

    line = rounds_summary(
        [comparison(100, 60, 60.0), comparison(100, 95, 40.0), comparison(100, 90, 50.0)]
    )
    assert line.startswith("ratio verify/health per round: 0.60, 0.95, 0.90; median 0.90 (meets")
    assert line.endswith("CPU ratio per round: 0.50, 0.75, 0.60, median 0.60")
    below = rounds_summary([comparison(100, 60, 60.0)])
    assert "median 0.60 (BELOW the target" in below  # the control: a low median is called out
