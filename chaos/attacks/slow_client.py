"""Slow HTTP clients (slowloris): headers sent a byte at a time, or started and then stalled.

A server that never times them out lets a few sockets pin its connections forever.
"""

from __future__ import annotations

import select
import socket
import time
from dataclasses import dataclass

REQUEST_HEAD = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
TRICKLE = b"X-Slow: " + b"a" * 4096  # never finished: no CRLF CRLF


@dataclass(frozen=True)
class SlowClientResult:
    """How a slow connection ended. ``closed_after_s`` is None if the server kept it open
    until ``deadline_s``; ``answer`` is the first bytes the server sent, if any."""

    closed_after_s: float | None
    bytes_sent: int
    answer: bytes
    deadline_s: float

    @property
    def status(self) -> int | None:
        """The status code of the server's answer, if it sent one (e.g. 408)."""
        parts = self.answer.split(b" ", 2)
        if len(parts) >= 2 and parts[0].startswith(b"HTTP/") and parts[1].isdigit():
            return int(parts[1])
        return None


def slow_headers(
    host: str, port: int, interval_s: float, deadline_s: float, stall: bool = False
) -> SlowClientResult:
    """Open a connection and send the request head, then one header byte every
    ``interval_s`` (or nothing, with ``stall``) until the server closes it or ``deadline_s``."""
    started = time.monotonic()
    sent = 0
    answer = b""
    with socket.create_connection((host, port), timeout=deadline_s) as sock:
        sock.sendall(REQUEST_HEAD)
        sent += len(REQUEST_HEAD)
        for byte in TRICKLE:
            elapsed = time.monotonic() - started
            if elapsed >= deadline_s:
                break
            readable, _, _ = select.select([sock], [], [], min(interval_s, deadline_s - elapsed))
            if readable:
                try:
                    chunk = sock.recv(4096)
                except ConnectionError:
                    chunk = b""
                if not chunk:
                    return SlowClientResult(time.monotonic() - started, sent, answer, deadline_s)
                answer += chunk
                continue
            if not stall:
                try:
                    sock.sendall(bytes([byte]))
                except (BrokenPipeError, ConnectionError):
                    return SlowClientResult(time.monotonic() - started, sent, answer, deadline_s)
                sent += 1
    return SlowClientResult(None, sent, answer, deadline_s)
