"""How many replicas must confirm a revocation (`WAIT n`): fixed, or detected and cached."""

from __future__ import annotations

from collections.abc import Callable

# how long an INFO replication answer is trusted (seconds)
REPLICA_INFO_TTL_S = 1.0


class ReplicaPolicy:
    def __init__(self, min_replicas: int | None, clock: Callable[[], float]) -> None:
        self._fixed = min_replicas
        self._clock = clock
        self._detected: int | None = None
        self._detected_at = 0.0

    def required(self) -> int | None:
        """Replicas to WAIT for, or None when a fresh INFO replication is needed first."""
        if self._fixed is not None:
            return self._fixed
        if self._detected is None or self._clock() - self._detected_at > REPLICA_INFO_TTL_S:
            return None
        return self._detected

    def observe(self, connected_replicas: int) -> int:
        """Auto mode: WAIT 1 when the primary has any connected replica, else no WAIT."""
        self._detected = 1 if connected_replicas > 0 else 0
        self._detected_at = self._clock()
        return self._detected
