"""Redis key layout and the TTL rule of revocations."""

from __future__ import annotations

import math

REVOKED_PREFIX = "revoked:"
CHANNEL = "revocations"  # pub/sub channel: the message is the revoked key (jti or fam:<id>)
WINDOW_PREFIX = "window:"  # login limiter counters
MIN_TTL_S = 1


def revoked_key(key: str) -> str:
    """`revoked:<jti>` or `revoked:fam:<id>`: an id, never the raw token (any text is safe)."""
    return REVOKED_PREFIX + key


def key_of(redis_key: str) -> str:
    """Inverse of `revoked_key`."""
    if not redis_key.startswith(REVOKED_PREFIX):
        raise ValueError(f"{redis_key!r} is not a revocation key")
    return redis_key[len(REVOKED_PREFIX) :]


def window_key(key: str, window_s: int, now: float) -> str:
    """Fixed-window counter key: one key per window, so a window never outlives its span."""
    return f"{WINDOW_PREFIX}{key}:{int(now) // window_s}"


def revocation_ttl_s(exp: int, now: float, leeway_s: int) -> int:
    """Seconds the entry must live: until `exp + leeway` (rounded up), at least `MIN_TTL_S`."""
    return max(MIN_TTL_S, math.ceil(exp + leeway_s - now))


def parse_exp(value: bytes | str | None) -> int | None:
    """The stored value is the token's exp; anything unreadable still means revoked."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return 0
