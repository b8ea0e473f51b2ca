"""A test that starts Redis, records a report location and fails: its report must show both."""

from collections.abc import Callable
from pathlib import Path

from chaos.services import RedisServer


def test_fails_after_starting_redis(
    redis_server: RedisServer, chaos_report_location: Callable[[Path], None], tmp_path: Path
) -> None:
    chaos_report_location(tmp_path / "scenario-report")
    assert redis_server.client().ping()
    raise AssertionError("deliberate failure")


def test_passes_with_redis(redis_server: RedisServer) -> None:
    assert redis_server.client().ping()
