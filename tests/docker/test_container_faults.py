"""A Redis container from the locally built image, driven with the local handles' verbs."""

from __future__ import annotations

import pytest
import redis

from chaos.docker_backend import (
    ContainerHandle,
    DockerRun,
    Partition,
    redis_client,
    wait_redis_ready,
)
from chaos.faults.base import fault_window
from chaos.faults.process import Controllable, Kill, Pause
from chaos.history import History

pytestmark = pytest.mark.docker


def networks(box: ContainerHandle) -> set[str]:
    box.container.reload()
    return set(box.container.attrs["NetworkSettings"]["Networks"] or {})


def test_kill_pause_resume_restart_stop(docker_run: DockerRun) -> None:
    box = docker_run.start_redis()
    client = redis_client(box, timeout=0.5)
    assert client.set("k", "v")
    assert box.status() == "running"
    assert "Ready to accept connections" in box.log_tail(50)

    box.pause()
    assert box.status() == "paused"
    # frozen, not dead: the kernel still accepts, nothing answers
    with pytest.raises(redis.TimeoutError):
        redis_client(box, timeout=0.5).ping()
    box.resume()
    assert redis_client(box).get("k") == b"v"

    box.kill()
    assert box.status() == "exited"
    with pytest.raises(redis.ConnectionError):
        redis_client(box).ping()
    box.restart()
    wait_redis_ready(box, timeout=30)
    # the same host port after a restart: clients keep their address
    assert redis_client(box).ping()

    box.stop(timeout=5)
    assert box.status() == "exited"
    box.restart()
    wait_redis_ready(box, timeout=30)
    box.pause()
    box.restart()  # restart works from any state, paused included
    wait_redis_ready(box, timeout=30)
    assert box.pid > 0


def test_process_faults_and_partition_drive_a_container_through_a_fault_window(
    docker_run: DockerRun,
) -> None:
    box = docker_run.start_redis()
    target: Controllable = box  # the local handles' protocol: the same faults apply
    history = History()
    with fault_window(Kill(target, name="redis_kill9_restart"), history):
        assert box.status() == "exited"
    # heal restarted it and waited until it answers
    assert redis_client(box).ping()
    with fault_window(Pause(target, name="redis_pause"), history):
        assert box.status() == "paused"
    assert redis_client(box).ping()
    with fault_window(Partition(box), history):
        assert networks(box) == set()
    assert networks(box) == {docker_run.network.name}
    assert redis_client(box).ping()
    phases = [(op.value["name"], op.value["phase"]) for op in history.ops if op.f == "fault"]
    assert phases == [
        ("redis_kill9_restart", "inject"),
        ("redis_kill9_restart", "heal"),
        ("redis_pause", "inject"),
        ("redis_pause", "heal"),
        ("partition_redis", "inject"),
        ("partition_redis", "heal"),
    ]
