"""Time series as Prometheus returns them, and a counter's exact increase over its samples.

PromQL's ``increase()`` extrapolates to the ends of its window, so it rarely gives a whole
number; a checker that compares a counter with what clients saw needs the samples' own rise:

    exact_increase([(t0, 0.0), (t1, 3.0), (t2, 1.0)])   # 4.0: 3, then a reset, then 1
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["Point", "Series", "exact_increase", "label_key", "rise_by_label"]

Point = tuple[float, float]  # (Unix time in seconds, value)


@dataclass(frozen=True)
class Series:
    """One series of a PromQL answer: its labels and its points (one point for an instant
    vector, many for a range vector or a range query)."""

    labels: Mapping[str, str]
    points: tuple[Point, ...]

    @property
    def name(self) -> str:
        return self.labels.get("__name__", "")

    def values(self) -> list[float]:
        return [value for _, value in self.points]

    def last(self) -> float | None:
        return self.points[-1][1] if self.points else None


def label_key(labels: Mapping[str, str], keep: Sequence[str] = ()) -> str:
    """``a=x,b=y`` of ``labels`` (only ``keep`` when given), sorted: a stable dict key."""
    chosen = {k: v for k, v in labels.items() if k != "__name__" and (not keep or k in keep)}
    return ",".join(f"{k}={v}" for k, v in sorted(chosen.items()))


def exact_increase(points: Sequence[Point], from_zero: bool = False) -> float:
    """How much a counter rose across ``points``: the sum of its rises, a drop being a reset
    (the value after it is all new). ``from_zero``: the series began inside the window (a
    replaced worker's new series), so its first value counts as risen from 0."""
    if not points:
        return 0.0
    total = points[0][1] if from_zero else 0.0
    previous = points[0][1]
    for _, value in points[1:]:
        total += value - previous if value >= previous else value
        previous = value
    return total


def rise_by_label(series: Sequence[Series], label: str) -> dict[str, float]:
    """The exact increase of every series, summed by the value of ``label``. A series whose
    first point is later than its target's (``instance``) first scrape in the window began
    inside it (a replaced worker's new series): its first value counts as risen from 0."""
    first_scrape: dict[str, float] = {}
    for one in series:
        if one.points:
            instance, began = one.labels.get("instance", ""), one.points[0][0]
            first_scrape[instance] = min(first_scrape.get(instance, began), began)
    out: dict[str, float] = {}
    for one in series:
        if not one.points:
            continue
        born_inside = one.points[0][0] > first_scrape[one.labels.get("instance", "")]
        key = one.labels.get(label, "")
        out[key] = out.get(key, 0.0) + exact_increase(one.points, from_zero=born_inside)
    return out
