"""A stand-in for ``python -m chaos.toxiproxy`` used ONLY to test the FaultProxy handle's
process mechanics (start, readiness on ``GET /version``, signals) before the real one lands.
"""

from __future__ import annotations

import argparse
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class VersionOnly(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"version": "standin"}).encode()
        self.send_response(200 if self.path == "/version" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        print(format % args, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    print(f"stand-in fault API on {args.host}:{args.port}", flush=True)
    ThreadingHTTPServer((args.host, args.port), VersionOnly).serve_forever()


if __name__ == "__main__":
    main()
