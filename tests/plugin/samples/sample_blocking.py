"""Starts Redis, writes where it is, then blocks until killed (bounded by the wait)."""

import json
import os
import threading
from pathlib import Path

from chaos.services import RedisServer


def test_blocks_with_redis_running(redis_server: RedisServer) -> None:
    marker = Path(os.environ["SAMPLE_MARKER"])
    info = {"run": os.environ["AUTH_CHAOS_RUN"], "redis_pid": redis_server.pid}
    marker.write_text(json.dumps(info))
    threading.Event().wait(float(os.environ.get("SAMPLE_BLOCK", "120")))
