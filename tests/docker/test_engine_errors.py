"""Without an engine the backend says so in one clear error naming the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from chaos.docker_backend import EngineUnavailable, connect_engine

pytestmark = pytest.mark.docker


def test_missing_engine_names_the_setup_script(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # DOCKER_HOST is the documented way to aim the client; this socket does not exist
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-docker.sock")
    with pytest.raises(EngineUnavailable, match=r"scripts/docker-setup\.sh"):
        connect_engine(timeout=5)
