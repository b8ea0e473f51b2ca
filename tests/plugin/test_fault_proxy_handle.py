"""FaultProxy's process mechanics, against a stand-in API server (the real one is tested in
test_fault_proxy.py once ``chaos.toxiproxy`` is on main)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from chaos.services import FaultProxy, ServiceNotReady
from tests.plugin.inner_pytest import ROOT

pytestmark = pytest.mark.integration


class StandInProxy(FaultProxy):
    module = "tests.plugin.standins.fault_api"


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
    with StandInProxy(tmp_path, env={"PYTHONPATH": str(ROOT)}) as proxy:
        assert httpx.get(f"{proxy.url}/version").json() == {"version": "standin"}
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
