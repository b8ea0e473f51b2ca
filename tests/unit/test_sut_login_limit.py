"""The failed-login limit: counted by the shared window, locally when the window is unknown."""

import asyncio

from system_under_test.login_limit import LoginLimit


class Counts:
    """A shared window counter as a plain function of its calls (None: Redis unreachable)."""

    def __init__(self, down: bool = False) -> None:
        self.down = down
        self.n: dict[str, int] = {}

    async def incr(self, key: str, window_s: int) -> int | None:
        if self.down:
            return None
        self.n[key] = self.n.get(key, 0) + 1
        return self.n[key]


def test_failures_up_to_the_limit_pass_then_the_user_is_locked() -> None:
    counts = Counts()
    limit = LoginLimit(counts.incr, limit=3, window_s=60)

    async def run() -> list[int]:
        return [await limit.failed("alice") for _ in range(4)]

    assert asyncio.run(run()) == [0, 0, 0, limit.retry_after("alice")]
    assert 1 <= limit.retry_after("alice") <= 60
    assert limit.retry_after("bob") == 0
    assert counts.n == {"login:alice": 4}


def test_counts_from_other_workers_lock_here_too() -> None:
    counts = Counts()
    counts.n["login:alice"] = 10  # failures seen by the other workers
    limit = LoginLimit(counts.incr, limit=3, window_s=60)
    assert asyncio.run(limit.failed("alice")) > 0


def test_without_redis_the_worker_counts_locally() -> None:
    limit = LoginLimit(Counts(down=True).incr, limit=2, window_s=60)

    async def run() -> list[int]:
        return [await limit.failed("alice") for _ in range(3)]

    first, second, third = asyncio.run(run())
    assert first == second == 0
    assert third > 0
