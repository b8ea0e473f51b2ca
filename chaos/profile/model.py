"""``ServiceProfile``: how the gate starts a service and talks to it (contract §2.3).

A profile is data (``chaos.profile.load`` reads it from TOML); ``chaos.profile.api.AuthApi``
turns it into requests and reads answers with it. Every field is what a user's service
differs in: the start command, accounts, each route's method, path and body, where tokens
are, how a worker names itself, the degraded signal, the failure policy it promises, its
Redis client's timeout and retries, how revocations are keyed, and the budgets.

    profile = load_profile(Path("profiles/reference.toml"))
    profile.login.path, profile.degraded is None, profile.redis.timeout_s
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = [
    "METHODS",
    "Accounts",
    "DegradedSignal",
    "FailurePolicy",
    "LoginRoute",
    "RedisClient",
    "RefreshRoute",
    "Route",
    "ServiceProfile",
]

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
BodyKind = Literal["json", "form"]
RefreshSend = Literal["body", "header", "cookie"]
Failure = Literal["open", "closed", "open-bounded"]
Mode = Literal["open", "closed"]


@dataclass(frozen=True)
class Route:
    """One route: method, path, and the statuses it documents (I9; a 500 never is)."""

    method: str
    path: str
    statuses: frozenset[int]


@dataclass(frozen=True)
class LoginRoute(Route):
    """Login: the credentials' encoding and field names, where the tokens are in the
    answer's JSON (dotted paths; ``refresh_token`` "" when the answer has none)."""

    body: BodyKind = "json"
    username: str = "username"
    password: str = "password"  # noqa: S105 (a field name, not a secret)
    access_token: str = "access_token"  # noqa: S105
    refresh_token: str = "refresh_token"  # noqa: S105


@dataclass(frozen=True)
class RefreshRoute(Route):
    """Refresh: how the refresh token is sent (``field``: the body field or cookie name)
    and where the new pair is in the answer."""

    send: RefreshSend = "body"
    field: str = "refresh_token"
    access_token: str = "access_token"  # noqa: S105 (a field name, not a secret)
    refresh_token: str = "refresh_token"  # noqa: S105


@dataclass(frozen=True)
class DegradedSignal:
    """The header that marks an answer given without checking revocations."""

    header: str
    value: str
    enforced: str


@dataclass(frozen=True)
class FailurePolicy:
    """What the service promises while Redis is lost: ``open`` (answer, marked),
    ``open-bounded`` (open for ``bound_s`` after the last good contact, then closed),
    ``closed`` (refuse). ``modes``: the failure modes its command can start it in (through
    ``{failure_mode}``); a service with one policy has one."""

    failure: Failure
    bound_s: float | None
    modes: tuple[Mode, ...]

    @property
    def mode(self) -> Mode:
        return "closed" if self.failure == "closed" else "open"


@dataclass(frozen=True)
class RedisClient:
    """The service's Redis client: per-attempt timeout, retries after the first attempt,
    and how a revocation is keyed (``revoked:{jti}``, ``blacklist:{token}``; None: unknown,
    then I4 is judged by behaviour)."""

    timeout_s: float
    retries: int
    revocation_key: str | None

    @property
    def worst_call_s(self) -> float:
        """How long one Redis call of the service can take against a hung Redis."""
        return self.timeout_s * (self.retries + 1)


@dataclass(frozen=True)
class Accounts:
    """Test accounts (at least two), and optionally a command that creates them."""

    users: tuple[tuple[str, str], ...]
    create: str | None = None


@dataclass(frozen=True)
class ServiceProfile:
    """A service as the gate sees it. ``source``: the file it was read from."""

    name: str
    command: str
    accounts: Accounts
    login: LoginRoute
    verify: Route
    logout: Route
    refresh: RefreshRoute | None
    policy: FailurePolicy
    redis: RedisClient
    env: Mapping[str, str] = field(default_factory=dict)
    workers: int = 2
    ready: str = "/health"
    port_per_worker: bool = False
    worker_header: str | None = None
    degraded: DegradedSignal | None = None
    metrics_path: str | None = None
    budgets: Mapping[str, float] = field(default_factory=dict)
    source: Path | None = None

    @property
    def takes_args(self) -> bool:
        """The command has an ``{args}`` placeholder: scenarios may add service flags."""
        return "{args}" in self.command

    @property
    def folder(self) -> Path:
        return self.source.parent if self.source is not None else Path.cwd()
