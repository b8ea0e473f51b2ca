"""Starts Redis, writes where it is, then blocks until killed (bounded by the wait)."""

import json
import os
import threading
from pathlib import Path

from chaos.services import RedisServer


def test_blocks_with_redis_running(redis_server: RedisServer) -> None:
    marker = Path(os.environ["SAMPLE_MARKER"])
    info = {"run": os.environ["AUTH_CHAOS_RUN"], "redis_pid": redis_server.pid}
    partial = marker.with_suffix(".partial")
    partial.write_text(json.dumps(info))
    partial.replace(marker)  # atomic: the watcher never reads half a file
    threading.Event().wait(float(os.environ.get("SAMPLE_BLOCK", "120")))
