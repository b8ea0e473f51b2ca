"""An example service started from its ``profile.toml``, and that profile's routes as HTTP calls.

    profile = Profile.of("careful")
    service = profile.command_service(workdir, redis.url, workers=2).start()
    calls = ProfileCalls(profile, service.base_url)
    tokens = calls.login(); calls.verify(tokens.access).status_code   # 200

Only what these tests need of the profile format (docs: examples/README.md); every call opens
a fresh connection, so consecutive calls may reach different workers.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from chaos.services import CommandService

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TIMEOUT = 5.0  # seconds per call: far above any answer of a healthy service on loopback


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    statuses: tuple[int, ...]
    table: dict[str, Any]


@dataclass(frozen=True)
class Tokens:
    access: str
    refresh: str


def dotted(body: Any, path: str) -> str:
    """``body["token"]["access"]`` for ``"token.access"``; KeyError names the path."""
    found = body
    for part in path.split("."):
        if not isinstance(found, dict) or part not in found:
            raise KeyError(f"no {path!r} in the answer {body!r}")
        found = found[part]
    return str(found)


class Profile:
    def __init__(self, path: Path) -> None:
        self.path = path
        with path.open("rb") as file:
            self.data: dict[str, Any] = tomllib.load(file)
        routes = self.data["routes"]
        self.routes = {
            name: Route(t["method"], t["path"], tuple(t["statuses"]), t)
            for name, t in routes.items()
        }

    @classmethod
    def of(cls, example: str) -> Profile:
        return cls(EXAMPLES / example / "profile.toml")

    @property
    def accounts(self) -> list[tuple[str, str]]:
        return [(name, password) for name, password in self.data["accounts"]["users"]]

    @property
    def worker_header(self) -> str:
        return str(self.data.get("worker", {}).get("header", ""))

    @property
    def revocation_key(self) -> str:
        return str(self.data["redis"]["revocation_key"])

    def _render(self, text: str, users_file: Path, redis_url: str | None) -> str:
        # {port}, {workers} (and {redis_url} in the command) are CommandService's to fill
        text = text.replace("{python}", sys.executable)
        text = text.replace("{profile_dir}", str(self.path.parent))
        text = text.replace("{users_file}", str(users_file))
        return text if redis_url is None else text.replace("{redis_url}", redis_url)

    def command_service(self, workdir: Path, redis_url: str, workers: int) -> CommandService:
        """The service as the gate would start it, with the users file written from [accounts]."""
        service = self.data["service"]
        users_file = workdir / "users.txt"
        users_file.write_text("".join(f"{u}:{p}\n" for u, p in self.accounts), encoding="utf-8")
        env = {k: self._render(v, users_file, redis_url) for k, v in service["env"].items()}
        return CommandService(
            workdir,
            self._render(service["command"], users_file, None),
            redis_url,
            health_path=service["ready"],
            workers=workers,
            env=env,
        )


class ProfileCalls:
    """login, verify, logout and refresh as the profile says, each on a new connection.

    One client for all calls (thread-safe), keeping no connection alive: a new connection per
    call without a new client (and its TLS context) per call.
    """

    def __init__(self, profile: Profile, base_url: str) -> None:
        self.profile = profile
        self.base_url = base_url
        self.client = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))

    def call(self, name: str, timeout: float = TIMEOUT, **kwargs: Any) -> httpx.Response:
        route = self.profile.routes[name]
        url = self.base_url + route.path
        return self.client.request(route.method, url, timeout=timeout, **kwargs)

    def get(self, path: str) -> httpx.Response:
        return self.client.get(self.base_url + path, timeout=TIMEOUT)

    def close(self) -> None:
        self.client.close()

    def _tokens(self, table: dict[str, Any], answer: httpx.Response) -> Tokens:
        body = answer.json()
        access = dotted(body, table["access_token"])
        if table.get("refresh_token"):
            return Tokens(access, dotted(body, table["refresh_token"]))
        cookie = self.profile.routes["refresh"].table["field"]
        return Tokens(access, answer.cookies[cookie])  # send = "cookie": it came as Set-Cookie

    def login(self, account: tuple[str, str] | None = None) -> Tokens:
        table = self.profile.routes["login"].table
        user, password = account or self.profile.accounts[0]
        fields = {table["username"]: user, table["password"]: password}
        if table["body"] == "form":
            answer = self.call("login", data=fields)
        else:
            answer = self.call("login", json=fields)
        assert answer.status_code == 200, f"login as {user}: {answer.status_code} {answer.text}"
        return self._tokens(table, answer)

    def verify(self, access: str, timeout: float = TIMEOUT) -> httpx.Response:
        return self.call("verify", timeout, headers=bearer(access))

    def logout(self, access: str) -> httpx.Response:
        return self.call("logout", headers=bearer(access))

    def refresh_answer(self, refresh: str) -> httpx.Response:
        table = self.profile.routes["refresh"].table
        if table["send"] == "header":
            return self.call("refresh", headers=bearer(refresh))
        if table["send"] == "cookie":
            return self.call("refresh", headers={"Cookie": f"{table['field']}={refresh}"})
        return self.call("refresh", json={table["field"]: refresh})

    def refresh(self, refresh: str) -> Tokens:
        answer = self.refresh_answer(refresh)
        assert answer.status_code == 200, f"refresh: {answer.status_code} {answer.text}"
        return self._tokens(self.profile.routes["refresh"].table, answer)

    def documented(self, name: str, answer: httpx.Response) -> bool:
        return answer.status_code in self.profile.routes[name].statuses


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
