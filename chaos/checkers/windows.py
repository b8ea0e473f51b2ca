"""Fault windows read back from a history: from each inject to its heal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chaos.history import Call, History, Op


@dataclass(frozen=True)
class FaultWindow:
    """One fault's window; ``heal`` is None when the history ends before the heal."""

    name: str
    effects: frozenset[str]
    inject: Op
    heal: Op | None

    @property
    def start_ns(self) -> int:
        """When the inject returned: the fault is in effect from here."""
        return self.inject.time_ns

    def end_ns(self, history_end_ns: int) -> int:
        """When the heal returned (or the history ended): the fault may last until here."""
        return self.heal.time_ns if self.heal else history_end_ns

    @property
    def began_ns(self) -> int:
        """When the inject was called (the shaded span of the timeline starts here)."""
        return _began(self.inject)

    def healing_ns(self, history_end_ns: int) -> int:
        """When the heal was called: the fault is surely in effect until here."""
        return _began(self.heal) if self.heal else history_end_ns

    def contains_call(self, call: Call, history_end_ns: int) -> bool:
        """Invoked after the inject returned, completed (or the run ended) before the heal
        was called: the whole call saw the fault."""
        end = call.end_ns if call.end_ns is not None else history_end_ns
        return call.start_ns >= self.start_ns and end <= self.healing_ns(history_end_ns)

    def overlaps_call(self, call: Call, history_end_ns: int) -> bool:
        """The call was in flight at some moment of the window."""
        end = call.end_ns if call.end_ns is not None else history_end_ns
        return call.start_ns <= self.end_ns(history_end_ns) and end >= self.start_ns

    def label(self) -> str:
        return f"{self.name} from {self.inject.wall_time or '?'}"


def _began(op: Op) -> int:
    began = op.value.get("began")
    return began if isinstance(began, int) else op.time_ns


def fault_windows(history: History, effects: Iterable[str] | None = None) -> list[FaultWindow]:
    """Windows in inject order; with ``effects``, only faults having one of them."""
    wanted = frozenset(effects) if effects is not None else None
    open_: dict[str, Op] = {}
    windows: list[FaultWindow] = []
    for op in history.faults():
        name = str(op.value.get("name", "?"))
        phase = op.value.get("phase")
        if phase == "inject":
            open_[name] = op
        elif phase == "heal" and name in open_:
            start = open_.pop(name)
            windows.append(_window(name, start, op))
    windows.extend(_window(name, start, None) for name, start in open_.items())
    windows.sort(key=lambda w: w.start_ns)
    if wanted is None:
        return windows
    return [w for w in windows if w.effects & wanted]


def _window(name: str, inject: Op, heal: Op | None) -> FaultWindow:
    return FaultWindow(name, frozenset(inject.value.get("effects") or ()), inject, heal)


def history_end_ns(history: History) -> int:
    """The time of the last op (0 for an empty history)."""
    ops = history.ops
    return max((op.time_ns for op in ops), default=0)
