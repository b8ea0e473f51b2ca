"""RedisServer as a real process: start, kill, pause, resume, restart, and a start that fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis

from chaos.services import RedisServer, ServiceNotReady, ServiceNotRunning
from fixtures.services import RedisFactory

pytestmark = pytest.mark.integration


def test_started_server_answers_on_its_url(redis_server: RedisServer) -> None:
    assert redis_server.url == f"redis://127.0.0.1:{redis_server.port}/0"
    conn = redis_server.client()
    assert conn.ping()
    assert conn.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
    assert conn.config_get("bind") == {"bind": "127.0.0.1"}
    assert os.getpgid(redis_server.pid or 0) == redis_server.pid  # its own process group


def test_pause_hangs_it_and_resume_brings_it_back(redis_server: RedisServer) -> None:
    conn = redis_server.client(timeout=0.3)
    redis_server.pause()
    with pytest.raises(redis.TimeoutError):
        conn.ping()
    redis_server.resume()
    assert redis_server.client().ping()


def test_kill_refuses_connections_and_restart_uses_the_same_port(
    redis_server: RedisServer,
) -> None:
    port, pid = redis_server.port, redis_server.pid
    redis_server.kill()
    assert not redis_server.running
    with pytest.raises(redis.ConnectionError):
        redis_server.client().ping()
    with pytest.raises(ServiceNotRunning):
        redis_server.pause()
    redis_server.restart()
    assert (redis_server.port, redis_server.running) == (port, True)
    assert redis_server.pid != pid
    assert redis_server.client().ping()


@pytest.mark.parametrize(("persistence", "kept"), [("always", True), ("off", False)])
def test_kill_9_keeps_data_only_with_persistence(
    redis_factory: RedisFactory, persistence: str, kept: bool
) -> None:
    server = redis_factory(persistence=persistence)
    server.client().set("revoked:abc", "1")
    server.kill()
    server.restart()
    assert (server.client().get("revoked:abc") == "1") is kept


def test_stop_is_graceful_and_stops_the_group(redis_server: RedisServer) -> None:
    redis_server.stop()
    assert not redis_server.running
    assert "ready to exit" in redis_server.log_tail(5).lower()


def test_stop_of_a_paused_server_still_ends_it(redis_server: RedisServer) -> None:
    redis_server.pause()
    redis_server.stop(timeout=5)
    assert not redis_server.running


def test_bad_config_fails_readiness_with_the_log_in_the_message(tmp_path: Path) -> None:
    server = RedisServer(tmp_path, extra_config={"no-such-directive": "1"})
    try:
        with pytest.raises(ServiceNotReady) as caught:
            server.start(timeout=20)
    finally:
        server.close()
    message = str(caught.value)
    assert "FATAL CONFIG FILE ERROR" in message
    assert "no-such-directive" in message
    assert caught.value.service == server.name
    assert not server.running


def test_a_server_that_never_answers_times_out_with_what_was_seen(tmp_path: Path) -> None:
    # the process runs but its readiness never holds: the deadline, not an exit, ends the wait
    server = RedisServer(tmp_path, extra_config={"requirepass": "secret"})
    try:
        with pytest.raises(ServiceNotReady, match=r"not ready after 1\.0 s.*Authentication"):
            server.start(timeout=1.0)
    finally:
        server.close()
    assert not server.running


def test_unknown_persistence_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="persistence must be one of"):
        RedisServer(tmp_path, persistence="sometimes")  # type: ignore[arg-type]


def test_replica_of_a_server_handle_replicates(redis_factory: RedisFactory) -> None:
    primary = redis_factory()
    replica = redis_factory(replica_of=primary)
    primary.client().set("revoked:r", "1")
    assert primary.command_reply("WAIT", 1, 10_000, timeout=15) == 1  # ready != in sync
    assert replica.client().get("revoked:r") == "1"
    assert replica.client().info("replication")["master_port"] == primary.port
