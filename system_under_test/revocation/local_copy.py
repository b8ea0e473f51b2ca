"""This worker's copy of known revocations: key -> exp, dropped after exp + leeway.

Used only while Redis cannot be reached (fail-open): a token known revoked stays rejected.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable

# sweep expired entries at most this often (seconds); a sweep pops only what expired, oldest
# first, from a heap ordered by exp: its cost follows the expiries, not the copy's size (a scan
# of the whole copy, 200,000 entries after two minutes of 10,000 users, paused every worker for
# 40-80 ms every 5 s; docs/performance.md "Third round")
SWEEP_INTERVAL_S = 1.0
# a heap entry is one int, exp << SEQ_BITS | seq, its key kept by seq: ints and strings are not
# tracked by the cyclic collector, while a tuple (exp, key) a revocation was, until the next
# young collection (at 10,000 users, 15,000 of them in each; docs/performance.md "Fourth round")
SEQ_BITS = 40
SEQ_MASK = (1 << SEQ_BITS) - 1


class LocalRevocations:
    def __init__(
        self,
        leeway_s: int,
        clock: Callable[[], float],
        on_size: Callable[[int], None] = lambda n: None,
    ) -> None:
        self._leeway_s = leeway_s
        self._clock = clock  # wall clock: exp is a Unix time
        self._on_size = on_size  # e.g. the auth_revocations_local gauge
        self._exp: dict[str, int] = {}
        self._expiries: list[int] = []  # heap of exp << SEQ_BITS | seq; stale ones skipped
        self._keys: dict[int, str] = {}  # seq -> key, for the entries in the heap
        self._seq = 0
        self._last_sweep = clock()
        self.synced = False  # True once a full re-sync from Redis completed

    def __len__(self) -> int:
        return len(self._exp)

    def add(self, key: str, exp: int) -> None:
        if self._live(exp, self._clock()):
            known = self._exp.get(key)
            if known is None or exp > known:
                self._exp[key] = exp
                self._seq = seq = (self._seq + 1) & SEQ_MASK
                self._keys[seq] = key
                heapq.heappush(self._expiries, exp << SEQ_BITS | seq)
            if known is None:
                self._on_size(len(self._exp))
        self.sweep_if_due()

    def replace(self, entries: Iterable[tuple[str, int]]) -> None:
        """A full re-sync: keep what we knew too (a key seen revoked stays revoked until exp)."""
        for key, exp in entries:
            self.add(key, exp)
        self.synced = True

    def any_revoked(self, keys: Iterable[str]) -> bool:
        now = self._clock()
        for key in keys:
            exp = self._exp.get(key)
            if exp is not None and self._live(exp, now):
                return True
        return False

    def sweep(self) -> int:
        """Drop entries past exp + leeway; returns how many were dropped."""
        now = self._clock()
        self._last_sweep = now
        expiries, known, keys = self._expiries, self._exp, self._keys
        dropped = 0
        while expiries and not self._live(expiries[0] >> SEQ_BITS, now):
            entry = heapq.heappop(expiries)
            exp, key = entry >> SEQ_BITS, keys.pop(entry & SEQ_MASK)
            if known.get(key) == exp:  # else the key's exp was raised: a later entry holds it
                del known[key]
                dropped += 1
        if dropped:
            self._on_size(len(known))
        return dropped

    def _live(self, exp: int, now: float) -> bool:
        return now <= exp + self._leeway_s

    def sweep_if_due(self) -> None:
        """Sweep when SWEEP_INTERVAL_S passed since the last one (cheap to call often)."""
        if self._clock() - self._last_sweep >= SWEEP_INTERVAL_S:
            self.sweep()
