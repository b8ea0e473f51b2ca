"""Recorded histories: every client call as an invoke, then ok / fail / info (the Jepsen way).

``ok`` and ``fail`` are definite outcomes; ``info`` means the outcome is unknown (a timeout,
a dropped connection): the call may or may not have taken effect. Fault events use
``f="fault"`` with ``value={"name", "phase": "inject|heal", ...}``.

    history = History()
    call = history.invoke(process=3, f="verify", target="http://127.0.0.1:8001", jti="abc")
    history.complete(call, "ok", status=200, worker="w1-4242", revocation_check="enforced")
    history.save(path); History.load(path)
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, cast

OpType = Literal["invoke", "ok", "fail", "info"]
OP_TYPES: frozenset[str] = frozenset({"invoke", "ok", "fail", "info"})
COMPLETIONS: frozenset[str] = frozenset({"ok", "fail", "info"})
FAULT_PROCESS = -1  # the nemesis: faults are not client calls
# history processes of the gate's own calls: the seeding before the load, the probes during
# it, the re-checks after the heal, and the re-checks after a restart of the service
SEEDER, PROBER, CHECKER, RESTART_CHECKER = 900, 901, 902, 903


def wall_now() -> str:
    """The wall-clock time in ISO 8601 (UTC, milliseconds), for messages a human reads."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Op:
    """One event of a history: a call's invoke or completion, or a fault event."""

    index: int
    process: int
    type: OpType
    f: str
    time_ns: int  # time.monotonic_ns(): orders events; never compared across machines
    wall_time: str = ""
    worker: str | None = None  # X-Worker-Id of the process that answered
    target: str | None = None  # the URL (worker slot) the call was aimed at
    status: int | None = None
    jti: str | None = None
    sub: str | None = None
    revocation_check: str | None = None  # X-Revocation-Check: enforced | degraded
    latency_ms: float | None = None
    error: str | None = None
    value: dict[str, Any] = field(default_factory=dict)

    @property
    def time_s(self) -> float:
        return self.time_ns / 1e9

    def to_json(self) -> dict[str, Any]:
        """The JSON object of docs/design.md (``time`` is the monotonic time in ns)."""
        data = asdict(self)
        data["time"] = data.pop("time_ns")
        return {k: v for k, v in data.items() if v is not None and v not in ({}, "")}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Op:
        kind = data.get("type")
        if kind not in OP_TYPES:
            raise ValueError(f"op type must be one of {sorted(OP_TYPES)}, got {kind!r}")
        time_ns = data.get("time", data.get("time_ns"))
        if not isinstance(time_ns, int):
            raise ValueError(f"op has no integer 'time' (monotonic ns): {data!r}")
        return cls(
            index=int(data.get("index", -1)),
            process=int(data["process"]),
            type=cast(OpType, kind),
            f=str(data["f"]),
            time_ns=time_ns,
            wall_time=str(data.get("wall_time", "")),
            worker=data.get("worker"),
            target=data.get("target"),
            status=data.get("status"),
            jti=data.get("jti"),
            sub=data.get("sub"),
            revocation_check=data.get("revocation_check"),
            latency_ms=data.get("latency_ms"),
            error=data.get("error"),
            value=dict(data.get("value") or {}),
        )

    def describe(self) -> str:
        """One line naming what a human needs: what, which token, which worker, when."""
        parts = [f"{self.f} {self.type}"]
        if self.status is not None:
            parts.append(f"status {self.status}")
        if self.jti:
            parts.append(f"jti {self.jti}")
        parts.append(f"worker {self.worker or self.target or '?'}")
        if self.revocation_check:
            parts.append(f"check {self.revocation_check}")
        if self.error:
            parts.append(f"error {self.error}")
        parts.append(f"at {self.wall_time or '?'}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Call:
    """A client call: its invoke and its completion (None when the run ended first)."""

    invoke: Op
    completion: Op | None

    @property
    def f(self) -> str:
        return self.invoke.f

    @property
    def outcome(self) -> str:
        """ok, fail or info; a call that never completed is info (its outcome is unknown)."""
        return self.completion.type if self.completion else "info"

    @property
    def status(self) -> int | None:
        return self.completion.status if self.completion else None

    @property
    def start_ns(self) -> int:
        return self.invoke.time_ns

    @property
    def end_ns(self) -> int | None:
        return self.completion.time_ns if self.completion else None

    @property
    def jti(self) -> str | None:
        return self.invoke.jti or (self.completion.jti if self.completion else None)

    @property
    def worker(self) -> str | None:
        done = self.completion
        return (done.worker if done else None) or self.invoke.worker or self.invoke.target

    @property
    def op(self) -> Op:
        """The op that best describes the call: its completion when there is one."""
        return self.completion or self.invoke


class History:
    """An append-only, thread-safe list of ops (asyncio tasks append without awaiting)."""

    def __init__(self, ops: list[Op] | None = None) -> None:
        self._lock = threading.Lock()
        self._ops: list[Op] = []
        for op in ops or []:
            self.append(op)

    def append(self, op: Op) -> Op:
        """Add ``op``, renumbering its index to its position; returns the stored op."""
        with self._lock:
            stored = replace(op, index=len(self._ops))
            self._ops.append(stored)
            return stored

    def invoke(self, process: int, f: str, **fields: Any) -> Op:
        """Record the start of a call by ``process``."""
        return self.append(Op(-1, process, "invoke", f, time.monotonic_ns(), wall_now(), **fields))

    def complete(self, invoke: Op, type: OpType, **fields: Any) -> Op:
        """Record the completion of ``invoke``; latency is measured from the invoke."""
        if type not in COMPLETIONS:
            raise ValueError(f"a completion is ok, fail or info, not {type!r}")
        now = time.monotonic_ns()
        fields.setdefault("latency_ms", (now - invoke.time_ns) / 1e6)
        fields.setdefault("target", invoke.target)
        fields.setdefault("jti", invoke.jti)
        fields.setdefault("sub", invoke.sub)
        return self.append(Op(-1, invoke.process, type, invoke.f, now, wall_now(), **fields))

    @property
    def ops(self) -> list[Op]:
        with self._lock:
            return list(self._ops)

    def __iter__(self) -> Iterator[Op]:
        return iter(self.ops)

    def __len__(self) -> int:
        with self._lock:
            return len(self._ops)

    def calls(self) -> list[Call]:
        """Client calls: each invoke paired with its process's next completion, by invoke order."""
        pending: dict[int, Op] = {}
        calls: list[Call] = []
        for op in self.ops:
            if op.f == "fault":
                continue
            if op.type == "invoke":
                if op.process in pending:  # a process never overlaps calls; keep both honest
                    calls.append(Call(pending.pop(op.process), None))
                pending[op.process] = op
            elif op.process in pending:
                calls.append(Call(pending.pop(op.process), op))
        calls.extend(Call(op, None) for op in pending.values())
        calls.sort(key=lambda c: c.invoke.index)
        return calls

    def faults(self) -> list[Op]:
        """The fault events (inject/heal), in order."""
        return [op for op in self.ops if op.f == "fault"]

    def save(self, path: Path) -> None:
        """Write one JSON object per line."""
        lines = [json.dumps(op.to_json(), sort_keys=True) for op in self.ops]
        path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> History:
        """Read a JSONL history; a bad line raises ValueError naming its line number."""
        ops: list[Op] = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                if not isinstance(data, dict):
                    raise ValueError("not a JSON object")
                ops.append(Op.from_json(data))
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{number}: bad op: {exc}") from exc
        history = cls()
        with history._lock:  # keep saved indexes: verdicts refer to them
            history._ops = ops
        return history
