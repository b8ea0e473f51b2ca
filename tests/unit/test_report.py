"""Reports: summary table, verdict lines, a well-formed SVG timeline, the run index."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from chaos.checkers import CHECKS, CheckInputs, Verdict, run_checks
from chaos.checkers.crafted import CraftedHistory
from chaos.history import History
from chaos.report import (
    ScenarioResult,
    index_html,
    index_markdown,
    route_stats,
    summary_markdown,
    timeline_svg,
    write_index,
    write_scenario,
)

SVG = "{http://www.w3.org/2000/svg}"


def _every_check(history: History) -> list[Verdict]:
    return run_checks(tuple(CHECKS), history, CheckInputs())


def _stale_history() -> History:
    crafted = CraftedHistory()
    crafted.call(0, "login", at=0.0, took=0.1, status=200, worker="w0-1", jti="t")
    crafted.fault("proxy_down <&>", inject_at=0.5, heal_at=1.5, effects={"redis_loss"})
    crafted.call(0, "logout", at=1.0, took=0.02, status=200, worker="w0-1", jti="t")
    crafted.call(
        0, "verify", at=1.1, took=0.01, status=200, worker="w1-2", jti="t", check="enforced"
    )  # a worker that claims to have read Redis and still accepts a revoked token
    crafted.call(1, "verify", at=1.2, took=0.3, status=503, worker="w1-2", jti="u")
    crafted.call(
        3, "verify", at=1.25, took=0.01, status=200, worker="w0-1", jti="v", check="degraded"
    )
    crafted.call(0, "verify", at=1.3, took=0.01, status=401, worker="w0-1", jti="t")
    crafted.call(
        2, "verify", at=1.3, took=5.0, type="info", error="timeout:ReadTimeout", worker="w0-1"
    )
    return crafted.history()


def test_route_stats_count_what_the_contract_expects() -> None:
    rows = {r.route: r for r in route_stats(_stale_history())}
    assert list(rows) == ["login", "verify", "logout"]
    verify = rows["verify"]
    assert verify.requests == 5
    # the stale 200, the degraded 200 and the revoked token's 401 are answers as expected
    # (I1 judges the stale one); the 503 without Retry-After and the timeout are not
    assert verify.expected == 3
    assert verify.success_rate == 3 / 5
    assert verify.p50_ms == 10.0
    assert verify.p99_ms == 5000.0
    assert dict(verify.unexpected) == {"503": 1, "timeout": 1}
    assert dict(verify.shed) == {}


def test_a_503_with_retry_after_is_shed_not_unexpected() -> None:
    crafted = CraftedHistory()
    crafted.call(0, "verify", at=1.0, took=0.01, status=503, worker="w0-1", jti="a",
                 reply={"retry_after": "1"})  # fmt: skip
    crafted.call(0, "login", at=1.1, took=0.01, status=429, worker="w0-1",
                 reply={"retry_after": "1"})  # fmt: skip
    crafted.call(0, "verify", at=1.2, took=0.01, status=401, worker="w0-1", jti="live")
    rows = {r.route: r for r in route_stats(crafted.history())}
    assert dict(rows["verify"].shed) == {"503": 1}
    assert dict(rows["verify"].unexpected) == {"401": 1}  # a live token refused
    assert dict(rows["login"].shed) == {"429": 1}
    assert rows["verify"].expected == 0


def test_summary_has_the_table_and_every_verdict() -> None:
    history = _stale_history()
    verdicts = _every_check(history)
    text = summary_markdown("proxy down", history, verdicts, seed=42)
    assert text.startswith("# proxy down: FAIL")
    assert "Seed: 42" in text
    assert "| verify | 5 | 60.00% | 10.0 ms | 5,000.0 ms | 5,000.0 ms | 2 | 0 |" in text
    assert "| verify timeout | 1 |" in text
    assert "## Shed answers by kind" in text
    assert "| proxy_down <&> | redis_loss | +0.50 s | 1.00 s |" in text
    for verdict in verdicts:
        assert f"| {verdict.invariant} | {verdict.label} |" in text
    assert "| I9 | FAIL | 7 calls |" in text  # each verdict says what it judged


def test_timeline_is_well_formed_svg_with_windows_and_dots() -> None:
    svg = timeline_svg(_stale_history(), "proxy <down>")
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    circles = [c for c in root.iter(f"{SVG}circle") if c.get("class")]
    assert sorted(c.get("class", "") for c in circles) == [
        "200", "200", "200", "200-degraded", "4xx", "503", "timeout",
    ]  # fmt: skip
    assert "200 degraded" in [t.text for t in root.iter(f"{SVG}text")]  # its own legend entry
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "proxy_down <&>" in texts  # escaped in the file, readable once parsed
    assert "proxy <down>" in texts


def test_timeline_of_an_empty_history() -> None:
    ET.fromstring(timeline_svg(History()))  # noqa: S314 - our own output


def _results() -> list[ScenarioResult]:
    history = _stale_history()
    bad = [v for v in _every_check(history) if v.invariant == "I1"]
    return [
        ScenarioResult(
            "latency 50ms", "latency_50ms", (Verdict("I1", True), Verdict("I4", "unknown")), 7
        ),
        ScenarioResult("proxy down", "proxy_down", tuple(bad), 8),
    ]


def test_index_names_what_broke_and_where() -> None:
    text = index_markdown(_results())
    assert text.startswith("# Resilience gate: FAIL")
    unknown = "| [latency 50ms](latency_50ms/summary.md) | unknown | I4: "
    assert unknown in text  # an unknown is listed with its reason, never hidden in a pass
    assert "1 verdict(s) unknown" in text
    line = next(row for row in text.splitlines() if "proxy_down/summary.md" in row)
    assert "FAIL" in line
    assert "I1" in line
    assert "token t, worker w1-2" in line  # the worker that accepted the revoked token
    html = index_html(_results())
    assert "<title>Resilience gate: FAIL</title>" in html
    assert 'href="proxy_down/timeline.svg"' in html


def test_files_written_and_index_read_back(tmp_path: Path) -> None:
    history = _stale_history()
    verdicts = _every_check(history)
    write_scenario(tmp_path / "proxy_down", "proxy down", history, verdicts, seed=9)
    names = sorted(p.name for p in (tmp_path / "proxy_down").iterdir())
    assert names == ["history.jsonl", "summary.md", "timeline.svg", "verdicts.json"]
    data = json.loads((tmp_path / "proxy_down" / "verdicts.json").read_text())
    assert data["seed"] == 9
    assert [v["invariant"] for v in data["verdicts"]] == [v.invariant for v in verdicts]
    assert History.load(tmp_path / "proxy_down" / "history.jsonl").ops == history.ops
    results = write_index(tmp_path)
    assert [r.name for r in results] == ["proxy down"]
    assert results[0].verdicts == tuple(verdicts)
    assert "proxy down" in (tmp_path / "index.md").read_text()
    assert (tmp_path / "index.html").read_text().startswith("<!doctype html>")
