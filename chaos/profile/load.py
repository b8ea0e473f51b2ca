"""Reading a service profile from TOML: a profile file, or ``[tool.auth-chaos.service]`` of
a ``pyproject.toml``. Every key is checked; a bad or unknown one is a ``ProfileError`` whose
message is one line naming the file, the table, the key and what was wrong.

    profile = load_profile(Path("examples/naive/profile.toml"))
    profile = load_profile(Path("../myservice/pyproject.toml"))   # [tool.auth-chaos.service]
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar, cast

from chaos.profile.model import (
    METHODS,
    Accounts,
    DegradedSignal,
    FailurePolicy,
    LoginRoute,
    Mode,
    RedisClient,
    RefreshRoute,
    Route,
    ServiceProfile,
)

__all__ = [
    "PYPROJECT_TABLE",
    "REFERENCE_PROFILE",
    "ProfileError",
    "load_profile",
    "parse_profile",
    "reference_profile",
]

PYPROJECT_TABLE = ("tool", "auth-chaos", "service")
# the checkout's profiles/ folder (the suite runs from its checkout, see README)
REFERENCE_PROFILE = Path(__file__).resolve().parents[2] / "profiles" / "reference.toml"
T = TypeVar("T")

DEFAULT_STATUSES = {
    "login": (200, 401, 422, 429),
    "verify": (200, 401, 503),
    "logout": (200, 401, 503),
    "refresh": (200, 401, 422, 503),
}
TABLES = {
    "service", "accounts", "routes", "worker", "degraded", "policy", "redis", "metrics",
    "budgets",
}  # fmt: skip


class ProfileError(ValueError):
    """A profile that cannot be used; the message is the one line the user sees."""


class _Table:
    """One TOML table being read: typed getters that name the key on error, and a check
    that no key was left unread (a typo is an error, not a silent default)."""

    def __init__(self, where: str, data: object) -> None:
        if not isinstance(data, dict):
            raise ProfileError(f"{where}: expected a table, got {type(data).__name__}")
        self.where = where
        self.data: dict[str, Any] = data
        self.read: set[str] = set()

    def _get(self, key: str, kind: type[T] | tuple[type, ...], default: object) -> Any:
        self.read.add(key)
        if key not in self.data:
            if default is _REQUIRED:
                raise ProfileError(f"{self.where}: missing {key!r}")
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            raise ProfileError(f"{self.where}: {key}: expected {_names(kinds)}, got {value!r}")
        if not isinstance(value, kinds):
            raise ProfileError(f"{self.where}: {key}: expected {_names(kinds)}, got {value!r}")
        return value

    def text(self, key: str, default: object = None) -> Any:
        return self._get(key, str, default)

    def number(
        self, key: str, default: object = None, *, minimum: float = 0.0, whole: bool = False
    ) -> Any:
        """``whole``: a count (``2``, not ``2.5``: never rounded silently)."""
        value = self._get(key, int if whole else (int, float), default)
        if value is not None and value is not _REQUIRED and value < minimum:
            kind = "a whole number" if whole else "a number"
            raise ProfileError(f"{self.where}: {key}: expected {kind} >= {minimum:g}")
        return value

    def choice(self, key: str, options: tuple[str, ...], default: object = None) -> Any:
        value = self.text(key, default)
        if value is not None and value not in options:
            raise ProfileError(
                f"{self.where}: {key}: expected one of {', '.join(options)}, got {value!r}"
            )
        return value

    def table(self, key: str) -> _Table | None:
        self.read.add(key)
        if key not in self.data:
            return None
        where = f"[{key}]" if not self.where else f"{self.where[:-1]}.{key}]"
        return _Table(where, self.data[key])

    def done(self) -> None:
        unknown = sorted(set(self.data) - self.read)
        if unknown:
            raise ProfileError(f"{self.where}: unknown key {unknown[0]!r}")


_REQUIRED = object()


def _names(kinds: tuple[type, ...]) -> str:
    words = {str: "a string", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a table"}  # fmt: skip
    if float in kinds:  # any number will do
        kinds = tuple(k for k in kinds if k is not int)
    return " or ".join(dict.fromkeys(words.get(k, k.__name__) for k in kinds))


def _path(table: _Table, key: str, default: object = _REQUIRED) -> str:
    value = table.text(key, default)
    if not isinstance(value, str) or not value.startswith("/"):
        raise ProfileError(f"{table.where}: {key}: a path starts with /, got {value!r}")
    return value


def _statuses(table: _Table, route: str) -> frozenset[int]:
    raw = table._get("statuses", list, list(DEFAULT_STATUSES[route]))
    if not raw or not all(isinstance(s, int) and not isinstance(s, bool) for s in raw):
        raise ProfileError(f"{table.where}: statuses: expected a list of HTTP statuses")
    if any(not 100 <= s <= 599 for s in raw):
        raise ProfileError(f"{table.where}: statuses: {raw!r} has a number that is no status")
    if 500 in raw:
        raise ProfileError(f"{table.where}: statuses: 500 is never a documented answer")
    return frozenset(raw)


def _method(table: _Table, default: str) -> str:
    return cast(str, table.choice("method", METHODS, default))


def _route(table: _Table | None, route: str, method: str, path: str) -> Route:
    if table is None:
        raise ProfileError(f"[routes]: missing [routes.{route}]")
    made = Route(_method(table, method), _path(table, "path", path), _statuses(table, route))
    table.done()
    return made


def _login(table: _Table | None) -> LoginRoute:
    if table is None:
        raise ProfileError("[routes]: missing [routes.login]")
    made = LoginRoute(
        _method(table, "POST"), _path(table, "path"), _statuses(table, "login"),
        body=table.choice("body", ("json", "form"), "json"),
        username=table.text("username", "username"), password=table.text("password", "password"),
        access_token=table.text("access_token", "access_token"),
        refresh_token=table.text("refresh_token", "refresh_token"),
    )  # fmt: skip
    table.done()
    if not made.access_token:
        raise ProfileError(f"{table.where}: access_token: where the answer holds the token")
    return made


def _refresh(table: _Table | None) -> RefreshRoute | None:
    if table is None:
        return None
    made = RefreshRoute(
        _method(table, "POST"), _path(table, "path"), _statuses(table, "refresh"),
        send=table.choice("send", ("body", "header", "cookie"), "body"),
        field=table.text("field", "refresh_token"),
        access_token=table.text("access_token", "access_token"),
        refresh_token=table.text("refresh_token", "refresh_token"),
    )  # fmt: skip
    table.done()
    return made


def _accounts(table: _Table | None) -> Accounts:
    if table is None:
        raise ProfileError("[accounts]: missing: the gate needs at least two test accounts")
    raw = table._get("users", list, [])
    users: list[tuple[str, str]] = []
    for pair in raw:
        if (
            not isinstance(pair, list) or len(pair) != 2
            or not all(isinstance(p, str) and p for p in pair)
        ):  # fmt: skip
            raise ProfileError(f"{table.where}: users: expected [[name, password], ...]")
        users.append((pair[0], pair[1]))
    create = table.text("create")
    table.done()
    if len(users) < 2:
        raise ProfileError(f"{table.where}: users: at least two accounts, got {len(users)}")
    return Accounts(tuple(users), create)


def _policy(table: _Table | None) -> FailurePolicy:
    if table is None:
        raise ProfileError("[policy]: missing: failure = open, closed or open-bounded")
    failure = table.choice("failure", ("open", "closed", "open-bounded"), _REQUIRED)
    bound = table.number("bound_s", None)
    mode: Mode = "closed" if failure == "closed" else "open"
    raw_modes = table._get("modes", list, [mode])
    if not raw_modes or any(m not in ("open", "closed") for m in raw_modes):
        raise ProfileError(f"{table.where}: modes: expected a list of open and closed")
    table.done()
    if failure == "open-bounded" and bound is None:
        raise ProfileError(f"{table.where}: bound_s: open-bounded needs the bound in seconds")
    return FailurePolicy(failure, None if bound is None else float(bound), tuple(raw_modes))


def _redis(table: _Table | None) -> RedisClient:
    if table is None:
        raise ProfileError("[redis]: missing: the service's Redis timeout_s and retries")
    timeout = table.number("timeout_s", _REQUIRED)
    retries = table.number("retries", 0)
    key = table.text("revocation_key")
    table.done()
    if timeout <= 0:
        raise ProfileError(f"{table.where}: timeout_s: expected a number > 0")
    if not isinstance(retries, int) or retries > 100:
        raise ProfileError(f"{table.where}: retries: expected a whole number 0..100")
    if key is not None and key.count("{jti}") + key.count("{token}") != 1:
        raise ProfileError(
            f"{table.where}: revocation_key: needs one {{jti}} or {{token}}, got {key!r}"
        )
    return RedisClient(float(timeout), retries, key)


def _degraded(table: _Table | None) -> DegradedSignal | None:
    if table is None:
        return None
    made = DegradedSignal(
        table.text("header", _REQUIRED), table.text("value", _REQUIRED),
        table.text("enforced", ""),
    )  # fmt: skip
    table.done()
    return made


def _budgets(table: _Table | None) -> dict[str, float]:
    if table is None:
        return {}
    out: dict[str, float] = {}
    for key in list(table.data):
        value = table._get(key, (int, float), _REQUIRED)
        if value <= 0:
            raise ProfileError(f"{table.where}: {key}: expected a positive number, got {value!r}")
        out[key] = float(value)
    return out


def parse_profile(data: Mapping[str, Any], source: Path | None = None) -> ServiceProfile:
    """The profile in ``data`` (a parsed TOML document); ``source`` names it in errors."""
    where = str(source) if source is not None else "profile"
    try:
        return _parse(_Table("", dict(data)))
    except ProfileError as exc:
        raise ProfileError(f"{where}: {exc}") from None


def _parse(root: _Table) -> ServiceProfile:
    unknown = sorted(set(root.data) - TABLES)  # first: a misspelt table is not "missing"
    if unknown:
        near = difflib.get_close_matches(unknown[0], sorted(TABLES), n=1)
        hint = f" (did you mean [{near[0]}]?)" if near else ""
        raise ProfileError(f"unknown table [{unknown[0]}]{hint}")
    service = root.table("service")
    if service is None:
        raise ProfileError("[service]: missing: name and command")
    routes = root.table("routes")
    if routes is None:
        raise ProfileError("[routes]: missing: login, verify and logout")
    worker, metrics = root.table("worker"), root.table("metrics")
    env = service._get("env", dict, {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in env.items()):
        raise ProfileError(f"{service.where}: env: expected a table of strings")
    profile = ServiceProfile(
        name=service.text("name", _REQUIRED),
        command=service.text("command", _REQUIRED),
        accounts=_accounts(root.table("accounts")),
        login=_login(routes.table("login")),
        verify=_route(routes.table("verify"), "verify", "GET", "/"),
        logout=_route(routes.table("logout"), "logout", "POST", "/"),
        refresh=_refresh(routes.table("refresh")),
        policy=_policy(root.table("policy")),
        redis=_redis(root.table("redis")),
        env=dict(env),
        workers=service.number("workers", 2, minimum=1, whole=True),
        ready=_path(service, "ready", "/health"),
        port_per_worker=bool(service._get("port_per_worker", bool, False)),
        worker_header=(worker.text("header", "") or None) if worker else None,
        degraded=_degraded(root.table("degraded")),
        metrics_path=_path(metrics, "path") if metrics else None,
        budgets=_budgets(root.table("budgets")),
    )
    for table in (service, routes, worker, metrics):
        if table is not None:
            table.done()
    if "{port}" not in profile.command:
        raise ProfileError(f"[service]: command needs a {{port}} placeholder: {profile.command!r}")
    return profile


def load_profile(path: Path) -> ServiceProfile:
    """A profile file, or the ``[tool.auth-chaos.service]`` table of a ``pyproject.toml``."""
    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not TOML ({exc})") from None
    if path.name == "pyproject.toml":
        for key in PYPROJECT_TABLE:
            data = data.get(key, {}) if isinstance(data, dict) else {}
        if not data:
            raise ProfileError(f"{path}: no [tool.auth-chaos.service] table")
    return replace(parse_profile(data, path), source=path.resolve())


def reference_profile() -> ServiceProfile:
    """``profiles/reference.toml`` of this checkout: the reference service's profile."""
    return load_profile(REFERENCE_PROFILE)
