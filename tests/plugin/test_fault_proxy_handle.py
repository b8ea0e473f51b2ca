"""FaultProxy: the embedded fault proxy (``python -m chaos.toxiproxy``) as a process."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from chaos.services import FaultProxy, ServiceNotReady

pytestmark = pytest.mark.integration


def test_command_is_the_documented_cli(tmp_path: Path) -> None:
    proxy = FaultProxy(tmp_path)
    try:
        argv = proxy.command()
        assert argv[1:] == [
            "-m",
            "chaos.toxiproxy",
            "--host",
            "127.0.0.1",
            "--port",
            str(proxy.port),
        ]
        assert proxy.url == f"http://127.0.0.1:{proxy.port}"
    finally:
        proxy.close()


def test_start_pause_resume_kill_restart(tmp_path: Path) -> None:
    with FaultProxy(tmp_path) as proxy:
        assert "version" in httpx.get(f"{proxy.url}/version").json()
        proxy.pause()
        with pytest.raises(httpx.TimeoutException):
            httpx.get(f"{proxy.url}/version", timeout=0.3)
        proxy.resume()
        assert httpx.get(f"{proxy.url}/version", timeout=5).status_code == 200
        proxy.kill()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{proxy.url}/version")
        proxy.restart()
        assert httpx.get(f"{proxy.url}/version").status_code == 200
    assert not proxy.running


def test_a_proxy_that_cannot_start_fails_with_its_log(tmp_path: Path) -> None:
    class Missing(FaultProxy):
        module = "chaos.no_such_module"

    proxy = Missing(tmp_path)
    with pytest.raises(ServiceNotReady, match="No module named") as caught:
        proxy.start(timeout=30)
    proxy.close()
    assert "process exited with code 1" in str(caught.value)
