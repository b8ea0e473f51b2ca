"""The crowd's ceiling: every request of the mix to one do-nothing route, every 2xx as
expected, anything else an error with its kind (a shed one marked)."""

from __future__ import annotations

import pytest

from chaos.profile import reference_profile
from chaos.workload.ceiling import CEILING_TOKEN, CeilingApi, judge_ceiling
from chaos.workload.crowd import REVOKED_ACCEPTED, judge_answer
from chaos.workload.http1 import Answer
from chaos.workload.tally import SHED_SUFFIX


def test_every_call_of_the_mix_goes_to_the_ceiling_route() -> None:
    api = CeilingApi(reference_profile(), "/health")
    calls = [api.login(("alice", "pw")), api.verify("t"), api.logout("t")]
    assert {(c.method, c.path, c.json, c.form) for c in calls} == {("GET", "/health", None, None)}
    assert api.tokens("login", {}, {}) == (CEILING_TOKEN, None)
    assert api.check_of("degraded") is None


def test_the_ceiling_route_must_be_a_path() -> None:
    with pytest.raises(ValueError, match="must start with /"):
        CeilingApi(reference_profile(), "health")


def test_the_ceiling_judge_takes_any_2xx_and_names_the_rest() -> None:
    ok = Answer(200, {}, b"{}")
    assert judge_ceiling("verify_revoked", ok) is None
    assert judge_answer("verify_revoked", ok) == REVOKED_ACCEPTED  # the real judge would not
    shed = Answer(503, {b"retry-after": b"1"}, b"")
    assert judge_ceiling("verify", shed) == f"verify: 503{SHED_SUFFIX}"
    assert judge_ceiling("login", Answer(500, {}, b"")) == "login: 500"
