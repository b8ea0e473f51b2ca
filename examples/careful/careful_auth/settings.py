"""Settings from ``CAREFUL_*`` environment variables, checked once, with one-line errors.

settings = Settings.from_env(os.environ)   # raises SettingsError("CAREFUL_...: ...")
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Settings", "SettingsError"]

MIN_SECRET_BYTES = 32  # HS256 keys shorter than the hash output only warn in PyJWT


class SettingsError(ValueError):
    """A setting is missing or out of range; the message names the variable."""


def _required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is required")
    return value


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: expected {low} to {high}, got {value}")
    return value


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or not raw.strip():
        return default
    if raw.strip().lower() in ("1", "true", "yes"):
        return True
    if raw.strip().lower() in ("0", "false", "no"):
        return False
    raise SettingsError(f"{name}: expected 1/true/yes or 0/false/no, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    """Everything a worker needs; the defaults are production values."""

    redis_url: str
    jwt_secret: str
    users_file: Path
    redis_timeout_ms: int = 100  # per attempt: connect, read, pool wait
    redis_retries: int = 1  # attempts after the first
    pbkdf2_iterations: int = 600_000  # OWASP's figure for PBKDF2-HMAC-SHA256
    access_ttl_s: int = 900
    refresh_ttl_s: int = 7 * 24 * 3600
    leeway_s: int = 5  # clock skew accepted on exp/iat; revocations outlive it
    cookie_secure: bool = True  # refresh cookie only over HTTPS
    retry_after_s: int = 1  # told to clients on 503 and 429

    @property
    def redis_timeout_s(self) -> float:
        return self.redis_timeout_ms / 1000

    @property
    def store_budget_s(self) -> float:
        """The hard cap on one revocation-store call: every attempt plus a little slack."""
        return self.redis_timeout_s * (self.redis_retries + 1) + 0.05

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        secret = _required(env, "CAREFUL_JWT_SECRET")
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"CAREFUL_JWT_SECRET: needs {MIN_SECRET_BYTES} bytes or more")
        url = _required(env, "CAREFUL_REDIS_URL")
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise SettingsError(f"CAREFUL_REDIS_URL: expected redis://HOST:PORT/DB, got {url!r}")
        return cls(
            redis_url=url,
            jwt_secret=secret,
            users_file=Path(_required(env, "CAREFUL_USERS_FILE")),
            redis_timeout_ms=_integer(env, "CAREFUL_REDIS_TIMEOUT_MS", 100, 10, 5000),
            redis_retries=_integer(env, "CAREFUL_REDIS_RETRIES", 1, 0, 3),
            pbkdf2_iterations=_integer(env, "CAREFUL_PBKDF2_ITERATIONS", 600_000, 1000, 10**7),
            access_ttl_s=_integer(env, "CAREFUL_ACCESS_TTL_S", 900, 10, 86400),
            refresh_ttl_s=_integer(env, "CAREFUL_REFRESH_TTL_S", 7 * 24 * 3600, 60, 90 * 86400),
            leeway_s=_integer(env, "CAREFUL_LEEWAY_S", 5, 0, 300),
            cookie_secure=_flag(env, "CAREFUL_COOKIE_SECURE", True),
        )
