"""The embedded server's command line: readiness line, bad flags, --config, signals."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from .conftest import start_embedded, stop_process
from .support import EchoServer, connect, refused, round_trip

pytestmark = pytest.mark.conformance

MODULE = [sys.executable, "-m", "chaos.toxiproxy"]


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--port", "notaport"], "--port"),
        (["--port", "70000"], "--port"),
        (["--bogus"], "--bogus"),
        (["--config", "/nonexistent/proxies.json"], "--config"),
    ],
)
def test_bad_flags_give_one_line_and_exit_2(args: list[str], needle: str) -> None:
    result = subprocess.run(
        [*MODULE, "--port", "0", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert needle in lines[0]


def test_invalid_config_content_exits_2(tmp_path: Path) -> None:
    config = tmp_path / "bad.json"
    config.write_text('{"not": "an array"}')
    result = subprocess.run(
        [*MODULE, "--port", "0", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--config" in result.stderr


def test_config_file_creates_proxies_and_sigterm_exits_0(tmp_path: Path, echo: EchoServer) -> None:
    config = tmp_path / "proxies.json"
    config.write_text(
        json.dumps([{"name": "from_config", "listen": "127.0.0.1:0", "upstream": echo.address}])
    )
    log = tmp_path / "server.log"
    proc = start_embedded_with(log, ["--config", str(config)])
    try:
        url = ready_url(log)
        proxy = httpx.get(f"{url}/proxies/from_config", timeout=10).json()
        with connect(proxy["listen"]) as sock:
            round_trip(sock)
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=30) == 0
        assert refused(proxy["listen"])
    finally:
        stop_process(proc)


def test_sigint_exits_0_and_closes_the_api(tmp_path: Path) -> None:
    proc, url = start_embedded(tmp_path / "server.log")
    try:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        assert refused(url.removeprefix("http://"))
    finally:
        stop_process(proc)


def start_embedded_with(log: Path, extra: list[str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [*MODULE, "--host", "127.0.0.1", "--port", "0", *extra],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def ready_url(log: Path, timeout: float = 30) -> str:
    import time  # noqa: PLC0415

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in log.read_text(errors="replace").splitlines():
            if "Starting Toxiproxy HTTP server" in line:
                return "http://" + str(json.loads(line)["address"])
        time.sleep(0.05)
    raise AssertionError(f"no readiness line; log:\n{log.read_text(errors='replace')[-2000:]}")


@pytest.mark.parametrize(
    ("flags", "present", "absent"),
    [
        ([], [], ["toxiproxy_proxy_", "process_", "python_info"]),
        (["--proxy-metrics"], ["toxiproxy_proxy_sent_bytes_total"], ["process_", "python_"]),
        (["--runtime-metrics"], ["process_open_fds", "python_info"], ["toxiproxy_proxy_"]),
        (["--metrics"], ["toxiproxy_proxy_sent_bytes_total", "process_open_fds"], []),
    ],
)
def test_metrics_follow_the_flags(
    tmp_path: Path, echo: EchoServer, flags: list[str], present: list[str], absent: list[str]
) -> None:
    proc, url = start_embedded(tmp_path / "server.log", flags)
    try:
        created = httpx.post(
            f"{url}/proxies",
            json={"name": "m", "listen": "127.0.0.1:0", "upstream": echo.address},
            timeout=10,
        ).json()
        with connect(created["listen"]) as sock:
            round_trip(sock, b"x" * 1000)
        response = httpx.get(f"{url}/metrics", timeout=10)
        if not flags:
            assert response.status_code == 404
            return
        assert response.status_code == 200
        for name in present:
            assert name in response.text, name
        for name in absent:
            assert name not in response.text, name
        assert "go_info" not in response.text  # Go's runtime metrics cannot exist here
    finally:
        stop_process(proc)


def test_a_busy_api_port_is_a_one_line_error() -> None:
    import socket  # noqa: PLC0415

    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = str(busy.getsockname()[1])
        result = subprocess.run(
            [*MODULE, "--port", port], capture_output=True, text=True, timeout=60, check=False
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"--port {port}" in lines[0]
