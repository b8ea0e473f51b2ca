"""Fault proxy throughput and one-hop latency: redis-benchmark direct vs through the proxy.

    python -m benchmarks.proxy_bench [--requests N] [--clients C] [--pings P] [--rounds R]
        [--toxiproxy-url URL | --toxiproxy-server PATH]

Starts its own redis-server, ``python -m chaos.toxiproxy`` and a bare relay through
``chaos.services`` (claimed ports, process groups, readiness with a deadline), alternates
direct and proxied runs in the same process (so all see the same machine load), prints
the figures and stops everything it started. With a real Toxiproxy (a running one by URL,
or a ``toxiproxy-server`` binary it starts on a claimed port) that server is measured in
the same rounds; without one, no figure is printed for it.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

from chaos.ports import claim_port
from chaos.services import FaultProxy, RedisServer
from chaos.services.http_probe import first_unhealthy
from chaos.services.process import ServiceProcess
from chaos.toxiproxy_client import ProxyHandle, ToxiproxyClient

CHECKOUT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class BenchRun:
    """One redis-benchmark run: requests per second and its latency percentiles (ms)."""

    rps: float
    p50_ms: float
    p99_ms: float


@dataclass(frozen=True)
class ProxyFigures:
    direct: BenchRun
    proxied: BenchRun
    bare: BenchRun  # a bare uvloop relay (benchmarks.bare_relay): the ceiling in Python
    ping_direct_us: tuple[float, float]  # p50, p99 of one client's PING round trip
    ping_proxied_us: tuple[float, float]
    real: BenchRun | None = None  # a real Toxiproxy, when one was given
    ping_real_us: tuple[float, float] | None = None

    @property
    def ratio(self) -> float:
        return self.proxied.rps / self.direct.rps

    @property
    def added_p50_us(self) -> float:
        return self.ping_proxied_us[0] - self.ping_direct_us[0]

    @property
    def added_p99_us(self) -> float:
        return self.ping_proxied_us[1] - self.ping_direct_us[1]

    def lines(self) -> list[str]:
        return [
            f"redis-benchmark GET direct : {self.direct.rps:10.0f} req/s  "
            f"p50 {self.direct.p50_ms:.3f} ms  p99 {self.direct.p99_ms:.3f} ms",
            f"redis-benchmark GET proxied: {self.proxied.rps:10.0f} req/s  "
            f"p50 {self.proxied.p50_ms:.3f} ms  p99 {self.proxied.p99_ms:.3f} ms",
            f"redis-benchmark GET bare   : {self.bare.rps:10.0f} req/s  "
            f"p50 {self.bare.p50_ms:.3f} ms  p99 {self.bare.p99_ms:.3f} ms",
            *self.real_lines(),
            f"ratio proxied/direct       : {self.ratio:.2f}",
            f"ratio bare relay/direct    : {self.bare.rps / self.direct.rps:.2f}  "
            f"(proxied/bare: {self.proxied.rps / self.bare.rps:.2f})",
            *self.real_ratio_lines(),
            f"PING round trip direct     : p50 {self.ping_direct_us[0]:.0f} us  "
            f"p99 {self.ping_direct_us[1]:.0f} us",
            f"PING round trip proxied    : p50 {self.ping_proxied_us[0]:.0f} us  "
            f"p99 {self.ping_proxied_us[1]:.0f} us",
            f"one hop adds               : p50 {self.added_p50_us:.0f} us  "
            f"p99 {self.added_p99_us:.0f} us",
            *self.real_ping_lines(),
        ]

    def real_lines(self) -> list[str]:
        if self.real is None:
            return []
        return [
            f"redis-benchmark GET real   : {self.real.rps:10.0f} req/s  "
            f"p50 {self.real.p50_ms:.3f} ms  p99 {self.real.p99_ms:.3f} ms"
        ]

    def real_ratio_lines(self) -> list[str]:
        if self.real is None:
            return []
        return [
            f"ratio real Toxiproxy/direct: {self.real.rps / self.direct.rps:.2f}  "
            f"(proxied/real: {self.proxied.rps / self.real.rps:.2f})"
        ]

    def real_ping_lines(self) -> list[str]:
        if self.ping_real_us is None:
            return []
        return [
            f"PING round trip real       : p50 {self.ping_real_us[0]:.0f} us  "
            f"p99 {self.ping_real_us[1]:.0f} us",
            f"real one hop adds          : p50 {self.ping_real_us[0] - self.ping_direct_us[0]:.0f}"
            f" us  p99 {self.ping_real_us[1] - self.ping_direct_us[1]:.0f} us",
        ]


class BareRelay(ServiceProcess):
    """``python -m benchmarks.bare_relay``: the ceiling a Python relay reaches, no API."""

    def __init__(self, workdir: Path, upstream_port: int) -> None:
        self._claim = claim_port()
        self.port = self._claim.port
        self.upstream_port = upstream_port
        # it runs in its own workdir: the checkout must be on its path to find `benchmarks`
        env = {"PYTHONPATH": str(CHECKOUT)}
        super().__init__(f"bare-relay-{self.port}", Path(workdir) / f"bare-relay-{self.port}", env)

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "benchmarks.bare_relay",
            str(self.port),
            str(self.upstream_port),
        ]

    def probe(self) -> str | None:
        return None if ping(self.port) else f"no PONG through 127.0.0.1:{self.port}"

    def release_ports(self) -> None:
        self._claim.release()


class RealToxiproxy(ServiceProcess):
    """A real ``toxiproxy-server`` binary, started on a claimed loopback port."""

    def __init__(self, workdir: Path, binary: Path) -> None:
        self._claim = claim_port()
        self.port = self._claim.port
        self.binary = binary
        super().__init__(f"real-toxiproxy-{self.port}", Path(workdir) / f"real-{self.port}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        return [str(self.binary), "-host", "127.0.0.1", "-port", str(self.port)]

    def probe(self) -> str | None:
        return first_unhealthy([self.url], "/version")

    def release_ports(self) -> None:
        self._claim.release()


def ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16) == b"+PONG\r\n"
    except OSError:
        return False


def redis_benchmark(port: int, requests: int, clients: int) -> BenchRun:
    result = subprocess.run(
        [
            "redis-benchmark",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-c",
            str(clients),
            "-n",
            str(requests),
            "-t",
            "get",
            "--csv",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    row = next(r for r in rows if r["test"] == "GET")
    return BenchRun(float(row["rps"]), float(row["p50_latency_ms"]), float(row["p99_latency_ms"]))


def ping_latencies_us(port: int, count: int) -> tuple[float, float]:
    """p50 and p99 (microseconds) of ``count`` sequential PINGs on one connection."""
    samples: list[float] = []
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for _ in range(count):
            start = time.perf_counter()
            sock.sendall(b"PING\r\n")
            reply = b""
            while not reply.endswith(b"\r\n"):
                piece = sock.recv(64)
                if not piece:
                    raise RuntimeError("connection closed during PING")
                reply += piece
            samples.append((time.perf_counter() - start) * 1e6)
    cuts = statistics.quantiles(samples, n=100)
    return cuts[49], cuts[98]


def best(runs: list[BenchRun]) -> BenchRun:
    return max(runs, key=lambda r: r.rps)


@contextlib.contextmanager
def bench_proxy(url: str, redis_port: int) -> Iterator[ProxyHandle]:
    """A proxy to Redis on the server at ``url`` (no toxic), deleted afterwards."""
    with ToxiproxyClient(url) as client:
        name = f"proxy-bench-{os.getpid()}"
        proxy = client.create_proxy(name, "127.0.0.1:0", f"127.0.0.1:{redis_port}")
        try:
            yield proxy
        finally:
            proxy.delete()


def measure(
    requests: int,
    clients: int,
    pings: int,
    rounds: int,
    *,
    real_url: str | None = None,
    real_binary: Path | None = None,
) -> ProxyFigures:
    """Alternate direct, proxied (and real Toxiproxy) runs ``rounds`` times; keep each best."""
    with tempfile.TemporaryDirectory(prefix="proxy-bench-") as tmp, contextlib.ExitStack() as stack:
        workdir = Path(tmp)
        redis = stack.enter_context(RedisServer(workdir).start())
        fault_proxy = stack.enter_context(FaultProxy(workdir).start())
        relay = stack.enter_context(BareRelay(workdir, redis.port).start())
        if real_binary is not None:
            real_url = stack.enter_context(RealToxiproxy(workdir, real_binary).start()).url
        proxy = stack.enter_context(bench_proxy(fault_proxy.url, redis.port))
        real = None if real_url is None else stack.enter_context(bench_proxy(real_url, redis.port))
        runs: dict[str, list[BenchRun]] = {"direct": [], "proxied": [], "bare": [], "real": []}
        pings_seen: dict[str, list[tuple[float, float]]] = {"direct": [], "proxied": [], "real": []}
        ports = {"direct": redis.port, "proxied": proxy.listen_port, "bare": relay.port}
        if real is not None:
            ports["real"] = real.listen_port
        for _ in range(rounds):
            for side, port in ports.items():
                runs[side].append(redis_benchmark(port, requests, clients))
            for side, port in ports.items():
                if side in pings_seen:
                    pings_seen[side].append(ping_latencies_us(port, pings))
    return ProxyFigures(
        best(runs["direct"]),
        best(runs["proxied"]),
        best(runs["bare"]),
        min(pings_seen["direct"]),
        min(pings_seen["proxied"]),
        best(runs["real"]) if runs["real"] else None,
        min(pings_seen["real"]) if pings_seen["real"] else None,
    )


class OneLineParser(argparse.ArgumentParser):
    """A bad flag: one line naming it, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(
        prog="python -m benchmarks.proxy_bench",
        description="redis-benchmark direct, through the embedded fault proxy, a bare relay "
        "and (when given) a real Toxiproxy, alternated in the same run.",
    )
    parser.add_argument("--requests", type=int, default=200_000, help="GETs per run")
    parser.add_argument("--clients", type=int, default=50, help="redis-benchmark -c")
    parser.add_argument("--pings", type=int, default=5_000, help="PINGs for the latency probe")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of alternated runs")
    real = parser.add_mutually_exclusive_group()
    real.add_argument("--toxiproxy-url", help="a running real Toxiproxy to measure too")
    real.add_argument(
        "--toxiproxy-server", type=Path, help="a toxiproxy-server binary to start and measure"
    )
    args = parser.parse_args(argv)
    for flag in ("requests", "clients", "pings", "rounds"):
        if getattr(args, flag) < 1:
            parser.error(f"--{flag} must be positive, not {getattr(args, flag)}")
    if args.toxiproxy_url is not None and not args.toxiproxy_url.startswith("http://"):
        parser.error(f"--toxiproxy-url {args.toxiproxy_url!r}: want http://HOST:PORT")
    server = args.toxiproxy_server
    if server is not None and not (server.is_file() and os.access(server, os.X_OK)):
        parser.error(f"--toxiproxy-server {server}: not an executable file")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    figures = measure(
        args.requests,
        args.clients,
        args.pings,
        args.rounds,
        real_url=None if args.toxiproxy_url is None else args.toxiproxy_url.rstrip("/"),
        real_binary=args.toxiproxy_server,
    )
    print("\n".join(figures.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
