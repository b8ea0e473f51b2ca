"""The proxy benchmark's flags and printed figures (nothing is started here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.proxy_bench import BenchRun, ProxyFigures, parse_args


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--rounds", "0"], "--rounds"),
        (["--requests", "-1"], "--requests"),
        (["--toxiproxy-url", "127.0.0.1:8474"], "--toxiproxy-url"),
        (["--toxiproxy-server", "/nonexistent/toxiproxy-server"], "--toxiproxy-server"),
        (["--toxiproxy-url", "http://x", "--toxiproxy-server", "/bin/true"], "--toxiproxy"),
    ],
)
def test_bad_flags_are_one_line_naming_the_flag(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse_args(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert flag in err[0]


def test_a_real_server_binary_is_accepted(tmp_path: Path) -> None:
    binary = tmp_path / "toxiproxy-server"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    assert parse_args(["--toxiproxy-server", str(binary)]).toxiproxy_server == binary


def figures(real: BenchRun | None) -> ProxyFigures:
    return ProxyFigures(
        direct=BenchRun(80_000, 0.3, 0.6),
        proxied=BenchRun(44_000, 0.5, 1.0),
        bare=BenchRun(40_000, 0.5, 1.0),
        ping_direct_us=(20.0, 40.0),
        ping_proxied_us=(36.0, 70.0),
        real=real,
        ping_real_us=None if real is None else (40.0, 90.0),
    )


def test_without_a_real_server_no_figure_is_printed_for_it() -> None:
    text = "\n".join(figures(None).lines())
    assert "ratio proxied/direct       : 0.55" in text
    assert "real" not in text.lower()
    assert "Toxiproxy" not in text


def test_a_real_server_measured_in_the_same_run_is_printed() -> None:
    text = "\n".join(figures(BenchRun(36_000, 0.6, 1.2)).lines())
    assert "ratio real Toxiproxy/direct: 0.45  (proxied/real: 1.22)" in text
    assert "real one hop adds          : p50 20 us  p99 50 us" in text
