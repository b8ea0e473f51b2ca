"""The idle probe's figures: nearest-rank percentiles, and a line that never shows a figure
it did not measure."""

from __future__ import annotations

from benchmarks.idle_probe import ProbeReading, percentile


def test_percentile_is_the_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile(values, 1.0) == 100.0
    assert percentile([7.0], 0.99) == 7.0


def test_a_reading_prints_its_percentiles_and_its_own_lateness() -> None:
    reading = ProbeReading("/health", 0.02, [0.001] * 98 + [0.050, 0.200], [0.0] * 99 + [0.010])
    line = reading.line()
    assert line.startswith("idle client (GET /health every 20 ms, one connection): 100 answers")
    assert "p50 1.0 ms" in line
    assert "p99 50.0 ms" in line
    assert "max 200.0 ms" in line
    assert "wake-up late p99 0.0 ms" in line
    assert "failed" not in line


def test_a_reading_without_answers_shows_no_figure() -> None:
    reading = ProbeReading("/ready", 0.5, failures=3, last_failure="ConnectionRefusedError: x")
    assert reading.line() == (
        "idle client (GET /ready every 500 ms, one connection): no answer timed; "
        "3 failed (ConnectionRefusedError: x)"
    )


def test_a_reading_names_the_workers_that_answered_when_the_service_says() -> None:
    reading = ProbeReading("/health", 0.02, [0.001] * 3, [0.0] * 3, workers={"w1-9": 1, "w0-8": 2})
    assert reading.line().endswith("; answered by w0-8 2, w1-9 1")
    assert "answered by" not in ProbeReading("/health", 0.02, [0.001], [0.0]).line()
