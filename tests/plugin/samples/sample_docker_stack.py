"""Run by tests/docker/test_gate_stack.py with --chaos-backend docker."""

from typing import Any

import httpx


def test_stack_is_compose(chaos_stack: Any) -> None:
    assert type(chaos_stack).__name__ == "GateStack"
    assert len(chaos_stack.auth.worker_urls) == 2  # --sut-workers default
    for url in chaos_stack.auth.worker_urls:
        assert httpx.get(url + "/health", timeout=5.0).status_code == 200
    chaos_stack.proxy.disable()  # the proxy handle in front of the Redis container
    chaos_stack.proxy.enable()
