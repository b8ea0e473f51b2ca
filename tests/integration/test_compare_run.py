"""benchmarks.compare end to end with a tiny preset against real services: the naive design
and the reference from their profiles, the reference without its revocation check, the
/health ceiling, one scaling run; the report folder with its tables and charts. And
benchmarks.load aimed at a profiled service."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from benchmarks.compare.__main__ import main as compare
from benchmarks.compare.report import CHARTS
from benchmarks.load.__main__ import main as load

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.mark.timeout(420)
def test_compare_runs_every_design_and_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "report"
    code = compare([
        "--users", "30", "--ramp", "30", "--duration", "5", "--spy-rate", "20",
        "--scaling-workers", "1", "--scaling-users", "20", "--scaling-duration", "3",
        "--report", str(report),
    ])  # fmt: skip
    printed = capsys.readouterr().out
    assert code == 0, printed[-3000:]
    figures = json.loads((report / "figures.json").read_text())
    runs = {r["design"]: r for r in figures["runs"]}
    assert list(runs) == ["naive", "reference", "no-revocation", "ceiling"]
    for design, run in runs.items():
        assert run["requests"] > 0, design
        assert run["routes"]["logout"]["requests"] > 0, design
        assert run["cpu"]["workers_s"] > 0, design
        assert run["cpu"]["redis_s"] is not None, design
    assert runs["reference"]["unexpected"] == 0
    assert runs["reference"]["revoked_accepted"] == 0
    assert runs["naive"]["revoked_accepted"] == 0
    # the control: the same count that finds none above finds the design that checks nothing
    skipped = runs["no-revocation"]
    assert skipped["revoked_accepted"] > 0
    assert skipped["by_design"] == skipped["revoked_accepted"]
    assert runs["ceiling"]["unexpected"] == 0
    assert [s["workers"] for s in figures["scaling"]] == [1]
    for name in CHARTS:
        ET.fromstring((report / name).read_text())  # noqa: S314 (our own output)
    html = (report / "index.html").read_text()
    assert "<table>" in html
    assert 'src="latency-p99.svg"' in html
    assert "## Goals" in (report / "index.md").read_text()
    assert (report / "runs" / "naive-30" / "run.md").exists()
    assert "report: " in printed


@pytest.mark.timeout(240)
def test_load_aims_at_a_profiled_service(capsys: pytest.CaptureFixture[str]) -> None:
    code = load([
        "--sut-profile", "examples/naive/profile.toml", "--workers", "2", "--users", "20",
        "--ramp", "20", "--duration", "4", "--accounts", "10",
    ])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out[-2000:]
    assert "service profile naive" in out
    assert "| verify |" in out
    assert "its profile names no /metrics" in out
