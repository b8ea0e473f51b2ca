"""What a revocation lookup answers, and the one error a write raises.

RevocationUnavailable   Redis could not take or confirm the write (caller: 503 + Retry-After)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RevocationCheck(StrEnum):
    """How sure the answer is: the value of the `X-Revocation-Check` header."""

    ENFORCED = "enforced"  # read from Redis after the check began
    DEGRADED = "degraded"  # Redis unreachable: answered from the local copy (fail-open)
    UNAVAILABLE = "unavailable"  # no answer allowed: the caller answers 503 (fail-closed)


@dataclass(frozen=True)
class RevocationAnswer:
    """`revoked` is only meaningful when `check` is not UNAVAILABLE."""

    revoked: bool
    check: RevocationCheck


class RevocationUnavailable(Exception):
    """Redis could not be reached, or a write was not confirmed; retry after `retry_after` s."""

    def __init__(self, reason: str, retry_after: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
