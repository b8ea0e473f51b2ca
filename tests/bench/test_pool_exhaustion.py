"""benchmarks.pool_exhaustion, briefly: the reference's pool driven to its limit; prints the
answers and asserts the contract's (503 + Retry-After or a local answer, no 500, no degraded,
pool drained)."""

from __future__ import annotations

import pytest

from benchmarks.pool_exhaustion import main

pytestmark = [pytest.mark.bench, pytest.mark.integration]


def test_a_full_pool_is_shed_with_retry_after_and_drains(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = main(["--duration", "4", "--clients", "48"])
    out = capsys.readouterr().out
    print(out)
    assert code == 0, out
    assert "the pool FILLED" in out, out
    guesses = next(line for line in out.splitlines() if line.startswith("| guess |"))
    assert "401" in guesses, guesses  # a failed login counted while the pool was full
