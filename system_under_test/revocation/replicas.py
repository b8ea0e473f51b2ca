"""How many replicas must confirm a revocation (`WAIT n`), per primary.

- fixed (`min_replicas=N`): N;
- `all` (default): every replica the topology knows for this primary (down ones too:
  Sentinel or the shard may still promote them), at least 1 once the deployment is
  replicated;
- `auto` (the older policy): 1 while the primary reports a connected replica, else 0.

policy = ReplicaPolicy(None, "all", time.monotonic)
policy.required(primary) or policy.observe(ReplicaView(known=2, replicated=True), primary)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Literal

ReplicaWait = Literal["all", "auto"]
REPLICA_WAIT_MODES: tuple[ReplicaWait, ...] = ("all", "auto")
# how long a topology answer is trusted (seconds)
REPLICA_INFO_TTL_S = 1.0


@dataclass(frozen=True)
class ReplicaView:
    """What the topology says about one primary's replicas."""

    known: int  # replicas listed for it (auto: connected to it now)
    replicated: bool  # the deployment has replicas: never acknowledge on the primary alone


class ReplicaPolicy:
    def __init__(
        self, min_replicas: int | None, mode: ReplicaWait, clock: Callable[[], float]
    ) -> None:
        if mode not in REPLICA_WAIT_MODES:
            raise ValueError(f"replica wait mode {mode!r}: one of {', '.join(REPLICA_WAIT_MODES)}")
        self.fixed = min_replicas
        self.mode: ReplicaWait = mode
        self._clock = clock
        self._counts: dict[Hashable, tuple[int, float]] = {}  # primary -> (n, observed at)

    def required(self, primary: Hashable = None, older_s: float = 0.0) -> int | None:
        """Replicas to WAIT for, or None when the topology must be asked first; ``older_s``:
        a count that much past its TTL still counts (the caller asks again meanwhile)."""
        if self.fixed is not None:
            return self.fixed
        known = self._counts.get(primary)
        if known is None or self._clock() - known[1] > REPLICA_INFO_TTL_S + older_s:
            return None
        return known[0]

    def observe(self, view: ReplicaView | None, primary: Hashable = None) -> int:
        """The count for a fresh view of ``primary``'s replicas, remembered for the TTL. None
        (the topology could not be read): the last count for it, else 1 (unconfirmed is not
        acknowledged)."""
        if view is None:
            last = self._counts.get(primary)
            count = last[0] if last is not None else 1
        elif self.mode == "auto":
            count = 1 if view.known > 0 else 0
        else:
            count = max(view.known, 1 if view.replicated else 0)
        self._counts[primary] = (count, self._clock())
        return count
