"""benchmarks.compare's tables, charts, HTML and py-spy components: pure functions of the
figures, checked on figures made up here."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from benchmarks.compare.charts import lines_svg, log_ticks, stacked_bars_svg
from benchmarks.compare.figures import RunFigures
from benchmarks.compare.report import (
    CHARTS,
    Comparison,
    markdown_to_html,
    read_comparison,
    render_markdown,
    write_report,
)
from benchmarks.compare.spy import COMPONENTS, Sampled, component_of, components_of_raw
from benchmarks.compare.tables import (
    bottleneck_table,
    compare_table,
    components_table,
    load_one,
    scaling_table,
)
from tests.unit.test_compare_figures import figures

SVG = "{http://www.w3.org/2000/svg}"


def comparison() -> Comparison:
    runs = [
        figures(design, users, ok=ok, latency_us=latency, checks=design != "no-revocation",
                revoked=2 if design == "no-revocation" else 0)
        for users in (1000, 5000)
        for design, ok, latency in (("naive", 100, 200_000.0), ("reference", 120, 5_000.0),
                                    ("no-revocation", 125, 4_000.0), ("ceiling", 150, 1_000.0))
    ]  # fmt: skip
    scaling = [figures("reference", 5000, workers=w, ok=50 * w) for w in (1, 2, 3)]
    return Comparison(
        command="python -m benchmarks.compare --users 1000,5000", started="2026-12-06",
        took_s=754.0, load_before="load 0.5 0.5 0.5 on 2 cores",
        load_after="load 3.1 2.0 1.0 on 2 cores",
        settings={"workers": 2, "accounts": 200, "processes": 2, "timeout_s": 30.0, "seed": 1,
                  "spy_rate": 50},
        designs=[{"key": k, "title": k, "passwords": "p", "flags": ""}
                 for k in ("naive", "reference", "no-revocation", "ceiling")],
        runs=runs, scaling=scaling, target_rps=5000.0,
    )  # fmt: skip


def _row(lines: list[str], users: str, design: str) -> list[str]:
    row = next(line for line in lines if line.startswith(f"| {users} | {design} |"))
    return [cell.strip() for cell in row.strip("|").split("|")]


def test_the_compare_table_puts_designs_side_by_side_with_ratios_to_naive() -> None:
    lines = compare_table(comparison().runs)
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    reference = dict(zip(header, _row(lines, "5,000", "reference"), strict=True))
    naive = dict(zip(header, _row(lines, "5,000", "naive"), strict=True))
    assert naive["x naive"] == "1.00x"
    assert reference["x naive"] == "1.20x"  # 12 / 10 answered as expected per second
    assert reference["p99 x naive"] == "0.025x"  # 5 ms / 200 ms, within a bucket's 2%
    assert reference["load 1-min before -> after"] == "1.00 -> 2.00"
    assert reference["unexpected"] == "0 (0.0%)"
    designs = [line.split("|")[2].strip() for line in lines[2:]]
    assert designs[:4] == ["naive", "reference", "no-revocation", "ceiling"]


def test_a_load_without_the_naive_design_has_no_ratio() -> None:
    runs = [r for r in comparison().runs if r.design != "naive"]
    assert _row(compare_table(runs), "1,000", "reference")[5] == "-"


def test_bottleneck_and_component_tables() -> None:
    c = comparison()
    lines = bottleneck_table(c.runs)
    row = _row(lines, "1,000", "naive")
    assert row[2] == "0.30 of 2"  # 3 busy core-seconds over 10 s of wall time
    assert row[3] == "0.10 (33%)"  # the workers: 1 s of CPU
    unknown = components_table(c.runs)
    assert "unknown: no samples" in _row(unknown, "1,000", "naive")[3]
    c.runs[0] = RunFigures.from_json({**c.runs[0].to_json(), "cpu": {
        **c.runs[0].cpu.__dict__, "worker_shares": {COMPONENTS[0]: 0.4, COMPONENTS[-1]: 0.6},
        "spy_samples": 80}})  # fmt: skip
    shares = _row(components_table(c.runs), "1,000", "naive")
    assert shares[2] == "80"
    assert shares[3] == "40%"
    assert shares[-1] == "60%"


def test_scaling_table_and_load_figures() -> None:
    lines = scaling_table(comparison().scaling)
    assert [line.split("|")[1].strip() for line in lines[2:]] == ["1", "2", "3"]
    assert load_one("load 1.23 0.98 0.50 on 2 cores") == "1.23"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def test_line_chart_draws_a_line_per_design_on_a_log_scale() -> None:
    svg = lines_svg("p99", [("naive", [(1000, 9.0), (5000, 19776.0), (10000, 30099.0)]),
                            ("reference", [(1000, 4.0), (5000, 1203.0), (10000, 0.0)])],
                    x_label="users", unit="ms", log_y=True)  # fmt: skip
    root = _parse(svg)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert len(lines[1].get("points", "").split()) == 2  # a 0 has no place on a log scale
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "10 s" in texts
    assert "1 ms" in texts
    assert "10,000" in texts


def test_empty_chart_says_so() -> None:
    assert "no data" in lines_svg("t", [], x_label="users", unit="ms")


def test_log_ticks_cover_the_range() -> None:
    assert log_ticks(1.0, 10_000.0) == [1.0, 10.0, 100.0, 1000.0, 10_000.0]
    assert log_ticks(1.0, 10.0) == [1.0, 2.0, 5.0, 10.0]


def test_stacked_bars_stack_every_part_in_order() -> None:
    svg = stacked_bars_svg("cpu", [("naive", {"workers": 1.0, "Redis": 0.2}),
                                   ("reference", {"workers": 0.5, "generator": 0.4})],
                           unit="cores", total=2.0)  # fmt: skip
    root = _parse(svg)
    widths = [float(r.get("width", "0")) for r in root.iter(f"{SVG}rect")
              if (r.find(f"{SVG}title") is not None)]  # fmt: skip
    assert len(widths) == 4
    assert widths[0] == 2 * widths[2]  # 1.0 against 0.5 core on one scale
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert {"workers", "Redis", "generator"} <= set(legend)


def test_markdown_to_html_keeps_tables_images_and_lists() -> None:
    html = markdown_to_html(
        "# T\n\n| a | b |\n|---|---|\n| 1 | `x` |\n\n![c](c.svg)\n\n- [r](r.md)\n", "T"
    )
    assert "<h1>T</h1>" in html
    assert "<th>a</th>" in html
    assert "<td><code>x</code></td>" in html
    assert '<img src="c.svg" alt="c">' in html
    assert '<li><a href="r.md">r</a></li>' in html


def test_report_folder_has_index_figures_and_every_chart(tmp_path: Path) -> None:
    c = comparison()
    index = write_report(tmp_path, c)
    assert index == tmp_path / "index.html"
    for name in CHARTS:
        _parse((tmp_path / name).read_text())
    markdown = (tmp_path / "index.md").read_text()
    assert "took 12 min 34 s" in markdown
    assert "PROJECTION (not a measurement)" in markdown
    assert "| 5,000 | reference p99 <= 0.1 x naive p99 |" in markdown
    assert "python -m benchmarks.soak --minutes 30" in markdown
    again = read_comparison(tmp_path / "figures.json")
    assert render_markdown(again) == markdown
    assert json.loads((tmp_path / "figures.json").read_text())["target_rps"] == 5000.0


def test_without_scaling_runs_the_report_says_so(tmp_path: Path) -> None:
    c = comparison()
    c.scaling = []
    write_report(tmp_path, c)
    assert "Not run (--scaling-workers none)" in (tmp_path / "index.md").read_text()
    assert not (tmp_path / "scaling-cpu.svg").exists()


def test_py_spy_frames_map_to_components() -> None:
    assert component_of("check (system_under_test/revocation/store.py:108)").startswith(
        "revocation"
    )
    assert component_of("execute_command (redis/client.py:600)").startswith("revocation")
    assert component_of("decode (jwt/api_jwt.py:300)").startswith("tokens")
    assert component_of("data_received (uvicorn/protocols/http/httptools_impl.py:1)").startswith(
        "HTTP server"
    )
    assert component_of("Runner.run (asyncio/runners.py:118)").startswith("event loop")
    assert component_of("login (main.py:120)") == "service code"
    assert component_of("Front.__call__ (system_under_test/front.py:93)") == "service code"
    assert component_of("loads (json/decoder.py:1)") == "other Python"


def test_py_spy_raw_output_is_counted_by_innermost_frame() -> None:
    raw = (
        'process 1:"python";thread (0x1);Runner.run (asyncio/runners.py:118) 30\n'
        'process 1:"python";thread (0x1);a (uvicorn/x.py:1);check '
        "(system_under_test/revocation/store.py:9) 10\n"
        "garbage line\n"
    )
    counts = components_of_raw(raw)
    assert sum(counts.values()) == 40
    sampled = Sampled(counts)
    shares = sampled.shares()
    assert shares["event loop (uvloop, asyncio)"] == 0.75
    assert Sampled().shares() == {}
