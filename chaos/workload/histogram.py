"""A latency histogram with logarithmic buckets (about 2% wide) that merges across processes."""

from __future__ import annotations

import math
from collections import Counter

_PER_E = 50  # buckets per factor e: bucket width exp(1/50) - 1 = 2%


def bucket_of(latency_us: float) -> int:
    """The bucket that holds ``latency_us`` (microseconds; 1 us and below share bucket 0)."""
    return int(math.log(max(latency_us, 1.0)) * _PER_E)


def bucket_upper_ms(bucket: int) -> float:
    """The upper bound of ``bucket`` in milliseconds (percentiles err on the slow side)."""
    return math.exp((bucket + 1) / _PER_E) / 1000.0


class Histogram:
    """Counts per bucket; ``percentile`` reads back within one bucket width."""

    def __init__(self, counts: dict[int, int] | None = None) -> None:
        self.counts: Counter[int] = Counter(counts or {})

    def record(self, latency_us: float) -> None:
        self.counts[bucket_of(latency_us)] += 1

    def merge(self, other: Histogram) -> None:
        self.counts.update(other.counts)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def percentile(self, fraction: float) -> float | None:
        """The latency in ms below which ``fraction`` of the samples fall; None when empty."""
        total = self.total
        if total == 0:
            return None
        rank = max(1, math.ceil(fraction * total))
        seen = 0
        for bucket in sorted(self.counts):
            seen += self.counts[bucket]
            if seen >= rank:
                return bucket_upper_ms(bucket)
        return bucket_upper_ms(max(self.counts))

    def as_dict(self) -> dict[int, int]:
        return dict(self.counts)
