"""Docker tests: opt-in (CHAOS_DOCKER=1 or -m docker), and a clear failure without an engine.

They are deselected by default, never skipped: once opted in, a missing engine or image fails
every test with the command that fixes it (scripts/docker-setup.sh).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from chaos.docker_backend import (
    APP_IMAGE,
    REDIS_IMAGE,
    STACK_LABEL,
    DockerBackendError,
    DockerRun,
    connect_engine,
    require_image,
)

OPT_IN = "CHAOS_DOCKER"


def docker_opted_in(config: pytest.Config) -> bool:
    markexpr = str(config.getoption("markexpr", "") or "")
    return os.environ.get(OPT_IN) == "1" or ("docker" in markexpr and "not docker" not in markexpr)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if docker_opted_in(config):
        return
    deselected = [item for item in items if item.get_closest_marker("docker")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("docker")]


@pytest.fixture(scope="session")
def docker_engine() -> Any:
    """The Docker client with both local images present, or a failure naming the fix."""
    try:
        client = connect_engine()
        for image in (REDIS_IMAGE, APP_IMAGE):
            require_image(client, image)
    except DockerBackendError as exc:
        pytest.fail(f"{OPT_IN}=1 but the Docker backend is not usable: {exc}", pytrace=False)
    return client


@pytest.fixture
def docker_run(docker_engine: Any) -> Iterator[DockerRun]:
    """A labelled network for one test; every container and the network are gone afterwards."""
    run = DockerRun.open(client=docker_engine)
    try:
        yield run
    finally:
        run.close()
        leftovers = docker_engine.containers.list(
            all=True, filters={"label": f"{STACK_LABEL}={run.stack_id}"}
        )
        assert leftovers == [], f"containers left behind: {[c.name for c in leftovers]}"
