"""A Redis container from the locally built image, driven with the local handles' verbs."""

from __future__ import annotations

import pytest
import redis

from chaos.docker_backend import DockerRun, redis_client, wait_redis_ready

pytestmark = pytest.mark.docker


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
