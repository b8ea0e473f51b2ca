"""Each toxic's timing and byte behaviour, measured through an echo upstream.

Tolerances are generous on the slow side: CPU is contended while the suite runs.
"""

from __future__ import annotations

import socket
import threading
import time

import httpx
import pytest

from .conftest import ProxyFactory
from .support import (
    EchoServer,
    connect,
    recv_exactly,
    recv_until_closed,
    round_trip,
    wait_until,
)

pytestmark = pytest.mark.conformance

SLACK = 1.5  # seconds of scheduling noise allowed on top of an expected delay


@pytest.fixture
def proxy(make_proxy: ProxyFactory, echo: EchoServer) -> dict[str, object]:
    return make_proxy(echo.address)


def add(api: httpx.Client, proxy: dict[str, object], body: dict[str, object]) -> None:
    response = api.post(f"/proxies/{proxy['name']}/toxics", json=body)
    assert response.status_code == 200, response.text


def test_no_toxic_round_trip_is_fast(proxy: dict[str, object]) -> None:
    with connect(str(proxy["listen"])) as sock:
        assert round_trip(sock) < SLACK


def test_latency_delays_each_direction_and_toxics_add_up(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    add(api, proxy, {"type": "latency", "attributes": {"latency": 300}})
    with connect(str(proxy["listen"])) as sock:
        elapsed = round_trip(sock)
        assert 0.29 <= elapsed < 0.3 + SLACK
        add(api, proxy, {"type": "latency", "stream": "upstream", "attributes": {"latency": 200}})
        elapsed = round_trip(sock)
        assert 0.49 <= elapsed < 0.5 + SLACK


def test_latency_delays_overlap_rather_than_stack(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    add(api, proxy, {"type": "latency", "attributes": {"latency": 400}})
    with connect(str(proxy["listen"])) as sock:
        start = time.monotonic()
        for _ in range(5):
            sock.sendall(b"x" * 10)
            time.sleep(0.02)  # separate chunks, each read on its own
        recv_exactly(sock, 50)
        # five chunks each delayed 400 ms from their own read: about 0.5 s, not 2 s
        assert time.monotonic() - start < 0.5 + SLACK


def test_latency_jitter_stays_in_range(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "latency", "attributes": {"latency": 200, "jitter": 100}})
    with connect(str(proxy["listen"])) as sock:
        samples = [round_trip(sock) for _ in range(6)]
    assert min(samples) >= 0.099
    assert max(samples) < 0.3 + SLACK


def test_toxic_applies_to_a_live_connection_and_removal_restores(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    with connect(str(proxy["listen"])) as sock:
        assert round_trip(sock) < SLACK
        add(api, proxy, {"type": "latency", "name": "late", "attributes": {"latency": 400}})
        assert round_trip(sock) >= 0.39
        assert api.delete(f"/proxies/{proxy['name']}/toxics/late").status_code == 204
        assert round_trip(sock) < 0.39


def test_removing_a_toxic_releases_held_data(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "latency", "name": "hold", "attributes": {"latency": 60_000}})
    with connect(str(proxy["listen"])) as sock:
        start = time.monotonic()
        sock.sendall(b"held-data")
        time.sleep(0.3)  # let the chunk reach the toxic
        assert api.delete(f"/proxies/{proxy['name']}/toxics/hold").status_code == 204
        assert recv_exactly(sock, 9) == b"held-data"
        assert time.monotonic() - start < 30


def test_toxicity_zero_never_applies(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "latency", "toxicity": 0, "attributes": {"latency": 2000}})
    for _ in range(3):
        with connect(str(proxy["listen"])) as sock:
            assert round_trip(sock) < 1.9


