"""Run pytest in a child process on a sample file, as a user would, and see what it left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = Path(__file__).resolve().parent / "samples"


def child_env(**extra: str) -> dict[str, str]:
    """Our env minus the markers of this run and of xdist, so the child is a run of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST_", "AUTH_CHAOS_", "CHAOS_"))
    }
    env.update(extra)
    return env


def pytest_argv(sample: str, *args: str) -> list[str]:
    return [
        sys.executable, "-m", "pytest", str(SAMPLES / sample),
        "-o", "python_files=sample_*.py", "-p", "no:cacheprovider", "-q", *args,
    ]  # fmt: skip


def run_sample(
    sample: str, *args: str, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run pytest on ``samples/<sample>`` to completion."""
    return subprocess.run(
        pytest_argv(sample, *args),
        cwd=ROOT,
        env=child_env(**(env or {})),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
