"""py-spy over every worker during a run: where the workers' CPU goes, by component.

    spies = WorkerSpies([4242, 4243], seconds=62, rate=50, folder=Path("runs/naive-1000"))
    spies.start(); ...; sampled = spies.finish()      # Sampled(components, samples, note)

Needs the ``bench`` extra (py-spy) and ptrace rights over the workers (the same user on most
machines). py-spy samples the thread holding the GIL (``--gil``): Python's own time. Without
it py-spy counts every thread it does not see idle, and a worker blocked in a synchronous
Redis read (the naive design) then shows as busy in the Redis client: on one run, 57% of its
samples against 14% with ``--gil``, for a worker using a fifth of a core. Native work done
outside the GIL (libuv's polling and socket reads, OpenSSL) is not sampled, so the workers'
CPU (from /proc) is split in proportion to the Python time. On a saturated box a thread
preempted while it holds the GIL is still sampled where it stopped.

Each sample is credited to the innermost Python frame's component (``component_of``); uvloop
is Cython, with no Python frame of its own: its work under the GIL shows as the loop's ``run``
frame, counted as "event loop (uvloop, asyncio)".
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["COMPONENTS", "Sampled", "WorkerSpies", "component_of", "components_of_raw"]

_FRAME = re.compile(r"^(?P<func>.*) \((?P<file>[^()]+?)(?::\d+)?\)$")
# (component, path fragments of the innermost frame's file), first match wins
_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("revocation (store, Redis client)", ("system_under_test/revocation/", "redis/", "hiredis")),
    ("tokens (PyJWT, crypto)", ("jwt/", "cryptography/", "hmac.py", "base64.py")),
    ("passwords", ("system_under_test/passwords.py", "hashlib.py")),
    ("metrics", ("prometheus_client/", "system_under_test/metrics.py")),
    ("HTTP server (uvicorn)", ("uvicorn/", "httptools", "h11/")),
    ("framework (FastAPI, Starlette)", ("fastapi/", "starlette/", "pydantic", "anyio/",
                                        "multipart/", "python_multipart/")),
    ("event loop (uvloop, asyncio)", ("asyncio/", "uvloop", "selectors.py", "threading.py",
                                "concurrent/", "queue.py", "socket.py")),
    ("service code", ("system_under_test/", "examples/")),
)  # fmt: skip
OTHER = "other Python"
COMPONENTS = (*(name for name, _ in _RULES), OTHER)


def component_of(frame: str) -> str:
    """``'check (system_under_test/revocation/store.py:108)'`` -> the revocation component."""
    found = _FRAME.match(frame)
    path = found.group("file") if found else frame
    for name, fragments in _RULES:
        if any(fragment in path for fragment in fragments):
            return name
    if path == "main.py" or path.endswith("/main.py"):  # an app run as uvicorn main:app
        return "service code"
    return OTHER


def components_of_raw(raw: str) -> Counter[str]:
    """Samples per component from py-spy's raw (collapsed) output: ``a;b;c COUNT`` lines."""
    counts: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if frames:
            counts[component_of(frames[-1])] += int(count)
    return counts


@dataclass
class Sampled:
    """Samples per component over every worker; ``note`` says why there are none."""

    components: Counter[str] = field(default_factory=Counter)
    note: str = ""

    @property
    def samples(self) -> int:
        return sum(self.components.values())

    def shares(self) -> dict[str, float]:
        total = self.samples
        return {name: self.components[name] / total for name in COMPONENTS} if total else {}


def py_spy() -> str | None:
    """The py-spy binary (on PATH or beside this interpreter), None when not installed."""
    found = shutil.which("py-spy")
    if found:
        return found
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else None


class WorkerSpies:
    """One ``py-spy record`` per worker for ``seconds``; ``rate`` 0 records nothing."""

    def __init__(self, pids: Sequence[int], *, seconds: float, rate: int, folder: Path) -> None:
        self.pids = list(pids)
        self.seconds = max(1, math.ceil(seconds))
        self.rate = rate
        self.folder = folder
        self._spies: list[subprocess.Popen[bytes]] = []
        self._note = ""

    def start(self) -> None:
        binary = py_spy()
        if self.rate <= 0:
            self._note = "py-spy off (--spy-rate 0)"
            return
        if binary is None:
            self._note = "py-spy is not installed (pip install -e '.[bench]')"
            return
        if not self.pids:
            self._note = "no worker process found to sample"
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        for pid in self.pids:
            argv = [
                binary, "record", "--nonblocking", "--gil", "-r", str(self.rate),
                "-d", str(self.seconds),
                "-p", str(pid), "-f", "raw", "-o", str(self.folder / f"py-spy-{pid}.raw"),
            ]  # fmt: skip
            self._spies.append(
                subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            )

    def kill(self) -> None:
        """Kill every recorder still running."""
        for spy in self._spies:
            if spy.poll() is None:
                spy.kill()
                spy.wait()

    def finish(self, grace_s: float = 30.0) -> Sampled:
        """Wait for every recorder (killed past ``seconds + grace_s``) and read its samples."""
        failures: list[str] = []
        for spy in self._spies:
            try:
                _, err = spy.communicate(timeout=self.seconds + grace_s)
            except subprocess.TimeoutExpired:
                spy.kill()
                _, err = spy.communicate()
                failures.append("py-spy did not finish in time")
                continue
            if spy.returncode != 0:
                text = err.decode(errors="replace").strip().splitlines()
                failures.append(text[-1] if text else f"py-spy exited {spy.returncode}")
        sampled = Sampled(note=self._note)
        for pid in self.pids if self._spies else []:
            path = self.folder / f"py-spy-{pid}.raw"
            if path.exists():
                sampled.components.update(components_of_raw(path.read_text(errors="replace")))
        if failures and not sampled.note:
            sampled.note = f"py-spy: {failures[0]}"
        if not sampled.samples and not sampled.note:
            sampled.note = "py-spy recorded no active samples"
        return sampled