def test_bandwidth_paces_the_stream(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "bandwidth", "attributes": {"rate": 100}})  # 100 KB/s
    payload = b"b" * 50_000
    with connect(str(proxy["listen"])) as sock:
        start = time.monotonic()
        sock.sendall(payload)
        assert recv_exactly(sock, len(payload)) == payload
        elapsed = time.monotonic() - start
    assert 0.4 <= elapsed < 0.5 + 2 * SLACK


def test_slow_close_delays_the_close(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "slow_close", "attributes": {"delay": 500}})
    with connect(str(proxy["listen"])) as sock:
        round_trip(sock)
        start = time.monotonic()
        sock.shutdown(socket.SHUT_WR)
        assert recv_until_closed(sock) == b""
        elapsed = time.monotonic() - start
    assert 0.49 <= elapsed < 0.5 + SLACK


def test_without_slow_close_the_close_is_prompt(proxy: dict[str, object]) -> None:
    # negative control for the slow_close measurement
    with connect(str(proxy["listen"])) as sock:
        round_trip(sock)
        start = time.monotonic()
        sock.shutdown(socket.SHUT_WR)
        assert recv_until_closed(sock) == b""
        assert time.monotonic() - start < 0.45


def test_timeout_drops_data_then_closes(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "timeout", "attributes": {"timeout": 500}})
    with connect(str(proxy["listen"])) as sock:
        start = time.monotonic()
        sock.sendall(b"lost")
        assert recv_until_closed_or_reset(sock) == b""
        elapsed = time.monotonic() - start
    assert 0.45 <= elapsed < 0.5 + SLACK


def test_timeout_zero_holds_the_connection_open(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    add(api, proxy, {"type": "timeout", "name": "hang", "attributes": {"timeout": 0}})
    with connect(str(proxy["listen"]), timeout=1.0) as sock:
        sock.sendall(b"lost")
        with pytest.raises(TimeoutError):
            sock.recv(10)
        # removing a timeout toxic closes the connections it was on
        assert api.delete(f"/proxies/{proxy['name']}/toxics/hang").status_code == 204
        sock.settimeout(10)
        assert recv_until_closed_or_reset(sock) == b""


def test_reset_peer_resets_after_first_data(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "reset_peer", "attributes": {"timeout": 300}})
    with connect(str(proxy["listen"])) as sock:
        start = time.monotonic()
        sock.sendall(b"hello")
        with pytest.raises(ConnectionResetError):
            recv_until_closed(sock)
        elapsed = time.monotonic() - start
    assert 0.29 <= elapsed < 0.3 + SLACK


def test_reset_peer_leaves_idle_connections_alone(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    add(api, proxy, {"type": "reset_peer", "attributes": {"timeout": 0}})
    with connect(str(proxy["listen"]), timeout=0.8) as sock, pytest.raises(TimeoutError):
        sock.recv(10)


def test_slicer_splits_chunks(api: httpx.Client, proxy: dict[str, object]) -> None:
    body: dict[str, object] = {
        "type": "slicer",
        "attributes": {"average_size": 10, "size_variation": 0, "delay": 50_000},
    }
    add(api, proxy, body)
    payload = bytes(range(100))
    with connect(str(proxy["listen"])) as sock:
        start = time.monotonic()
        sock.sendall(payload)
        pieces: list[bytes] = []
        while sum(map(len, pieces)) < len(payload):
            piece = sock.recv(1000)
            assert piece, "closed early"
            pieces.append(piece)
        elapsed = time.monotonic() - start
    assert b"".join(pieces) == payload
    assert len(pieces) >= 4  # 8 slices of about 12 bytes, 50 ms apart; some may coalesce
    assert elapsed >= 0.3  # at least 7 gaps of 50 ms, allowing a little coalescing


def test_limit_data_truncates_then_closes(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "limit_data", "attributes": {"bytes": 100}})
    with connect(str(proxy["listen"])) as sock:
        sock.sendall(b"a" * 60)
        assert recv_exactly(sock, 60) == b"a" * 60
        sock.sendall(b"b" * 60)
        assert recv_until_closed_or_reset(sock) == b"b" * 40


