"""The shipped rules as promtool sees them: valid, their unit tests pass (each alert fires,
does not fire, clears), and a rule broken on purpose fails its unit test (negative controls:
one mutant per alert)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from chaos.monitoring.config import ScrapeJob, prometheus_config
from chaos.monitoring.rules import alert_names, scaled_rules
from fixtures.prometheus import MONITORING, RULES

pytestmark = pytest.mark.prometheus

TESTS = MONITORING / "tests" / "auth-chaos.rules.test.yml"
# alert -> (text in the shipped rules, what replaces it): each change must fail a unit test
MUTANTS = {
    "AuthFailOpenActive": ("expr: auth:degraded_decisions:increase1m > 0",
                           "expr: auth:degraded_decisions:increase1m >= 0"),
    "AuthBreakerOpen": ("(auth_breaker_state) > 0\n        for: 1m",
                        "(auth_breaker_state) > 0\n        for: 15s"),
    "AuthFailOpenBoundApproaching": ("(0.5 * auth_degraded_bound_seconds)",
                                     "(0.1 * auth_degraded_bound_seconds)"),
    "AuthRevocationStoreErrors": ("auth:redis_errors:rate1m > 0.05",
                                  "auth:redis_errors:rate1m > 0"),
    "AuthRedisPoolSaturated": ("/ on (job, instance, worker) (auth_redis_pool_capacity > 0)",
                               "/ on (job, instance, worker) auth_redis_pool_capacity"),
    "AuthVerifyP99OverBudget": ('_bucket{route="/auth/verify"}', "_bucket"),
    "AuthWorkerRestartLoop": ("[10m]) >= 3", "[10m]) >= 2"),
}  # fmt: skip


def promtool(*args: str, cwd: Path = MONITORING) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip


def test_the_rules_are_valid() -> None:
    done = promtool("check", "rules", str(RULES))
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 13 rules found" in done.stdout


def test_the_unit_tests_of_the_rules_pass() -> None:
    done = promtool("test", "rules", str(TESTS))
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_every_alert_has_a_firing_and_a_quiet_case() -> None:
    data: Any = yaml.safe_load(TESTS.read_text(encoding="utf-8"))
    cases = [case for test in data["tests"] for case in test["alert_rule_test"]]
    for alert in alert_names(RULES.read_text(encoding="utf-8")):
        mine = [case for case in cases if case["alertname"] == alert]
        assert any(case["exp_alerts"] for case in mine), f"{alert}: no case where it fires"
        assert any(not case["exp_alerts"] for case in mine), f"{alert}: no quiet case"


@pytest.mark.parametrize("alert", sorted(MUTANTS))
def test_a_broken_rule_fails_its_unit_test(alert: str, tmp_path: Path) -> None:
    old, new = MUTANTS[alert]
    text = RULES.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"mutant of {alert} does not match the rules once"
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / RULES.name).write_text(text.replace(old, new), encoding="utf-8")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / TESTS.name).write_text(TESTS.read_text(encoding="utf-8"))
    done = promtool("test", "rules", f"tests/{TESTS.name}", cwd=tmp_path)
    assert done.returncode != 0, f"the mutant of {alert} passed the unit tests"
    assert f"alertname: {alert}" in done.stdout + done.stderr


def test_the_scaled_rules_and_a_generated_config_are_valid(tmp_path: Path) -> None:
    scaled = tmp_path / "scaled.rules.yml"
    scaled.write_text(scaled_rules(RULES.read_text(encoding="utf-8"), 1 / 20, min_range_s=3))
    assert promtool("check", "rules", str(scaled)).returncode == 0
    config = tmp_path / "prometheus.yml"
    jobs = [ScrapeJob("auth", ("http://127.0.0.1:8000",)), ScrapeJob("p", ("127.0.0.1:8474",))]
    config.write_text(prometheus_config(jobs, rule_files=[scaled]))
    done = promtool("check", "config", str(config))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS: 1 rule files found" in done.stdout
    shipped = promtool("check", "config", str(MONITORING / "prometheus.yml"))
    assert shipped.returncode == 0, shipped.stdout + shipped.stderr
