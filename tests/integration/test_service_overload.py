"""A worker starved by a flood of verifies and logouts, with Redis healthy all along, does not
fail open: its Redis timeouts are the event loop's lateness, not Redis's, so no verify answers
`degraded` (it may shed with 503), and a revoked token stays refused. Negative control: the
service before the loop-lag fix answered 7,397 of 21,722 checks `degraded` in this test."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import login, logout, metric, verify

pytestmark = pytest.mark.integration

CONNECTIONS = 2000  # far more than one worker answers within --redis-timeout on 2 cores
MIX = Path(__file__).with_name("verify_logout_mix.lua")  # logouts: writes through redis-py
FLOOD_S = 6


def test_a_flood_with_redis_healthy_never_answers_degraded(
    redis_factory: RedisFactory, auth_factory: AuthFactory
) -> None:
    wrk = shutil.which("wrk")
    assert wrk is not None, "wrk is missing: scripts/setup.sh installs it"
    redis = redis_factory()
    auth = auth_factory(redis.url, workers=1, extra_args=["--hash-cost", "1024"])
    url = auth.worker_urls[0]
    revoked = login(url)
    assert logout(url, revoked.access).status_code == 200
    token = login(url).access
    flood = subprocess.run(
        [wrk, "-t2", f"-c{CONNECTIONS}", f"-d{FLOOD_S}s", "--timeout", "10s", "-s", str(MIX),
         url],
        capture_output=True, text=True, timeout=FLOOD_S + 60, check=False,
        env={"VERIFY_TOKEN": token, "LOGOUT_TOKEN": revoked.access},
    )  # fmt: skip
    assert flood.returncode == 0, flood.stderr
    degraded = metric(url, "auth_revocation_degraded_total")
    checks = metric(url, "auth_revocation_check_total")
    print(f"\nverify+logout flood ({CONNECTIONS} connections, {FLOOD_S} s): {checks:.0f} checks, "
          f"{degraded:.0f} degraded\n{flood.stdout}")  # fmt: skip
    assert checks > 0, "the flood reached no revocation check"
    assert degraded == 0, f"{degraded:.0f} verifies failed open with Redis healthy"
    assert verify(url, revoked.access).status_code == 401
