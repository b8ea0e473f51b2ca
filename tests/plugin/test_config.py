"""ChaosConfig folds option, env and ini; a bad value stops the run with a one-line error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.plugin.inner_pytest import run_sample


def _configs(tmp_path: Path, *args: str, **env: str) -> list[dict[str, Any]]:
    out = tmp_path / "config.jsonl"
    result = run_sample("sample_config.py", *args, env={"SAMPLE_OUT": str(out), **env})
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_defaults(tmp_path: Path) -> None:
    config = _configs(tmp_path)[0]
    assert config["backend"] == "local"
    assert config["sut_workers"] == 2
    assert config["sut_command"] is None
    assert config["toxiproxy_url"] is None
    assert config["routes"]["login"] == "/auth/login"


def test_option_beats_env_beats_ini(tmp_path: Path) -> None:
    ini_only = _configs(tmp_path, "-o", "chaos_backend=docker", "-o", "sut_workers=3")[0]
    assert (ini_only["backend"], ini_only["sut_workers"]) == ("docker", 3)
    (tmp_path / "config.jsonl").unlink()
    env_over_ini = _configs(tmp_path, "-o", "sut_workers=3", SUT_WORKERS="4")[0]
    assert env_over_ini["sut_workers"] == 4
    (tmp_path / "config.jsonl").unlink()
    option = _configs(tmp_path, "--sut-workers", "5", "-o", "sut_workers=3", SUT_WORKERS="4")
    assert option[0]["sut_workers"] == 5


def test_urls_commands_routes_and_report(tmp_path: Path) -> None:
    config = _configs(
        tmp_path,
        "--sut-command", "myservice --listen {port} --redis {redis_url}",
        "--sut-route-verify", "/v1/check",
        "-o", "sut_routes=login=/v1/login",
        "--chaos-report", str(tmp_path / "reports"),
        TOXIPROXY_URL="http://127.0.0.1:8474/",
    )[0]  # fmt: skip
    assert config["sut_command"] == "myservice --listen {port} --redis {redis_url}"
    assert config["routes"]["verify"] == "/v1/check"
    assert config["routes"]["login"] == "/v1/login"
    assert config["routes"]["logout"] == "/auth/logout"
    assert config["toxiproxy_url"] == "http://127.0.0.1:8474"
    assert config["report_dir"] == str(tmp_path / "reports")


def test_xdist_workers_share_the_seed(tmp_path: Path) -> None:
    configs = _configs(tmp_path, "-n", "2")
    assert {c["worker"] for c in configs} == {"gw0", "gw1"}
    assert len({c["seed"] for c in configs}) == 1
    (tmp_path / "config.jsonl").unlink()
    given = _configs(tmp_path, "--chaos-seed", "1234", "-n", "2")
    assert {c["seed"] for c in given} == {1234}


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--chaos-backend", "kubernetes"], {}, "--chaos-backend: expected local or docker"),
        ([], {"CHAOS_BACKEND": "nope"}, "--chaos-backend: expected local or docker, got 'nope'"),
        (["--sut-workers", "0"], {}, "--sut-workers: expected an integer >= 1, got '0'"),
        (["--chaos-seed", "abc"], {}, "--chaos-seed: expected an integer >= 0, got 'abc'"),
        (["--sut-command", "svc --redis {redis_url}"], {}, "--sut-command: needs a {port}"),
        (["--sut-route-login", "login"], {}, "--sut-route-login: a path starts with /"),
        (["-o", "sut_routes=nosuch=/x"], {}, "ini sut_routes: expected route=/path"),
    ],
)
def test_bad_values_stop_the_run_with_one_clear_line(
    tmp_path: Path, args: list[str], env: dict[str, str], message: str
) -> None:
    result = run_sample("sample_config.py", *args, env={"SAMPLE_OUT": str(tmp_path / "x"), **env})
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert len(errors) == 1
    assert message in errors[0]
    assert not (tmp_path / "x").exists()
