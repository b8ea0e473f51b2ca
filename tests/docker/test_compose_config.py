"""docker-compose.chaos.yml and its no-registry override are valid and loopback-only."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

pytestmark = pytest.mark.docker

ROOT = Path(__file__).resolve().parents[2]
MAIN = "docker-compose.chaos.yml"
LOCAL = "docker/compose.local.yml"
PROFILES = ["--profile", "replicas", "--profile", "sentinel", "--profile", "monitoring"]
# the one image with no local build: documented as untested here (docs/monitoring.md)
GRAFANA = "grafana/grafana-oss:11.3.0"


def compose_config(*files: str) -> dict[str, Any]:
    command = ["docker-compose", *(a for f in files for a in ("-f", f)), *PROFILES, "config"]
    done = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "AUTH_CHAOS_RUN": "cfg"},
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, f"{' '.join(command)}: {done.stderr}"
    config: dict[str, Any] = yaml.safe_load(done.stdout)
    return config


def exposure_problems(config: dict[str, Any]) -> list[str]:
    """Ports not bound to 127.0.0.1 and objects without the run label."""
    problems = []
    for name, service in config["services"].items():
        for port in service.get("ports", []):
            if not str(port).startswith("127.0.0.1:"):
                problems.append(f"{name}: port {port} is not on 127.0.0.1")
        if service.get("labels", {}).get("auth-chaos.run") != "cfg":
            problems.append(f"{name}: no auth-chaos.run label")
    for name, network in config.get("networks", {}).items():
        if network.get("labels", {}).get("auth-chaos.run") != "cfg":
            problems.append(f"network {name}: no auth-chaos.run label")
    return problems


@pytest.mark.parametrize("files", [(MAIN,), (MAIN, LOCAL)], ids=["registry", "local"])
def test_compose_config_is_valid_loopback_only_and_labelled(files: tuple[str, ...]) -> None:
    config = compose_config(*files)
    expected = {"redis-primary", "redis-replica-1", "redis-replica-2", "toxiproxy", "auth"}
    expected |= {"sentinel-1", "sentinel-2", "sentinel-3", "prometheus", "grafana"}
    assert set(config["services"]) == expected
    assert exposure_problems(config) == []


def test_local_override_uses_only_locally_built_images() -> None:
    images = {s["image"] for s in compose_config(MAIN, LOCAL)["services"].values()}
    local = {"auth-chaos/redis:local", "auth-chaos/app:local", "auth-chaos/prometheus:local"}
    assert images == local | {GRAFANA}


@pytest.mark.parametrize("files", [(MAIN,), (MAIN, LOCAL)], ids=["registry", "local"])
def test_the_monitoring_services_mount_files_of_the_repository(files: tuple[str, ...]) -> None:
    services = compose_config(*files)["services"]
    mounted = []
    for name in ("prometheus", "grafana"):
        assert services[name]["profiles"] == ["monitoring"]
        for volume in services[name]["volumes"]:
            source = volume["source"] if isinstance(volume, dict) else volume.split(":")[0]
            mounted.append(Path(source))
    assert mounted, "no volumes: the configuration would not reach the containers"
    for source in mounted:
        assert source.is_relative_to(ROOT / "monitoring"), source
        assert source.exists(), f"{source} is mounted but missing"


def test_exposure_check_catches_a_wildcard_port_and_a_missing_label() -> None:
    """Negative control of exposure_problems."""
    config = compose_config(MAIN)
    config["services"]["redis-primary"]["ports"] = ["6379:6379/tcp"]
    del config["services"]["auth"]["labels"]
    assert sorted(exposure_problems(config)) == [
        "auth: no auth-chaos.run label",
        "redis-primary: port 6379:6379/tcp is not on 127.0.0.1",
    ]
