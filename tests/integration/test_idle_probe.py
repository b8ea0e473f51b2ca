"""The idle probe of ``benchmarks.load`` times a real server's answers on a real connection: a
server that answers late is timed late, one that answers at once is not (the control)."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from benchmarks.idle_probe import IdleProbe, ProbeReading, percentile

pytestmark = pytest.mark.integration

LATE_S = 0.2
ANSWER = (
    b"HTTP/1.1 200 OK\r\nx-worker-id: w0-1\r\ncontent-type: application/json\r\n"
    b"content-length: 2\r\n\r\n{}"
)
PROBE_S = 1.0


def serve(listener: socket.socket, delay_s: float, stop: threading.Event) -> None:
    """Answer every request of one kept-alive connection, ``delay_s`` after it came."""
    connection, _ = listener.accept()
    with connection:
        connection.settimeout(0.1)
        while not stop.is_set():
            seen = b""
            while b"\r\n\r\n" not in seen:
                try:
                    chunk = connection.recv(4096)
                except TimeoutError:
                    if stop.is_set():
                        return
                    continue
                if not chunk:
                    return
                seen += chunk
            time.sleep(delay_s)  # the server's lateness, on purpose (not a readiness wait)
            connection.sendall(ANSWER)


def probe_a_server(delay_s: float) -> ProbeReading:
    stop = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        server = threading.Thread(target=serve, args=(listener, delay_s, stop), daemon=True)
        server.start()
        probe = IdleProbe(f"http://127.0.0.1:{port}", "/health", every_s=0.02)
        probe.start()
        time.sleep(PROBE_S)  # how long the probe runs: the measurement's span, not a wait
        reading = probe.stop()
        stop.set()
        server.join(timeout=5)
    return reading


def test_a_late_server_is_timed_late_and_a_prompt_one_is_not() -> None:
    late = probe_a_server(LATE_S)
    prompt = probe_a_server(0.0)  # the control
    print(f"\n{late.line()}\n{prompt.line()}")
    assert late.latencies_s
    assert prompt.latencies_s
    assert late.failures == prompt.failures == 0
    assert percentile(late.latencies_s, 0.5) >= LATE_S
    assert percentile(prompt.latencies_s, 0.5) < LATE_S
    assert len(prompt.latencies_s) > len(late.latencies_s)  # one request at a time
    assert late.workers == {"w0-1": len(late.latencies_s)}  # the answers' X-Worker-Id


def test_a_probe_with_nothing_to_reach_times_nothing_and_says_why() -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
    probe = IdleProbe(f"http://127.0.0.1:{port}", "/health", every_s=0.05)  # nobody listens
    probe.start()
    time.sleep(0.3)  # the probe's span
    reading = probe.stop()
    assert not reading.latencies_s
    assert reading.failures >= 1
    assert reading.line().endswith(f"{reading.failures} failed ({reading.last_failure})")
    assert "no answer timed" in reading.line()
