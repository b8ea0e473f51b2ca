"""Claims ports in many tests (spread over xdist workers) and appends them to a shared file."""

import os
from pathlib import Path

import pytest

from chaos.ports import claim_port, claim_port_range


@pytest.mark.parametrize("round_", range(8))
def test_claim_and_record(round_: int) -> None:
    claims = [claim_port() for _ in range(10)] + [claim_port_range(3)]
    ports = [port for claim in claims for port in claim.ports]
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    line = f"{worker} {round_} {' '.join(map(str, ports))}\n"
    with Path(os.environ["SAMPLE_PORTS_FILE"]).open("a") as shared:
        shared.write(line)
    for claim in claims[::2]:  # released ports must still never come back in this run
        claim.release()
