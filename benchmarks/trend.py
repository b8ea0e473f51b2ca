"""Is a series growing steadily? Least-squares slope over the second half of the samples."""

from __future__ import annotations

from collections.abc import Sequence


def slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """The least-squares slope of ``ys`` over ``xs`` (0 for fewer than two distinct xs)."""
    if len(xs) != len(ys):
        raise ValueError(f"{len(xs)} xs but {len(ys)} ys")
    n = len(xs)
    if n < 2:
        return 0.0
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def second_half_slope(xs: Sequence[float], ys: Sequence[float]) -> float:
    """The slope after warm-up: caches fill and pools grow in the first half by design."""
    start = len(xs) // 2
    return slope(xs[start:], ys[start:])
