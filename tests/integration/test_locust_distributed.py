"""Locust's distributed mode through benchmarks.locust_run: a master and two worker
processes on loopback, the reference service started for them, the mix's table printed."""

from __future__ import annotations

import re

import pytest

from benchmarks.locust_run import main

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.timeout(300)
def test_a_master_and_two_workers_run_the_mix(capsys: pytest.CaptureFixture[str]) -> None:
    code = main([
        "--workers", "2", "--users", "20", "--ramp", "20", "--duration", "6",
        "--hash-cost", "16", "--accounts", "20",
    ])  # fmt: skip
    out = capsys.readouterr().out
    print(out)
    assert "master + 2 local worker process(es), 2 connected to the master" in out
    rows = {m["name"]: int(m["requests"].replace(",", "")) for m in re.finditer(
        r"^\| (?P<name>[a-z_A-Z]+) \| (?P<requests>[\d,]+) \|", out, re.MULTILINE)}  # fmt: skip
    assert rows["Aggregated"] > 0
    assert rows["verify"] > 0
    assert rows["login"] > 0
    failures = [line for line in out.splitlines() if line.startswith("- ")]
    # locust exits 1 on any failed request: only the contract's overload answers may be there
    assert code == 0 or all(("429" in f or "503" in f) for f in failures), failures
