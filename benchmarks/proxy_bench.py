"""Fault proxy throughput and one-hop latency: redis-benchmark direct vs through the proxy.

    python -m benchmarks.proxy_bench [--requests N] [--clients C] [--pings P] [--rounds R]

Starts its own redis-server, ``python -m chaos.toxiproxy`` and a bare relay through
``chaos.services`` (claimed ports, process groups, readiness with a deadline), alternates
direct and proxied runs in the same process (so both see the same machine load), prints
the figures and stops everything it started.
"""

from __future__ import annotations

import argparse
import csv
import io
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from chaos.ports import claim_port
from chaos.services import FaultProxy, RedisServer
from chaos.services.process import ServiceProcess
from chaos.toxiproxy_client import ToxiproxyClient

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
            f"ratio proxied/direct       : {self.ratio:.2f}  (real Toxiproxy: 0.29)",
            f"ratio bare relay/direct    : {self.bare.rps / self.direct.rps:.2f}  "
            f"(proxied/bare: {self.proxied.rps / self.bare.rps:.2f})",
            f"PING round trip direct     : p50 {self.ping_direct_us[0]:.0f} us  "
            f"p99 {self.ping_direct_us[1]:.0f} us",
            f"PING round trip proxied    : p50 {self.ping_proxied_us[0]:.0f} us  "
            f"p99 {self.ping_proxied_us[1]:.0f} us",
            f"one hop adds               : p50 {self.added_p50_us:.0f} us  "
            f"p99 {self.added_p99_us:.0f} us",
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


def measure(requests: int, clients: int, pings: int, rounds: int) -> ProxyFigures:
    """Alternate direct and proxied runs ``rounds`` times; keep each side's best run."""
    with tempfile.TemporaryDirectory(prefix="proxy-bench-") as tmp:
        workdir = Path(tmp)
        with (
            RedisServer(workdir).start() as redis,
            FaultProxy(workdir).start() as fault_proxy,
            BareRelay(workdir, redis.port).start() as relay,
            ToxiproxyClient(fault_proxy.url) as client,
        ):
            redis_port, bare_port = redis.port, relay.port
            proxy = client.create_proxy("bench", "127.0.0.1:0", f"127.0.0.1:{redis_port}")
            direct: list[BenchRun] = []
            proxied: list[BenchRun] = []
            bare: list[BenchRun] = []
            pings_direct: list[tuple[float, float]] = []
            pings_proxied: list[tuple[float, float]] = []
            for _ in range(rounds):
                direct.append(redis_benchmark(redis_port, requests, clients))
                proxied.append(redis_benchmark(proxy.listen_port, requests, clients))
                bare.append(redis_benchmark(bare_port, requests, clients))
                pings_direct.append(ping_latencies_us(redis_port, pings))
                pings_proxied.append(ping_latencies_us(proxy.listen_port, pings))
            proxy.delete()
    return ProxyFigures(
        best(direct), best(proxied), best(bare), min(pings_direct), min(pings_proxied)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.proxy_bench")
    parser.add_argument("--requests", type=int, default=200_000, help="GETs per run")
    parser.add_argument("--clients", type=int, default=50, help="redis-benchmark -c")
    parser.add_argument("--pings", type=int, default=5_000, help="PINGs for the latency probe")
    parser.add_argument("--rounds", type=int, default=3, help="direct/proxied pairs")
    args = parser.parse_args(argv)
    if min(args.requests, args.clients, args.pings, args.rounds) < 1:
        parser.error("--requests, --clients, --pings and --rounds must be positive")
    figures = measure(args.requests, args.clients, args.pings, args.rounds)
    print("\n".join(figures.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
