"""CLI refusals, as a user meets them: one line on stderr naming the setting, exit 2."""

import os
import socket
import subprocess
import sys

import pytest

GOOD_SECRET = "s" * 32


def run_cli(args: list[str], secret: str | None = GOOD_SECRET) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUTH_")}
    if secret is not None:
        env["AUTH_JWT_SECRET"] = secret
    return subprocess.run(
        [sys.executable, "-m", "system_under_test", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "secret", "named"),
    [
        ([], None, "AUTH_JWT_SECRET"),
        ([], "short", "AUTH_JWT_SECRET"),
        (["--failure-mode", "sometimes"], GOOD_SECRET, "--failure-mode"),
        (["--redis-url", "redis://127.0.0.1:99999/0"], GOOD_SECRET, "--redis-url"),
        (["--redis-url", "not a url"], GOOD_SECRET, "--redis-url"),
        (["--port", "-1"], GOOD_SECRET, "--port"),
        (["--workers", "two"], GOOD_SECRET, "--workers"),
        (["--jwt-alg", "none"], GOOD_SECRET, "--jwt-alg"),
    ],
)
def test_a_bad_setting_is_one_line_naming_it_and_exit_2(
    args: list[str], secret: str | None, named: str
) -> None:
    done = run_cli(args, secret)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert named in lines[0]
    assert "Traceback" not in done.stderr


def test_a_busy_port_is_one_line_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = run_cli(["--port", str(port), "--redis-url", "redis://127.0.0.1:1/0"])
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert f"127.0.0.1:{port}" in done.stderr


def test_help_lists_the_settings_and_their_variables() -> None:
    done = run_cli(["--help"], secret=None)
    assert done.returncode == 0
    for text in ("--failure-mode", "--degraded-bound", "AUTH_REDIS_URL", "AUTH_JWT_SECRET"):
        assert text in done.stdout
