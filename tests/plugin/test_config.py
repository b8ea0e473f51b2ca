"""ChaosConfig folds option, env and ini; a bad value stops the run with a one-line error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fixtures.config import ConfigError, Sources, fold, prometheus_requested
from tests.plugin.inner_pytest import run_sample


def sources(
    options: dict[str, Any] | None = None,
    env: dict[str, str] | None = None,
    ini: dict[str, Any] | None = None,
) -> Sources:
    return Sources(options or {}, env or {}, ini or {})


def test_defaults() -> None:
    config = fold(sources())
    assert config.backend == "local"
    assert config.sut_workers == 2
    assert config.sut_command is None
    assert config.toxiproxy_url is None
    assert config.report_dir is None
    assert config.routes["login"] == "/auth/login"


def test_option_beats_env_beats_ini() -> None:
    config = fold(
        sources(
            options={"sut_workers": "5"},
            env={"SUT_WORKERS": "4", "CHAOS_BACKEND": "docker"},
            ini={"sut_workers": "3", "chaos_backend": "local", "chaos_report": "/r"},
        )
    )
    assert config.sut_workers == 5  # option over env and ini
    assert config.backend == "docker"  # env over ini
    assert config.report_dir == Path("/r")  # ini alone


def test_urls_commands_and_routes() -> None:
    config = fold(
        sources(
            options={"sut_command": "svc --listen {port} --redis {redis_url}",
                     "sut_route_verify": "/v1/check"},
            env={"TOXIPROXY_URL": "http://127.0.0.1:8474/", "SUT_ROUTE_REFRESH": "/v1/refresh"},
            ini={"sut_routes": ["login=/v1/login"]},
        )
    )  # fmt: skip
    assert config.sut_command == "svc --listen {port} --redis {redis_url}"
    assert config.routes["verify"] == "/v1/check"
    assert config.routes["refresh"] == "/v1/refresh"
    assert config.routes["login"] == "/v1/login"
    assert config.routes["logout"] == "/auth/logout"
    assert config.toxiproxy_url == "http://127.0.0.1:8474"


def test_a_given_seed_is_used_and_a_missing_one_is_drawn() -> None:
    assert fold(sources(env={"CHAOS_SEED": "1234"})).seed == 1234
    assert 0 <= fold(sources()).seed < 2**31


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (sources(options={"chaos_backend": "k8s"}), "--chaos-backend: expected local or docker"),
        (sources(env={"CHAOS_BACKEND": "nope"}), "docker, got 'nope'"),
        (sources(options={"sut_workers": "0"}), "--sut-workers: expected an integer >= 1, got '0'"),
        (sources(ini={"chaos_seed": "abc"}), "--chaos-seed: expected an integer >= 0, got 'abc'"),
        (sources(options={"sut_command": "svc {redis_url}"}), "--sut-command: needs a {port}"),
        (sources(options={"sut_route_login": "login"}), "--sut-route-login: a path starts with /"),
        (sources(ini={"sut_routes": ["nosuch=/x"]}), "ini sut_routes: expected route=/path"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_with_one_line(given: Sources, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        fold(given)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def _configs(tmp_path: Path, *args: str, **env: str) -> list[dict[str, Any]]:
    out = tmp_path / "config.jsonl"
    result = run_sample("sample_config.py", *args, env={"SAMPLE_OUT": str(out), **env})
    assert result.returncode == 0, result.stdout + result.stderr
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_the_plugin_reads_all_three_sources(tmp_path: Path) -> None:
    config = _configs(
        tmp_path,
        "--sut-workers", "5", "-o", "sut_workers=3",
        "-o", "chaos_backend=local", "-o", "sut_routes=login=/v1/login",
        "-o", f"chaos_report={tmp_path}",
        SUT_WORKERS="4", CHAOS_BACKEND="docker",
    )[0]  # fmt: skip
    assert (config["sut_workers"], config["backend"]) == (5, "docker")
    assert config["report_dir"] == str(tmp_path)
    assert config["routes"]["login"] == "/v1/login"


def test_xdist_workers_share_the_seed(tmp_path: Path) -> None:
    configs = _configs(tmp_path, "-n", "2")  # no seed given: one is drawn, once, for the run
    assert {c["worker"] for c in configs} == {"gw0", "gw1"}
    assert len({c["seed"] for c in configs}) == 1
    assert len({c["run_dir"] for c in configs}) == 1  # one report folder for the run
    assert {c["env_seed"] for c in configs} == {None}  # handed over in workerinput, not env


def test_a_bad_value_stops_the_run_before_any_test(tmp_path: Path) -> None:
    out = tmp_path / "x"
    result = run_sample(
        "sample_config.py", "--chaos-backend", "kubernetes", env={"SAMPLE_OUT": str(out)}
    )
    assert result.returncode == 4, result.stdout + result.stderr  # pytest's usage error
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR:")]
    assert errors == ["ERROR: --chaos-backend: expected local or docker, got 'kubernetes'"]
    assert not out.exists()


class PrometheusSources:
    """The two calls ``prometheus_requested`` makes of a pytest config."""

    def __init__(self, option: bool | None, ini: bool) -> None:
        self.option, self.ini = option, ini

    def getoption(self, name: str, default: object = None) -> object:
        assert name == "chaos_prometheus"
        return self.option

    def getini(self, name: str) -> object:
        assert name == "chaos_prometheus"
        return self.ini


@pytest.mark.parametrize(
    ("option", "env", "ini", "expected"),
    [
        (None, "", False, False),
        (True, "0", False, True),  # the option beats the environment
        (None, "1", False, True),
        (None, "0", True, False),  # the environment beats the ini key
        (None, "", True, True),
    ],
)
def test_chaos_prometheus_folds_option_env_and_ini(
    monkeypatch: pytest.MonkeyPatch, option: bool | None, env: str, ini: bool, expected: bool
) -> None:
    monkeypatch.setenv("CHAOS_PROMETHEUS", env)
    config = PrometheusSources(option, ini)
    assert prometheus_requested(config) is expected  # type: ignore[arg-type]


def test_a_bad_chaos_prometheus_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHAOS_PROMETHEUS", "yes")
    with pytest.raises(pytest.UsageError, match="CHAOS_PROMETHEUS: expected 1 or 0, got 'yes'"):
        prometheus_requested(PrometheusSources(None, False))  # type: ignore[arg-type]
