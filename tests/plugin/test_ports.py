"""The port allocator: free ports, consecutive ranges, never shared across processes or reused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from chaos import ports
from chaos.ports import _lock, claim_port, claim_port_range, claims_dir
from chaos.services.run import current_run


def _listen(port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", port))
    sock.listen()
    return sock


def test_claimed_port_is_bindable_and_locked() -> None:
    claim = claim_port()
    try:
        _listen(claim.port).close()  # free for the service to bind
        assert _lock(claim.port, "some-other-run") is None  # flock held by us
    finally:
        claim.release()


def test_range_is_consecutive_and_free() -> None:
    claim = claim_port_range(4)
    try:
        assert list(claim.ports) == list(range(claim.port, claim.port + 4))
        for port in claim.ports:
            _listen(port).close()
    finally:
        claim.release()


def test_released_port_is_never_handed_out_again_in_the_same_run() -> None:
    claim = claim_port()
    claim.release()
    assert _lock(claim.port, current_run().run_id) is None
    other = _lock(claim.port, "a-later-run")  # another run may take it once released
    assert other is not None
    os.close(other)


def test_a_port_held_by_another_process_is_refused() -> None:
    claim = claim_port()
    try:
        code = (
            "import sys; from chaos.ports import _lock; "
            f"sys.exit(0 if _lock({claim.port}, 'child-run') is None else 1)"
        )
        child = subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
        assert child.returncode == 0, "a child process could lock a port we hold"
    finally:
        claim.release()


def test_a_bad_count_is_refused() -> None:
    with pytest.raises(ValueError, match="count must be >= 1"):
        claim_port_range(0)


def test_claims_live_in_one_shared_directory() -> None:
    claim = claim_port()
    try:
        stamp = (claims_dir() / str(claim.port)).read_text()
        assert stamp.split() == [current_run().run_id, str(os.getpid())]
    finally:
        claim.release()


def test_concurrent_processes_of_one_run_never_share_a_port() -> None:
    code = (
        "from chaos.ports import claim_port, claim_port_range\n"
        "claims = [claim_port() for _ in range(40)] + [claim_port_range(3) for _ in range(5)]\n"
        "print(' '.join(str(p) for c in claims for p in c.ports), flush=True)\n"
        "import sys; sys.stdin.read()\n"  # hold the claims until told to exit
    )
    env = {**os.environ, "AUTH_CHAOS_RUN": f"ports-test-{os.getpid()}"}
    argv = [sys.executable, "-c", code]
    pipe = subprocess.PIPE
    children = [
        subprocess.Popen(argv, env=env, text=True, stdin=pipe, stdout=pipe) for _ in range(4)
    ]
    try:
        claimed = [child.stdout.readline().split() for child in children if child.stdout]
    finally:
        for child in children:
            child.communicate(timeout=60)
    every = [port for ports in claimed for port in ports]
    assert len(claimed) == 4
    assert all(len(ports) == 55 for ports in claimed)
    assert len(every) == len(set(every)), "two processes got the same port"


def test_ports_come_from_below_the_ephemeral_range(tmp_path: Path) -> None:
    # an outgoing connection takes its port from the ephemeral range: a listening port
    # claimed there can be gone before the service binds it
    low = ports.ephemeral_low()
    assert low is not None  # Linux: /proc/sys/net/ipv4/ip_local_port_range
    claims = [claim_port_range(3) for _ in range(20)]
    try:
        for claim in claims:
            assert claim.port >= ports.LISTEN_LOW, claim.ports
            assert claim.ports[-1] < low, claim.ports
    finally:
        for claim in claims:
            claim.release()
    unreadable = tmp_path / "missing"
    assert ports.ephemeral_low(unreadable) is None
    (tmp_path / "range").write_text("32768\t60999\n")
    assert ports.ephemeral_low(tmp_path / "range") == 32768
