"""Run ``wrk`` with the checking Lua script and read its figures back."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).with_name("check.lua")  # modes: fixed request, or logins
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


class WrkError(RuntimeError):
    """wrk is missing, failed, or printed something this module cannot read."""


@dataclass(frozen=True)
class WrkRun:
    """What one wrk run is asked to do: the same shape for every route compared."""

    connections: int = 64
    threads: int = 2
    duration_s: int = 10
    timeout_s: int = 10


@dataclass(frozen=True)
class Expectation:
    """The request wrk repeats and the answer every response must give."""

    method: str
    path: str
    token: str | None = None
    status: int = 200
    revocation_check: str | None = None  # e.g. "enforced": the X-Revocation-Check header
    body: str | None = None


@dataclass(frozen=True)
class WrkResult:
    """wrk's figures for one route; ``unexpected`` counts responses failing the expectation."""

    requests: int
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    checked: int
    unexpected: int
    non_2xx: int
    socket_errors: int


def duration_ms(text: str) -> float:
    """``'1.23ms'`` -> 1.23; wrk prints us, ms, s, m or h."""
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    if match is None:
        raise WrkError(f"cannot read wrk duration {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse(output: str) -> WrkResult:
    """Read the figures out of ``wrk --latency`` output with the checking script's last line."""

    def grab(pattern: str) -> re.Match[str]:
        found = re.search(pattern, output, re.MULTILINE)
        if found is None:
            raise WrkError(f"wrk output lacks {pattern!r}:\n{output}")
        return found

    percentiles = {
        p: duration_ms(grab(rf"^\s+{p}%\s+(\S+)\s*$").group(1)) for p in ("50", "90", "99")
    }
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    checked = grab(r"^auth-chaos: checked=(\d+) unexpected=(\d+)$")
    return WrkResult(
        requests=int(grab(r"^\s+(\d+) requests in ").group(1)),
        requests_per_s=float(grab(r"^Requests/sec:\s+([0-9.]+)").group(1)),
        p50_ms=percentiles["50"],
        p90_ms=percentiles["90"],
        p99_ms=percentiles["99"],
        checked=int(checked.group(1)),
        unexpected=int(checked.group(2)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in sockets.groups()) if sockets else 0,
    )


def command(base_url: str, run: WrkRun, expect: Expectation) -> list[str]:
    """The wrk command line for one route."""
    args = [
        "fixed",
        expect.method,
        expect.path,
        expect.token or "-",
        str(expect.status),
        expect.revocation_check or "-",
    ]
    if expect.body is not None:
        args.append(expect.body)
    return _argv(base_url, expect.path, run, args)


def login_command(base_url: str, run: WrkRun, accounts: int, password: str) -> list[str]:
    """The wrk command line that logs in as the pool's accounts in turn."""
    return _argv(base_url, "/auth/login", run, ["login", str(accounts), password])


def _argv(base_url: str, path: str, run: WrkRun, script_args: list[str]) -> list[str]:
    return [
        "wrk",
        f"-t{run.threads}",
        f"-c{run.connections}",
        f"-d{run.duration_s}s",
        f"--timeout={run.timeout_s}s",
        "--latency",
        "-s",
        str(SCRIPT),
        base_url.rstrip("/") + path,
        "--",
        *script_args,
    ]


def run_wrk(base_url: str, run: WrkRun, expect: Expectation) -> WrkResult:
    """Run wrk against ``base_url`` and return its figures."""
    return run_argv(command(base_url, run, expect), run)


def run_argv(argv: list[str], run: WrkRun) -> WrkResult:
    """Run one wrk command line built here and read its figures."""
    if shutil.which("wrk") is None:
        raise WrkError("wrk is not installed (./dev setup installs it with apt)")
    done = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=run.duration_s + run.timeout_s + 30,
        check=False,
    )
    if done.returncode != 0:
        raise WrkError(f"wrk exited {done.returncode}: {done.stderr.strip() or done.stdout}")
    return parse(done.stdout)
