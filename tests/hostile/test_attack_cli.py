"""The campaign a user aims at their own service (``python -m chaos.attacks``) runs end to end
against the reference service, and its exit code agrees with its own count."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from .conftest import Target

pytestmark = pytest.mark.hostile


def test_the_cli_campaign_reports_honestly(target: Target, figures: dict[str, int]) -> None:
    env = {**os.environ, "AUTH_JWT_SECRET": target.auth.secret}
    env["AUTH_ATTACK_PASSWORD"] = target.passwords["dave"]
    done = subprocess.run(
        [sys.executable, "-m", "chaos.attacks", "--url", target.base_url, "--username", "dave",
         "--leeway", str(target.leeway_s), "--fresh-id", "jti", "--fresh-id", "fam"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    summary = re.search(r"(\d+) cases .*?, (\d+) refused as documented, (\d+) not", done.stdout)
    assert summary, done.stdout[-2000:] + done.stderr[-2000:]
    total, refused, wrong = map(int, summary.groups())
    figures["cli_cases"] = total
    assert total == refused + wrong
    assert total > 400
    assert "with the service's key" in done.stdout
    assert done.returncode == (1 if wrong else 0)
    assert len(done.stdout.strip().splitlines()) == wrong + 1  # one line per case not refused
