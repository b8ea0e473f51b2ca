"""CommandService: aiming the suite at a user's own command line."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from chaos.services import CommandService, ServiceError, ServiceNotReady
from tests.plugin.inner_pytest import run_sample

pytestmark = pytest.mark.integration

# a real program a user could point at: it serves / with 200 and reads REDIS_URL from env
STATIC_SERVER = (
    f"env REDIS_URL={{redis_url}} {sys.executable} -m http.server {{port}} --bind 127.0.0.1"
)


def test_template_placeholders_are_filled(tmp_path: Path) -> None:
    service = CommandService(tmp_path, STATIC_SERVER, "redis://127.0.0.1:1/0", health_path="/")
    try:
        argv = service.command()
        assert argv[:2] == ["env", "REDIS_URL=redis://127.0.0.1:1/0"]
        assert argv[-3:] == [str(service.port), "--bind", "127.0.0.1"]
    finally:
        service.close()


def test_user_command_starts_pauses_resumes_and_restarts(tmp_path: Path) -> None:
    with CommandService(tmp_path, STATIC_SERVER, "redis://x/0", health_path="/") as service:
        assert httpx.get(service.base_url).status_code == 200
        service.pause()
        with pytest.raises(httpx.TimeoutException):
            httpx.get(service.base_url, timeout=0.3)
        service.resume()
        service.restart()
        assert httpx.get(service.base_url, timeout=5).status_code == 200
    assert not service.running


def test_wrong_health_path_times_out_with_the_status_seen(tmp_path: Path) -> None:
    service = CommandService(tmp_path, STATIC_SERVER, "redis://x/0", health_path="/health")
    try:
        with pytest.raises(ServiceNotReady, match=r"/health: HTTP 404"):
            service.start(timeout=3)
    finally:
        service.close()


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("server --redis {redis_url}", "needs a {port} placeholder"),
        ("server --port {port} --x {nope}", "bad template"),
        ("server --port {port} '", "No closing quotation"),
    ],
)
def test_bad_templates_are_refused(tmp_path: Path, template: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CommandService(tmp_path, template, "redis://x/0")


def test_sut_command_option_makes_auth_factory_start_the_users_service() -> None:
    result = run_sample(
        "sample_sut_command.py",
        "--sut-command", STATIC_SERVER,
        "--sut-route-health", "/",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_missing_program_is_a_clear_error(tmp_path: Path) -> None:
    service = CommandService(tmp_path, "no-such-program-xyz --port {port}", "redis://x/0")
    with pytest.raises(ServiceError, match="cannot run 'no-such-program-xyz'"):
        service.start()
    service.close()
    assert not service.running
