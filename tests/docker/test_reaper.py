"""reap() removes what a killed run left, and only what it is asked to."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from chaos.docker_backend import (
    OWNER_LABEL,
    RUN_LABEL,
    STACK_LABEL,
    DockerRun,
    reap,
    reap_orphan_containers,
)

pytestmark = pytest.mark.docker


def labelled(engine: Any, stack_id: str) -> tuple[list[str], list[str]]:
    selector = {"label": f"{STACK_LABEL}={stack_id}"}
    containers = sorted(c.name for c in engine.containers.list(all=True, filters=selector))
    networks = [n.name for n in engine.networks.list(filters=selector)]
    return containers, networks


def test_reap_removes_a_killed_stacks_containers_and_network(docker_engine: Any) -> None:
    # two stacks that were never closed, as a killed pytest would leave them
    doomed = DockerRun.open(client=docker_engine)
    bystander = DockerRun.open(client=docker_engine)
    prefix = f"auth-chaos-{doomed.stack_id}"
    try:
        doomed.start_redis(name="r1")
        paused = doomed.start_redis(name="r2")
        paused.pause()  # a paused container must go too
        bystander.start_redis(name="r3")
        assert labelled(docker_engine, doomed.stack_id) == (
            [f"{prefix}-r1", f"{prefix}-r2"],
            [prefix],
        )

        reaped = reap(docker_engine, stack_id=doomed.stack_id)

        assert sorted(reaped.containers) == [f"{prefix}-r1", f"{prefix}-r2"]
        assert reaped.networks == [prefix]
        assert labelled(docker_engine, doomed.stack_id) == ([], [])
        # another stack's objects are untouched
        assert labelled(docker_engine, bystander.stack_id) == (
            [f"auth-chaos-{bystander.stack_id}-r3"],
            [f"auth-chaos-{bystander.stack_id}"],
        )
    finally:
        doomed.close()
        bystander.close()
    assert labelled(docker_engine, bystander.stack_id) == ([], [])


def test_reap_orphan_containers_takes_only_objects_whose_owner_is_dead(docker_engine: Any) -> None:
    # a pid that existed and is gone: the owner of a killed run
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead_pid = dead.stdout.strip()
    live = DockerRun.open(client=docker_engine)
    orphan_network = docker_engine.networks.create(
        f"auth-chaos-orphan-{live.stack_id}",
        labels={STACK_LABEL: f"orphan-{live.stack_id}", OWNER_LABEL: dead_pid},
    )
    orphan = docker_engine.containers.create(
        "auth-chaos/redis:local",
        name=f"auth-chaos-orphan-{live.stack_id}",
        labels={STACK_LABEL: f"orphan-{live.stack_id}", OWNER_LABEL: dead_pid},
    )
    try:
        live.start_redis(name="alive")

        reaped = reap_orphan_containers(docker_engine)

        assert orphan.name in reaped.containers
        assert orphan_network.name in reaped.networks
        assert labelled(docker_engine, f"orphan-{live.stack_id}") == ([], [])
        # this process owns `live`: nothing of it is an orphan
        assert labelled(docker_engine, live.stack_id)[0] == [f"auth-chaos-{live.stack_id}-alive"]
    finally:
        reap(docker_engine, stack_id=f"orphan-{live.stack_id}")
        live.close()


def test_reap_command_removes_a_stack_and_refuses_bad_flags(docker_engine: Any) -> None:
    run = DockerRun.open(client=docker_engine)
    try:
        run.start_redis(name="cli")
        done = subprocess.run(
            [sys.executable, "-m", "chaos.docker_backend", "reap", "--stack", run.stack_id],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.splitlines()[0] == "reaped 1 containers, 1 networks"
        assert labelled(docker_engine, run.stack_id) == ([], [])
    finally:
        run.close()
    bad = subprocess.run(
        [sys.executable, "-m", "chaos.docker_backend", "reap", "--stack"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "--stack: expected one argument" in bad.stderr


def test_reap_orphan_containers_of_a_scope_spares_other_scopes_and_live_owners(
    docker_engine: Any,
) -> None:
    # the end of ./dev docker-gate: orphans of its scope go, a concurrent run's objects stay
    dead_pid = _dead_pid()
    scope = f"reaptest-{os.getpid()}"
    objects = {  # run id, owner pid -> reaped?
        (f"{scope}:run-1", dead_pid): True,
        (f"{scope}:run-2", str(os.getpid())): False,  # same scope, owner alive
        (f"{scope}x:run-3", dead_pid): False,  # a longer scope
        ("run-4", dead_pid): False,  # no scope
    }
    made = {
        key: docker_engine.containers.create(
            "auth-chaos/redis:local",
            name=f"auth-chaos-{scope}-{index}",
            labels={RUN_LABEL: key[0], OWNER_LABEL: key[1]},
        ).name
        for index, key in enumerate(objects)
    }
    try:
        reaped = reap_orphan_containers(docker_engine, scope)

        assert reaped.containers == [made[key] for key, doomed in objects.items() if doomed]
        everything = docker_engine.containers.list(all=True, filters={"label": RUN_LABEL})
        assert {made[key] for key, doomed in objects.items() if not doomed} <= {
            c.name for c in everything
        }
    finally:
        for run_id, _ in objects:
            reap(docker_engine, run_id)
    bad = subprocess.run(
        [sys.executable, "-m", "chaos.docker_backend", "reap", "--all", "--scope", scope],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "--scope: only with --orphans" in bad.stderr


def _dead_pid() -> str:
    """A pid that existed and is gone: the owner of a killed run."""
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()
