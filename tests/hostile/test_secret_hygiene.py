"""Secret hygiene: after a run (logins, verifies, refreshes, logouts, failures and whatever
else this session sent), no token, password or signing secret appears in Redis (keys,
values, dumps, pub/sub messages), the service's logs (at debug level), its processes'
command lines, its metric files, /metrics or any error body."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from chaos.attacks import Secret, find_leaks

from .conftest import Target

pytestmark = pytest.mark.hostile

WRONG_PASSWORD = "typo-of-a-real-password-4f1c"


def redis_client(target: Target) -> redis.Redis:
    return redis.Redis(host="127.0.0.1", port=target.redis.port, socket_timeout=2)


def redis_contents(conn: redis.Redis) -> dict[str, bytes]:
    """Every key, its value read by type, and its DUMP, as named sources."""
    found: dict[str, bytes] = {}
    for key in conn.scan_iter(count=1000):
        name = key.decode("utf-8", "replace")
        raw_kind = conn.type(key)
        kind = raw_kind.decode() if isinstance(raw_kind, bytes) else str(raw_kind)
        value: object
        if kind == "string":
            value = conn.get(key)
        elif kind == "hash":
            value = conn.hgetall(key)
        elif kind == "list":
            value = conn.lrange(key, 0, -1)
        elif kind == "set":
            value = conn.smembers(key)
        elif kind == "zset":
            value = conn.zrange(key, 0, -1, withscores=True)
        else:
            value = conn.xrange(key) if kind == "stream" else b""
        found[f"redis key {name}"] = key
        found[f"redis value {name} ({kind})"] = repr(value).encode()
        found[f"redis dump {name}"] = conn.dump(key) or b""
    return found


def group_processes(group: int) -> list[Path]:
    """``/proc/PID`` of every process in the service's process group."""
    found: list[Path] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # the process ended meanwhile
        if int(fields[2]) == group:  # field 5 of stat: the process group id
            found.append(stat.parent)
    return found


def command_lines(processes: list[Path]) -> dict[str, bytes]:
    """Every process's command line: ``ps`` shows them to every local user."""
    return {f"cmdline of pid {proc.name}": (proc / "cmdline").read_bytes() for proc in processes}


def metric_files(processes: list[Path]) -> dict[str, bytes]:
    """The files of the workers' PROMETHEUS_MULTIPROC_DIR (series and label values on disk).
    The environment is only parsed for that one variable, never scanned: it holds the key."""
    found: dict[str, bytes] = {}
    for proc in processes:
        for entry in (proc / "environ").read_bytes().split(b"\0"):
            name, _, value = entry.partition(b"=")
            if name == b"PROMETHEUS_MULTIPROC_DIR":
                for path in Path(value.decode()).glob("*"):
                    found[f"metrics file {path.name}"] = path.read_bytes()
    return found


class ChannelTap:
    """Every pub/sub message on any channel from opening the tap to draining it (the server
    buffers them on the tap's connection: no thread needed)."""

    def __init__(self, conn: redis.Redis) -> None:
        self._conn = conn  # keeps the pool, and so the subscription's connection, alive
        self._pubsub = conn.pubsub(  # type: ignore[no-untyped-call,unused-ignore]
            ignore_subscribe_messages=True
        )
        self._pubsub.psubscribe("*")

    def drain(self, wait_first_s: float = 5.0) -> list[bytes]:
        """Messages so far: waits up to ``wait_first_s`` for the first, then takes the rest."""
        messages: list[bytes] = []
        deadline = time.monotonic() + wait_first_s
        while time.monotonic() < deadline:
            message = self._pubsub.get_message(timeout=0.05 if messages else 0.2)
            if message is not None:
                messages.append(repr(message).encode())
            elif messages:
                break
        return messages

    def close(self) -> None:
        self._pubsub.close()


def exercise(target: Target, client: httpx.Client) -> None:
    """Every route, successes and failures, with secrets in play."""
    pair = target.login(client, "erin")
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    assert client.get("/auth/verify", headers=auth).status_code == 200
    renewed = client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert renewed.status_code == 200
    assert (
        client.post("/auth/refresh", json={"refresh_token": pair["refresh_token"]}).status_code
        == 401
    )  # reuse
    assert client.post("/auth/logout", headers=auth).status_code == 200
    assert client.get("/auth/verify", headers=auth).status_code == 401
    assert (
        client.post(
            "/auth/logout", headers={"Authorization": f"Bearer {pair['access_token']}x"}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/auth/login", json={"username": "erin", "password": WRONG_PASSWORD}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/auth/login", json={"username": "no-such-user", "password": WRONG_PASSWORD}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/auth/login",
            content=b'{"username":"erin","password":"' + target.passwords["erin"].encode() + b'"',
            headers={"Content-Type": "application/json"},
        ).status_code
        == 422
    )


@pytest.fixture
def tap(target: Target) -> Iterator[ChannelTap]:
    listener = ChannelTap(redis_client(target))
    try:
        yield listener
    finally:
        listener.close()


def test_no_secret_is_left_anywhere(
    target: Target, client: httpx.Client, tap: ChannelTap, figures: dict[str, int]
) -> None:
    exercise(target, client)
    messages = tap.drain()
    assert messages, "the pub/sub tap saw no message (a logout publishes): it would miss a leak"
    conn = redis_client(target)
    processes = group_processes(target.auth.pid or 0)
    metrics = client.get("/metrics")
    assert metrics.status_code == 200
    sources: dict[str, bytes] = {
        **redis_contents(conn),
        "pub/sub messages": b"\n".join(messages),
        **command_lines(processes),
        **metric_files(processes),
        "service log": target.auth.log_path.read_bytes(),
        "redis log": target.redis.log_path.read_bytes(),
        "/metrics": metrics.content,
        **target.exposure.bodies,
    }
    secrets = [*target.exposure.secrets, Secret("password:wrong-attempt", WRONG_PASSWORD)]
    leaks = find_leaks(sources, secrets)
    figures["hygiene_sources_scanned"] = len(sources)
    figures["hygiene_secrets_searched"] = len(secrets)
    print(
        f"\nsecret hygiene: {len(secrets)} secrets searched in {len(sources)} sources "
        f"({sum(map(len, sources.values()))} bytes): {len(leaks)} leaks"
    )
    assert any(name.startswith("redis key revoked:") for name in sources)
    assert sum(name.startswith("cmdline") for name in sources) >= 3  # supervisor + 2 workers
    assert any(name.startswith("metrics file") for name in sources)
    assert not leaks, "\n".join(map(str, leaks))


def test_the_scan_sees_a_token_planted_in_redis(target: Target, client: httpx.Client) -> None:
    # negative control: a token stored the way the source report did is found
    token = target.login(client, "frank")["access_token"]
    conn = redis_client(target)
    conn.set(f"blacklist:{token}", token, ex=60)
    try:
        leaks = find_leaks(redis_contents(conn), [Secret("access_token:planted", token)])
    finally:
        conn.delete(f"blacklist:{token}")
    # (a DUMP may compress the value: that is why values are also read by type)
    assert {leak.source.split(" ")[1] for leak in leaks} >= {"key", "value"}
