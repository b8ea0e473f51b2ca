"""Two xdist workers of one run never share a port (a real ``pytest -n 2`` child run)."""

from __future__ import annotations

from pathlib import Path

from tests.plugin.inner_pytest import run_sample


def test_two_xdist_workers_never_share_a_port(tmp_path: Path) -> None:
    shared = tmp_path / "ports.txt"
    result = run_sample("sample_ports.py", "-n", "2", env={"SAMPLE_PORTS_FILE": str(shared)})
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line.split() for line in shared.read_text().splitlines()]
    workers = {line[0] for line in lines}
    ports = [port for line in lines for port in line[2:]]
    print(f"{len(ports)} ports claimed by workers {sorted(workers)}")
    assert workers == {"gw0", "gw1"}, "the sample did not spread over two workers"
    assert len(lines) == 8
    assert len(ports) == len(set(ports)), "a port was handed out twice in one run"
