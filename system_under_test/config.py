"""Service settings: command-line flags, each with an ``AUTH_*`` environment twin.

    settings = parse_settings(["--port", "8000", "--workers", "2"], os.environ)

A bad value raises ``ConfigError`` whose message names the flag (and its variable); the CLI
prints it as one line and exits 2.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NoReturn
from urllib.parse import urlsplit

from . import passwords
from .revocation.cluster import CLUSTER_SCHEME, parse_cluster_url
from .revocation.replicas import REPLICA_WAIT_MODES, ReplicaWait

MIN_SECRET_BYTES = 32
JWT_ALGORITHMS = ("HS256", "EdDSA", "RS256")
FAILURE_MODES = ("open", "closed")
MAX_PORT = 65535


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs, JSON-serialisable (the supervisor hands it to each worker)."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1
    port_per_worker: bool = False
    redis_url: str | None = "redis://127.0.0.1:6379/0"
    sentinels: list[tuple[str, int]] = field(default_factory=list)
    sentinel_service: str | None = None
    failure_mode: Literal["open", "closed"] = "open"
    degraded_bound_s: float = 60.0
    redis_timeout_s: float = 0.1
    redis_retries: int = 1
    breaker_failures: int = 3
    breaker_reset_s: float = 1.0
    min_replicas: int | None = None
    replica_wait: ReplicaWait = "all"
    wait_timeout_ms: int = 50
    redis_pool_size: int = 32
    leeway_s: int = 5
    access_ttl_s: int = 900
    refresh_ttl_s: int = 86400
    issuer: str = "auth-chaos"
    audience: str = "auth-chaos"
    jwt_alg: str = "HS256"
    jwt_private_key: str | None = None
    jwt_public_key: str | None = None
    hash_cost: int = passwords.DEFAULT_COST
    users_file: str | None = None
    users: list[str] = field(default_factory=list)
    login_limit: int = 10
    login_window_s: int = 60
    login_queue: int = 16
    max_in_flight: int = 256
    max_queue_wait_s: float = 1.0
    verify_cache_size: int = 10000
    shutdown_timeout_s: float = 10.0
    header_timeout_s: float = 5.0
    body_timeout_s: float = 10.0
    worker_timeout_s: float = 30.0
    accept_batch: int = 256
    accept_fair: int = 8
    log_level: str = "warning"
    # benchmark-only: verify skips the revocation check (python -m benchmarks.compare measures
    # what the shared revocation list costs); never in production, logged as a WARNING
    bench_skip_revocation_check: bool = False


class _OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one line (no usage dump) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(message)


@dataclass(frozen=True)
class _Option:
    flag: str
    kind: str  # str|int|float|bool|list
    default: object
    help: str
    choices: tuple[str, ...] | None = None

    @property
    def dest(self) -> str:
        return self.flag.lstrip("-").replace("-", "_")

    @property
    def env(self) -> str:
        return "AUTH_" + self.dest.upper()


OPTIONS: tuple[_Option, ...] = (
    _Option("--host", "str", "127.0.0.1", "address to listen on"),
    _Option("--port", "int", 8000, "port to listen on (with --port-per-worker: first port)"),
    _Option("--workers", "int", 1, "number of worker processes"),
    _Option("--port-per-worker", "bool", False, "worker i listens on port + i instead"),
    _Option("--redis-url", "str", "redis://127.0.0.1:6379/0", "Redis URL (redis://H:P/DB)"),
    _Option("--sentinel", "str", None, "Sentinel addresses h:p,h:p (instead of --redis-url)"),
    _Option("--sentinel-service", "str", None, "Sentinel service (master) name"),
    _Option("--failure-mode", "str", "open", "policy while Redis is unreachable", FAILURE_MODES),
    _Option("--degraded-bound", "float", 60.0, "fail-open at most this long (s) after contact"),
    _Option("--redis-timeout", "float", 0.1, "Redis connect/read timeout per attempt (s)"),
    _Option("--redis-retries", "int", 1, "Redis attempts after the first one"),
    _Option("--breaker-failures", "int", 3, "consecutive Redis failures that open the breaker"),
    _Option("--breaker-reset", "float", 1.0, "seconds the breaker stays open before a probe"),
    _Option(
        "--replica-wait",
        "str",
        "all",
        "replicas a logout waits for (WAIT): all = every replica the topology knows "
        "(Sentinel's list, the shard's replicas, the most this primary has had), at least 1 "
        "once replicated; auto = 1 only while the primary reports one (older policy: loses "
        "revocations when the link drops before a failover)",
        REPLICA_WAIT_MODES,
    ),
    _Option("--min-replicas", "int", None, "a fixed WAIT count instead of --replica-wait"),
    _Option("--wait-timeout-ms", "int", 50, "Redis WAIT timeout (ms), below --redis-timeout"),
    _Option("--redis-pool-size", "int", 32, "Redis connections per worker"),
    _Option("--leeway", "int", 5, "JWT exp/nbf/iat validation leeway (s)"),
    _Option("--access-ttl", "int", 900, "access token lifetime (s)"),
    _Option("--refresh-ttl", "int", 86400, "refresh token lifetime (s)"),
    _Option("--issuer", "str", "auth-chaos", "JWT iss claim"),
    _Option("--audience", "str", "auth-chaos", "JWT aud claim"),
    _Option("--jwt-alg", "str", "HS256", "JWT algorithm", JWT_ALGORITHMS),
    _Option("--jwt-private-key", "str", None, "PEM private key file (EdDSA, RS256)"),
    _Option("--jwt-public-key", "str", None, "PEM public key file (EdDSA, RS256)"),
    _Option("--hash-cost", "int", passwords.DEFAULT_COST, "scrypt N (power of two)"),
    _Option("--users-file", "str", None, "file of lines username:password or username:$scrypt$"),
    _Option("--user", "list", None, "NAME:PASSWORD, repeatable"),
    _Option("--login-limit", "int", 10, "failed logins per user per window before 429"),
    _Option("--login-window", "int", 60, "failed-login window (s)"),
    _Option("--login-queue", "int", 16, "password checks queued or running per worker"),
    _Option(
        "--max-in-flight",
        "int",
        256,
        "requests a worker runs at once; the rest queue or are shed on arrival "
        "(0: no admission control)",
    ),
    _Option(
        "--max-queue-wait",
        "float",
        1.0,
        "queued work (s) past which a request is shed on arrival",
    ),
    _Option("--verify-cache-size", "int", 10000, "signature-verified tokens kept per worker"),
    _Option("--shutdown-timeout", "float", 10.0, "graceful shutdown bound before SIGKILL (s)"),
    _Option("--header-timeout", "float", 5.0, "close a connection whose request head is late (s)"),
    _Option("--body-timeout", "float", 10.0, "close a connection whose request body is late (s)"),
    _Option("--worker-timeout", "float", 30.0, "replace a worker silent this long (s, 0: never)"),
    _Option("--accept-batch", "int", 256, "connections accepted per readiness (1: as libuv)"),
    _Option(
        "--accept-fair",
        "int",
        8,
        "connections accepted per readiness while the event loop is on time (balance)",
    ),
    _Option("--log-level", "str", "warning", "log level", ("debug", "info", "warning", "error")),
    _Option(
        "--bench-skip-revocation-check",
        "bool",
        False,
        "BENCHMARK ONLY: verify never reads the revocation list (revoked tokens are accepted; "
        "answers say X-Revocation-Check: skipped)",
    ),
)

_DEST_TO_FIELD = {
    "degraded_bound": "degraded_bound_s",
    "redis_timeout": "redis_timeout_s",
    "breaker_reset": "breaker_reset_s",
    "leeway": "leeway_s",
    "access_ttl": "access_ttl_s",
    "refresh_ttl": "refresh_ttl_s",
    "login_window": "login_window_s",
    "max_queue_wait": "max_queue_wait_s",
    "shutdown_timeout": "shutdown_timeout_s",
    "header_timeout": "header_timeout_s",
    "body_timeout": "body_timeout_s",
    "worker_timeout": "worker_timeout_s",
    "user": "users",
    "sentinel": "sentinels",
}


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="python -m system_under_test",
        description=(
            "Reference JWT auth service: N workers sharing a Redis revocation list. "
            "Every flag also reads AUTH_<FLAG> from the environment (flag wins); "
            "AUTH_JWT_SECRET (>= 32 bytes) is required."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    for opt in OPTIONS:
        text = f"{opt.help} [env {opt.env}]"
        if opt.kind == "bool":
            parser.add_argument(opt.flag, action="store_true", default=None, help=text)
        elif opt.kind == "list":
            parser.add_argument(opt.flag, action="append", default=None, help=text)
        else:
            parser.add_argument(opt.flag, default=None, help=text, metavar=opt.dest.upper())
    return parser


def _name(opt: _Option) -> str:
    return f"{opt.flag} ({opt.env})"


def _convert(opt: _Option, raw: str) -> object:
    if opt.choices is not None and raw not in opt.choices:
        raise ConfigError(f"{_name(opt)}: {raw!r} is not one of {', '.join(opt.choices)}")
    try:
        if opt.kind == "int":
            return int(raw)
        if opt.kind == "float":
            return float(raw)
    except ValueError:
        raise ConfigError(f"{_name(opt)}: {raw!r} is not a {opt.kind}") from None
    return raw


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _from_env(opt: _Option, raw: str) -> object:
    if opt.kind == "bool":
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ConfigError(f"{opt.env}: {raw!r} is not a boolean (1/0, true/false)")
    if opt.kind == "list":
        return [item for item in raw.split(",") if item]
    return _convert(opt, raw)


def parse_settings(argv: Sequence[str], env: Mapping[str, str]) -> Settings:
    """Flags over environment over defaults; every value checked. Raises ConfigError."""
    args = vars(build_parser().parse_args(list(argv)))
    values: dict[str, object] = {}
    for opt in OPTIONS:
        given = args[opt.dest]
        if given is not None:
            value = given if opt.kind in ("bool", "list") else _convert(opt, given)
        elif opt.env in env:
            value = _from_env(opt, env[opt.env])
        else:
            value = opt.default
        values[opt.dest] = value
    sentinel_raw = values.pop("sentinel")
    values["sentinel"] = [] if sentinel_raw is None else parse_sentinels(str(sentinel_raw))
    if values["sentinel"]:
        values["redis_url"] = None  # Sentinel discovers the primary
    if values["user"] is None:
        values["user"] = []
    fields = {_DEST_TO_FIELD.get(k, k): v for k, v in values.items()}
    settings = Settings(**fields)  # type: ignore[arg-type]
    validate(settings)
    return settings


def parse_sentinels(raw: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for item in raw.split(","):
        host, sep, port = item.strip().rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) <= MAX_PORT:
            raise ConfigError(f"--sentinel (AUTH_SENTINEL): {item!r} is not host:port")
        out.append((host, int(port)))
    return out


def check_redis_url(url: str) -> None:
    """Refuse what redis-py would misread or fail on later, with the reason."""
    prefix = "--redis-url (AUTH_REDIS_URL)"
    if url.startswith(CLUSTER_SCHEME):  # redis+cluster://h:p,h:p: a Redis Cluster
        try:
            parse_cluster_url(url)
        except ValueError as exc:
            raise ConfigError(f"{prefix}: {exc}") from None
        return
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"{prefix}: {url!r} is malformed ({exc})") from None
    if parts.scheme not in ("redis", "rediss", "unix"):
        raise ConfigError(
            f"{prefix}: {url!r} must start with redis://, rediss://, unix:// or redis+cluster://"
        )
    if parts.scheme == "unix":
        if not parts.path:
            raise ConfigError(f"{prefix}: {url!r} has no socket path")
        return
    if not parts.hostname:
        raise ConfigError(f"{prefix}: {url!r} has no host")
    if port == 0:
        raise ConfigError(f"{prefix}: {url!r} has port 0")
    db = parts.path.lstrip("/")
    if db and not db.isdigit():
        raise ConfigError(f"{prefix}: {url!r} database {db!r} is not a number")


_USERNAME = re.compile(r"^[A-Za-z0-9_.@+-]{1,128}$")


def _positive(settings: Settings) -> None:
    checks: list[tuple[str, float, float]] = [
        ("--workers (AUTH_WORKERS)", settings.workers, 1),
        ("--degraded-bound (AUTH_DEGRADED_BOUND)", settings.degraded_bound_s, 1e-9),
        ("--redis-timeout (AUTH_REDIS_TIMEOUT)", settings.redis_timeout_s, 1e-9),
        ("--redis-retries (AUTH_REDIS_RETRIES)", settings.redis_retries, 0),
        ("--breaker-failures (AUTH_BREAKER_FAILURES)", settings.breaker_failures, 1),
        ("--breaker-reset (AUTH_BREAKER_RESET)", settings.breaker_reset_s, 1e-9),
        ("--wait-timeout-ms (AUTH_WAIT_TIMEOUT_MS)", settings.wait_timeout_ms, 0),
        ("--redis-pool-size (AUTH_REDIS_POOL_SIZE)", settings.redis_pool_size, 1),
        ("--leeway (AUTH_LEEWAY)", settings.leeway_s, 0),
        ("--access-ttl (AUTH_ACCESS_TTL)", settings.access_ttl_s, 1),
        ("--refresh-ttl (AUTH_REFRESH_TTL)", settings.refresh_ttl_s, 1),
        ("--login-limit (AUTH_LOGIN_LIMIT)", settings.login_limit, 1),
        ("--login-window (AUTH_LOGIN_WINDOW)", settings.login_window_s, 1),
        ("--login-queue (AUTH_LOGIN_QUEUE)", settings.login_queue, 1),
        ("--max-in-flight (AUTH_MAX_IN_FLIGHT)", settings.max_in_flight, 0),
        ("--max-queue-wait (AUTH_MAX_QUEUE_WAIT)", settings.max_queue_wait_s, 1e-9),
        ("--verify-cache-size (AUTH_VERIFY_CACHE_SIZE)", settings.verify_cache_size, 0),
        ("--shutdown-timeout (AUTH_SHUTDOWN_TIMEOUT)", settings.shutdown_timeout_s, 1e-9),
        ("--header-timeout (AUTH_HEADER_TIMEOUT)", settings.header_timeout_s, 1e-9),
        ("--body-timeout (AUTH_BODY_TIMEOUT)", settings.body_timeout_s, 1e-9),
        ("--worker-timeout (AUTH_WORKER_TIMEOUT)", settings.worker_timeout_s, 0),
        ("--accept-batch (AUTH_ACCEPT_BATCH)", settings.accept_batch, 1),
        ("--accept-fair (AUTH_ACCEPT_FAIR)", settings.accept_fair, 1),
    ]
    for name, value, low in checks:
        if value < low:
            raise ConfigError(f"{name}: {value} must be >= {low:g}")
    if settings.wait_timeout_ms >= settings.redis_timeout_s * 1000:
        # a logout waits for its replicas at most about one Redis timeout
        raise ConfigError(
            f"--wait-timeout-ms (AUTH_WAIT_TIMEOUT_MS): {settings.wait_timeout_ms} must be below "
            f"--redis-timeout ({settings.redis_timeout_s * 1000:g} ms)"
        )
    if settings.min_replicas is not None and settings.min_replicas < 0:
        raise ConfigError(f"--min-replicas (AUTH_MIN_REPLICAS): {settings.min_replicas} < 0")


def validate(settings: Settings) -> None:
    """Every cross-field rule; raises ConfigError naming the setting."""
    _positive(settings)
    last = settings.port + (settings.workers - 1 if settings.port_per_worker else 0)
    if not 0 < settings.port <= MAX_PORT or last > MAX_PORT:
        raise ConfigError(f"--port (AUTH_PORT): {settings.port} is not a usable port")
    if settings.workers > 64:
        raise ConfigError(f"--workers (AUTH_WORKERS): {settings.workers} is more than 64")
    if settings.redis_url is not None and not settings.sentinels:
        check_redis_url(settings.redis_url)
    if settings.sentinels and not settings.sentinel_service:
        raise ConfigError("--sentinel-service (AUTH_SENTINEL_SERVICE): required with --sentinel")
    if not passwords.is_valid_cost(settings.hash_cost):
        raise ConfigError(
            f"--hash-cost (AUTH_HASH_COST): {settings.hash_cost} must be a power of two "
            f">= {passwords.MIN_COST} and <= {passwords.MAX_COST}"
        )
    if settings.jwt_alg != "HS256":
        for flag, path in (
            ("--jwt-private-key (AUTH_JWT_PRIVATE_KEY)", settings.jwt_private_key),
            ("--jwt-public-key (AUTH_JWT_PUBLIC_KEY)", settings.jwt_public_key),
        ):
            if path is None:
                raise ConfigError(f"{flag}: required with --jwt-alg {settings.jwt_alg}")
            if not Path(path).is_file():
                raise ConfigError(f"{flag}: {path!r} is not a readable file")
    if settings.users_file is not None and not Path(settings.users_file).is_file():
        raise ConfigError(f"--users-file (AUTH_USERS_FILE): {settings.users_file!r} not found")
    for entry in settings.users:
        name, sep, secret = entry.partition(":")
        if not sep or not _USERNAME.match(name) or not secret:
            raise ConfigError(f"--user (AUTH_USER): {name!r} is not NAME:PASSWORD")


def jwt_secret(env: Mapping[str, str]) -> bytes:
    """The HS256 key: AUTH_JWT_SECRET, at least 32 bytes."""
    raw = env.get("AUTH_JWT_SECRET")
    if raw is None or raw == "":
        raise ConfigError("AUTH_JWT_SECRET: required (at least 32 bytes)")
    secret = raw.encode()
    if len(secret) < MIN_SECRET_BYTES:
        raise ConfigError(
            f"AUTH_JWT_SECRET: {len(secret)} bytes is too short (at least {MIN_SECRET_BYTES})"
        )
    return secret


def valid_username(name: str) -> bool:
    return bool(_USERNAME.match(name))