def test_noop_passes_data(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "noop"})
    payload = b"n" * 100_000
    with connect(str(proxy["listen"])) as sock:
        sender = threading.Thread(target=sock.sendall, args=(payload,))
        sender.start()
        assert recv_exactly(sock, len(payload)) == payload
        sender.join()


def test_large_transfer_without_toxics_is_intact(proxy: dict[str, object]) -> None:
    payload = bytes(range(256)) * 8000  # 2 MB: exercises pause/resume backpressure
    with connect(str(proxy["listen"])) as sock:
        sender = threading.Thread(target=sock.sendall, args=(payload,))
        sender.start()
        assert recv_exactly(sock, len(payload)) == payload
        sender.join()


def recv_until_closed_or_reset(sock: socket.socket) -> bytes:
    data = bytearray()
    try:
        while piece := sock.recv(65536):
            data += piece
    except ConnectionResetError:
        pass
    return bytes(data)


def test_timeout_timer_restarts_with_each_chunk(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    add(api, proxy, {"type": "timeout", "stream": "upstream", "attributes": {"timeout": 800}})
    with connect(str(proxy["listen"])) as sock:
        start = time.monotonic()
        for _ in range(4):  # a chunk every 300 ms keeps an 800 ms timer from firing
            sock.sendall(b"tick")
            time.sleep(0.3)
        assert recv_until_closed_or_reset(sock) == b""
        elapsed = time.monotonic() - start
    assert elapsed >= 0.3 * 3 + 0.79


def test_reset_peer_sends_fin_to_connections_older_than_the_toxic(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    with connect(str(proxy["listen"])) as sock:
        round_trip(sock)
        add(api, proxy, {"type": "reset_peer", "attributes": {"timeout": 0}})
        sock.sendall(b"x")
        assert recv_until_closed(sock) == b""  # FIN, not RST


def test_limit_data_upstream_truncates_what_the_server_gets(
    api: httpx.Client, proxy: dict[str, object], echo: EchoServer
) -> None:
    add(api, proxy, {"type": "limit_data", "stream": "upstream", "attributes": {"bytes": 10}})
    with connect(str(proxy["listen"])) as sock:
        sock.sendall(b"0123456789abcdef")
        recv_until_closed_or_reset(sock)  # the proxy closes both sides after the limit
    wait_until(lambda: bytes(echo.received) == b"0123456789", "the upstream to get 10 bytes")
    time.sleep(0.2)  # nothing more may arrive afterwards
    assert bytes(echo.received) == b"0123456789"


def test_removing_a_middle_toxic_keeps_the_rest_of_the_chain(
    api: httpx.Client, proxy: dict[str, object]
) -> None:
    add(api, proxy, {"type": "latency", "name": "first", "attributes": {"latency": 200}})
    add(api, proxy, {"type": "noop", "name": "middle"})
    add(api, proxy, {"type": "latency", "name": "last", "attributes": {"latency": 200}})
    with connect(str(proxy["listen"])) as sock:
        assert round_trip(sock) >= 0.39
        assert api.delete(f"/proxies/{proxy['name']}/toxics/middle").status_code == 204
        assert round_trip(sock) >= 0.39
        assert api.delete(f"/proxies/{proxy['name']}/toxics/first").status_code == 204
        elapsed = round_trip(sock)
        assert 0.19 <= elapsed < 0.39


def test_update_applies_to_live_connections(api: httpx.Client, proxy: dict[str, object]) -> None:
    add(api, proxy, {"type": "latency", "name": "lat", "attributes": {"latency": 50}})
    with connect(str(proxy["listen"])) as sock:
        round_trip(sock)
        patched = api.patch(
            f"/proxies/{proxy['name']}/toxics/lat", json={"attributes": {"latency": 500}}
        )
        assert patched.status_code == 200
        assert round_trip(sock) >= 0.49
