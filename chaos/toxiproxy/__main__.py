"""python -m chaos.toxiproxy --host 127.0.0.1 --port 8474 [--config FILE] [--*-metrics]"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from .server import ToxiproxyServer, readiness_line


class OneLineParser(argparse.ArgumentParser):
    """Bad flags: one line naming the problem, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"chaos.toxiproxy: error: {message}\n")


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r} (want 0-65535)")
    return int(text)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = OneLineParser(
        prog="python -m chaos.toxiproxy",
        description="Embedded Toxiproxy-compatible fault proxy.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="API host (default 127.0.0.1)")
    parser.add_argument("--port", type=port_number, default=8474, help="API port (0: any free)")
    parser.add_argument("--config", type=Path, help="JSON array of proxies to create at start")
    parser.add_argument(
        "--proxy-metrics",
        action="store_true",
        help="serve /metrics with the proxies' byte counters (toxiproxy_proxy_*)",
    )
    parser.add_argument(
        "--runtime-metrics",
        action="store_true",
        help="serve /metrics with process and Python runtime metrics (process_*, python_*)",
    )
    parser.add_argument(
        "--metrics", action="store_true", help="both --proxy-metrics and --runtime-metrics"
    )
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> int:
    server = ToxiproxyServer(
        args.host,
        args.port,
        proxy_metrics=args.proxy_metrics or args.metrics,
        runtime_metrics=args.runtime_metrics or args.metrics,
    )
    try:
        await server.start()
    except OSError as exc:
        print(
            f"chaos.toxiproxy: error: --host {args.host} --port {args.port}: "
            f"cannot listen: {exc.strerror or exc}",
            file=sys.stderr,
        )
        return 2
    if args.config is not None:
        try:
            count = await server.populate_file(args.config.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"chaos.toxiproxy: error: --config {args.config}: {exc}", file=sys.stderr)
            await server.close()
            return 2
        print(
            f'{{"level":"info","config":"{args.config}","proxies":{count},'
            '"message":"Populated proxies from file"}',
            flush=True,
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(readiness_line(server.address), flush=True)
    await stop.wait()
    await server.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.config is not None and not args.config.is_file():
        print(f"chaos.toxiproxy: error: --config {args.config}: no such file", file=sys.stderr)
        return 2
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(serve(args))


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop when installed (a faster relay), else asyncio's default."""
    try:
        import uvloop  # noqa: PLC0415 - optional
    except ImportError:
        return None
    return uvloop.new_event_loop


if __name__ == "__main__":
    sys.exit(main())
