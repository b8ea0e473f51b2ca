"""A Redis probe inside the run's network: sees a partition as the workers would see it.

A port published on the host vanishes when its container leaves the network (the host gets
"connection refused" at once), so a true partition is only observable from a peer container.
The probe PINGs its target in a paced loop and prints one JSON line per attempt.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ._container import ContainerHandle

PROBE_SCRIPT = """
import json, sys, time
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
host, port, interval, timeout, duration = sys.argv[1], int(sys.argv[2]), *map(float, sys.argv[3:6])
client = redis.Redis(host=host, port=port, socket_timeout=timeout,
                     socket_connect_timeout=timeout, retry=Retry(NoBackoff(), 0))
end = time.monotonic() + duration
while time.monotonic() < end:
    start = time.monotonic_ns()
    try:
        client.ping()
        result = "ok"
    except redis.TimeoutError:
        result = "timeout"
    except redis.RedisError as exc:
        result = "error: " + type(exc).__name__ + ": " + str(exc)[:120]
    print(json.dumps({"start": start, "end": time.monotonic_ns(), "result": result}), flush=True)
    time.sleep(interval)
"""


@dataclass(frozen=True)
class ProbeSample:
    """One PING attempt: monotonic ns (the host's clock: containers share the kernel)."""

    start: int
    end: int
    result: str

    @property
    def ok(self) -> bool:
        return self.result == "ok"

    @property
    def timed_out(self) -> bool:
        return self.result == "timeout"


def probe_command(
    target: str, port: int, interval: float, timeout: float, duration: float
) -> list[str]:
    """The container command of a probe (run it in the app image)."""
    args = [target, str(port), str(interval), str(timeout), str(duration)]
    return ["python", "-c", PROBE_SCRIPT, *args]


def probe_samples(handle: ContainerHandle) -> list[ProbeSample]:
    """Every attempt the probe has printed so far (lines that are not JSON are skipped)."""
    raw: bytes = handle.container.logs(stdout=True, stderr=False)
    samples = []
    for line in raw.decode("utf-8", "replace").splitlines():
        if line.startswith("{"):
            fields = json.loads(line)
            samples.append(ProbeSample(fields["start"], fields["end"], fields["result"]))
    return samples
