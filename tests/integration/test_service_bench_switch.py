"""--bench-skip-revocation-check, the benchmark-only knob behind benchmarks.compare's
"no-revocation" design: verify stops reading the revocation list and says so; without the
flag the same logged-out token is refused (the control)."""

from __future__ import annotations

import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import login, logout, verify

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(
    ("flags", "status", "check"),
    [((), 401, None), (("--bench-skip-revocation-check",), 200, "skipped")],
    ids=["checked", "skipped"],
)
def test_a_logged_out_token_is_refused_unless_the_check_is_skipped(
    redis_factory: RedisFactory, auth_factory: AuthFactory, flags: tuple[str, ...],
    status: int, check: str | None,
) -> None:  # fmt: skip
    auth = auth_factory(redis_factory().url, workers=1, extra_args=["--hash-cost", "16", *flags])
    url = auth.worker_urls[0]
    pair = login(url)
    live = verify(url, pair.access)
    assert live.status_code == 200
    assert live.headers["x-revocation-check"] == (check or "enforced")
    assert logout(url, pair.access).status_code == 200
    dead = verify(url, pair.access)
    assert dead.status_code == status
    assert dead.headers.get("x-revocation-check") == check
