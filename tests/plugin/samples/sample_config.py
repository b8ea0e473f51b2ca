"""Writes the resolved ChaosConfig (one JSON line per test) to $SAMPLE_OUT."""

import json
import os
from dataclasses import asdict
from pathlib import Path

import pytest

from fixtures.config import ChaosConfig


@pytest.mark.parametrize("case", range(4))
def test_write_config(chaos_config: ChaosConfig, case: int) -> None:
    data = asdict(chaos_config)
    data["report_dir"] = str(data["report_dir"])
    data["run_dir"] = str(data["run_dir"])
    data["worker"] = os.environ.get("PYTEST_XDIST_WORKER", "main")
    data["env_seed"] = os.environ.get("CHAOS_SEED")  # the plugin never writes its state there
    with Path(os.environ["SAMPLE_OUT"]).open("a") as out:
        out.write(json.dumps(data) + "\n")
