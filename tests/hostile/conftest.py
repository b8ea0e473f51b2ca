"""Fixtures of the hostile suite: one service per session (per xdist worker), a client that
remembers every secret it was handed and every error body it saw, and the figures printed at
the end (corpus size, refusals, fuzzing requests)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from chaos.attacks import Secret
from chaos.services import AuthService, RedisServer

LEEWAY_S = 30  # wide enough that "just inside the leeway" is really past exp
HASH_COST = "1024"  # scrypt N: logins stay cheap, the suite is not a hashing benchmark
FRESH_IDS = ("jti", "fam")  # the service revokes a whole refresh family (fam) at logout
USERNAMES = ("alice", "bob", "carol", "dave", "erin", "frank")
FIGURES_DIR = Path(__file__).resolve().parents[2] / "reports" / "hostile"
CLIENT_TIMEOUT_S = 20.0


@dataclass
class Exposure:
    """Secrets handed out (or chosen) during the run and every error body seen."""

    secrets: list[Secret] = field(default_factory=list)
    bodies: dict[str, bytes] = field(default_factory=dict)

    def watch(self, response: httpx.Response) -> None:
        response.read()
        request = response.request
        if response.status_code >= 400:
            key = f"body {len(self.bodies)}: {request.method} {request.url.path}"
            self.bodies[key] = response.content
            return
        if request.url.path in {"/auth/login", "/auth/refresh"} and response.status_code == 200:
            pair = response.json()
            for kind in ("access_token", "refresh_token"):
                self.secrets.append(Secret(f"{kind}:{len(self.secrets)}", pair[kind]))


@dataclass
class Target:
    """The service under attack and what the attacker-tester knows about it."""

    auth: AuthService
    redis: RedisServer
    passwords: dict[str, str]
    leeway_s: int
    exposure: Exposure

    @property
    def base_url(self) -> str:
        return self.auth.base_url

    @property
    def secret(self) -> bytes:
        return self.auth.secret.encode()

    def client(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.base_url,
            timeout=CLIENT_TIMEOUT_S,
            event_hooks={"response": [self.exposure.watch]},
        )

    def login(self, client: httpx.Client, username: str) -> dict[str, str]:
        response = client.post(
            "/auth/login", json={"username": username, "password": self.passwords[username]}
        )
        assert response.status_code == 200, response.text
        pair: dict[str, str] = response.json()
        return pair


def start_target(workdir: Path, extra_args: tuple[str, ...] = (), workers: int = 2) -> Target:
    """Redis and the reference service, with random passwords that the exposure knows."""
    passwords = {name: f"pw-{name}-{secrets.token_hex(12)}" for name in USERNAMES}
    exposure = Exposure([Secret(f"password:{n}", p) for n, p in passwords.items()])
    redis = RedisServer(workdir).start()
    try:
        auth = AuthService(
            workdir,
            redis.url,
            workers=workers,
            port_per_worker=False,
            users=tuple(passwords.items()),
            extra_args=(
                "--leeway",
                str(LEEWAY_S),
                "--hash-cost",
                HASH_COST,
                "--log-level",
                "info",
                *extra_args,
            ),
        ).start()
    except BaseException:
        redis.close()
        raise
    exposure.secrets.append(Secret("jwt_secret", auth.secret))
    return Target(auth, redis, passwords, LEEWAY_S, exposure)


def stop_target(target: Target) -> None:
    target.auth.close()
    target.redis.close()


@pytest.fixture(scope="session")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    """The shared HS256 service (2 workers behind one port) for the whole hostile session."""
    started = start_target(tmp_path_factory.mktemp("hostile"))
    try:
        yield started
    finally:
        stop_target(started)


@pytest.fixture(scope="session")
def client(target: Target) -> Iterator[httpx.Client]:
    with target.client() as session_client:
        yield session_client


@pytest.fixture(scope="session")
def figures() -> Iterator[dict[str, int]]:
    """Counts the suite reports (written to reports/hostile/, printed at the end)."""
    found: dict[str, int] = {}
    yield found
    if found:
        FIGURES_DIR.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        path = FIGURES_DIR / f"figures-{_run_id()}-{worker}.json"
        path.write_text(json.dumps(found, indent=2) + "\n")


def _run_id() -> str:
    return os.environ.get("AUTH_CHAOS_RUN", "norun")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    # With xdist this runs in the controller, which reads what the workers wrote.
    paths = sorted(FIGURES_DIR.glob(f"figures-{_run_id()}-*.json")) if FIGURES_DIR.is_dir() else []
    for path in paths:
        terminalreporter.write_line(f"hostile figures ({path.stem}): {path.read_text().strip()}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # the hygiene scan goes last, so it also reads what every other hostile test left behind
    last = [item for item in items if item.nodeid.startswith("tests/hostile/test_secret_hygiene")]
    if last:
        items[:] = [item for item in items if item not in last] + last
