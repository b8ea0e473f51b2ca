"""A worker starved by a flood of verifies and logouts, with Redis healthy all along, does not
fail open: its Redis timeouts are the event loop's lateness, not Redis's, so no verify answers
`degraded` (it may shed with 503), and a revoked token stays refused. Negative control: the
service before the loop-lag fix answered 7,397 of 21,722 checks `degraded` in this test (34%).

Known gap (issue 9, docs/performance.md): under this 2,000-connection flood on 2 cores a
small remainder may still fail open (seen once: 188 of about 20,000 checks, ~1%; most runs
0). The bound below holds the fix (34% -> at most 2%) without claiming more than the
service does."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fixtures.services import AuthFactory, RedisFactory
from tests.integration.auth_calls import login, logout, metric, verify

pytestmark = pytest.mark.integration

DEGRADED_SHARE_BOUND = 0.02  # of revocation checks; the service before the fix: 0.34
CONNECTIONS = 2000  # far more than one worker answers within --redis-timeout on 2 cores
MIX = Path(__file__).with_name("verify_logout_mix.lua")  # logouts: writes through redis-py
FLOOD_S = 6


def test_a_flood_with_redis_healthy_barely_fails_open(
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
    share = degraded / checks
    assert share <= DEGRADED_SHARE_BOUND, (
        f"{degraded:.0f} of {checks:.0f} checks ({share:.1%}) failed open with Redis healthy "
        f"(bound {DEGRADED_SHARE_BOUND:.0%})"
    )
    assert verify(url, revoked.access).status_code == 401
