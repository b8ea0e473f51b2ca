"""reap(run_id) removes what a killed run left, and only that run's objects."""

from __future__ import annotations

from typing import Any

import pytest

from chaos.docker_backend import RUN_LABEL, DockerRun, reap

pytestmark = pytest.mark.docker


def labelled(engine: Any, run_id: str) -> tuple[list[str], list[str]]:
    selector = {"label": f"{RUN_LABEL}={run_id}"}
    containers = [c.name for c in engine.containers.list(all=True, filters=selector)]
    networks = [n.name for n in engine.networks.list(filters=selector)]
    return containers, networks


def test_reap_removes_a_killed_runs_containers_and_network(docker_engine: Any) -> None:
    # two runs that were never closed, as a killed pytest would leave them
    doomed = DockerRun.open(client=docker_engine)
    bystander = DockerRun.open(client=docker_engine)
    try:
        doomed.start_redis(name="r1")
        paused = doomed.start_redis(name="r2")
        paused.pause()  # a paused container must go too
        bystander.start_redis(name="r3")
        assert labelled(docker_engine, doomed.run_id) == (
            [f"auth-chaos-{doomed.run_id}-r2", f"auth-chaos-{doomed.run_id}-r1"],
            [f"auth-chaos-{doomed.run_id}"],
        )

        reaped = reap(docker_engine, doomed.run_id)

        assert sorted(reaped.containers) == [
            f"auth-chaos-{doomed.run_id}-r1",
            f"auth-chaos-{doomed.run_id}-r2",
        ]
        assert reaped.networks == [f"auth-chaos-{doomed.run_id}"]
        assert labelled(docker_engine, doomed.run_id) == ([], [])
        # another run's objects are untouched
        assert labelled(docker_engine, bystander.run_id) == (
            [f"auth-chaos-{bystander.run_id}-r3"],
            [f"auth-chaos-{bystander.run_id}"],
        )
    finally:
        reap(docker_engine, doomed.run_id)
        bystander.close()
    assert labelled(docker_engine, bystander.run_id) == ([], [])
