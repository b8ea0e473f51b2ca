"""AuthApi: a service profile turned into requests (pure), and answers read with it: login
bodies as JSON or form with the profile's field names, the refresh token in a body field, a
Bearer header or a cookie, tokens at dotted JSON paths, worker and degraded headers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from chaos.profile import (
    AuthApi,
    DegradedSignal,
    HttpCall,
    LoginRoute,
    RefreshRoute,
    ServiceProfile,
    load_profile,
    reference_profile,
)

ROOT = Path(__file__).resolve().parents[2]
ALICE = ("alice", "p&ss=wörd")  # characters a form body must escape


def _profile(name: str) -> ServiceProfile:
    return load_profile(ROOT / "examples" / name / "profile.toml")


def _with_login(profile: ServiceProfile, **changes: object) -> ServiceProfile:
    login: LoginRoute = replace(profile.login, **changes)  # type: ignore[arg-type]
    return replace(profile, login=login)


def _with_refresh(profile: ServiceProfile, **changes: object) -> ServiceProfile:
    assert profile.refresh is not None
    refresh: RefreshRoute = replace(profile.refresh, **changes)  # type: ignore[arg-type]
    return replace(profile, refresh=refresh)


def _built(call: HttpCall) -> httpx.Request:
    """The request httpx would send for ``call`` (what the workloads hand to httpx)."""
    return httpx.Request(call.method, "http://127.0.0.1:9" + call.path, **call.httpx_args())


# --- login ------------------------------------------------------------------------------------


def test_a_json_login_sends_the_profiles_fields_as_json() -> None:
    call = AuthApi(reference_profile()).login(ALICE)
    assert (call.method, call.path) == ("POST", "/auth/login")
    assert call.json == {"username": "alice", "password": "p&ss=wörd"}
    assert call.form is None
    body, kind = call.encoded()
    assert kind == "application/json"
    assert body == b'{"username": "alice", "password": "p&ss=w\\u00f6rd"}'
    request = _built(call)
    assert request.headers["content-type"] == "application/json"
    assert httpx.Response(200, content=request.read()).json() == call.json


def test_a_form_login_sends_the_profiles_fields_url_encoded() -> None:
    careful = _profile("careful")  # form, fields "login" and "password"
    call = AuthApi(careful).login(ALICE)
    assert (call.method, call.path) == ("POST", "/api/auth/signin")
    assert call.form == {"login": "alice", "password": "p&ss=wörd"}
    assert call.json is None
    body, kind = call.encoded()
    assert kind == "application/x-www-form-urlencoded"
    assert body is not None
    assert parse_qs(body.decode()) == {"login": ["alice"], "password": ["p&ss=wörd"]}
    request = _built(call)
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.read().decode()) == parse_qs(body.decode())


def test_field_names_and_method_come_from_the_profile() -> None:
    profile = _with_login(reference_profile(), method="PUT", path="/v2/session", body="form",
                          username="email", password="secret")  # fmt: skip
    call = AuthApi(profile).login(("a@example.org", "pw"))
    assert (call.method, call.path) == ("PUT", "/v2/session")
    assert call.form == {"email": "a@example.org", "secret": "pw"}


# --- verify, logout: the access token as a Bearer header --------------------------------------


def test_verify_and_logout_carry_the_access_token_as_bearer() -> None:
    api = AuthApi(_profile("naive"))
    verify, logout = api.verify("tok.en"), api.logout("tok.en")
    assert (verify.method, verify.path) == ("GET", "/users/me")
    assert (logout.method, logout.path) == ("DELETE", "/logout")
    for call in (verify, logout):
        assert dict(call.headers) == {"Authorization": "Bearer tok.en"}
        assert call.encoded() == (None, None)
        assert _built(call).read() == b""


# --- refresh: body field, Bearer header or cookie ---------------------------------------------


def test_refresh_in_a_body_field() -> None:
    profile = _with_refresh(reference_profile(), field="rt")
    call = AuthApi(profile).refresh("r1")
    assert call is not None
    assert (call.method, call.path, call.json) == ("POST", "/auth/refresh", {"rt": "r1"})
    assert dict(call.headers) == {}


def test_refresh_as_a_bearer_header() -> None:
    call = AuthApi(_profile("naive")).refresh("r1")
    assert call is not None
    assert (call.path, dict(call.headers), call.json, call.form) == (
        "/refresh", {"Authorization": "Bearer r1"}, None, None,
    )  # fmt: skip


def test_refresh_in_a_cookie() -> None:
    call = AuthApi(_profile("careful")).refresh("r1")
    assert call is not None
    assert (call.path, dict(call.headers), call.json) == (
        "/api/auth/renew", {"Cookie": "careful_refresh=r1"}, None,
    )  # fmt: skip
    assert _built(call).headers["cookie"] == "careful_refresh=r1"


def test_no_refresh_route_builds_no_call() -> None:
    api = AuthApi(replace(reference_profile(), refresh=None))
    assert not api.has_refresh
    assert api.refresh("r1") is None
    assert api.tokens("refresh", {"access_token": "a"}, {}) == (None, None)


# --- tokens in answers ------------------------------------------------------------------------


def test_tokens_at_the_default_top_level_keys() -> None:
    api = AuthApi(reference_profile())
    answer = {"access_token": "a1", "refresh_token": "r1", "token_type": "bearer"}
    assert api.tokens("login", answer, {}) == ("a1", "r1")
    assert api.tokens("refresh", answer, {}) == ("a1", "r1")


def test_tokens_at_dotted_paths() -> None:
    profile = _with_login(reference_profile(), access_token="data.tokens.access",
                          refresh_token="data.tokens.refresh")  # fmt: skip
    answer = {"data": {"tokens": {"access": "a1", "refresh": "r1"}, "user": "alice"}}
    assert AuthApi(profile).tokens("login", answer, {}) == ("a1", "r1")


@pytest.mark.parametrize(
    "answer",
    [
        {},
        {"data": {"tokens": {}}},
        {"data": {"tokens": {"access": ""}}},  # an empty token is no token
        {"data": {"tokens": {"access": 42}}},  # nor a number
        {"data": {"tokens": "a1"}},  # a string where the path goes on
        {"data": ["tokens"]},
        {"access_token": "a1"},  # at the top level, not where the profile says
    ],
)
def test_a_token_missing_where_the_profile_says_is_none(answer: dict[str, object]) -> None:
    profile = _with_login(reference_profile(), access_token="data.tokens.access",
                          refresh_token="data.tokens.refresh")  # fmt: skip
    assert AuthApi(profile).tokens("login", answer, {}) == (None, None)


def test_no_refresh_token_in_the_answer_when_the_path_is_empty() -> None:
    profile = _with_login(reference_profile(), refresh_token="")
    answer = {"access_token": "a1", "refresh_token": "r1"}
    assert AuthApi(profile).tokens("login", answer, {}) == ("a1", None)


def test_the_refresh_token_from_the_cookie_when_the_service_sends_one() -> None:
    api = AuthApi(_profile("careful"))  # access at token.access, refresh in careful_refresh
    answer = {"token": {"access": "a1"}, "user": "alice"}
    assert api.tokens("login", answer, {"careful_refresh": "r1", "other": "x"}) == ("a1", "r1")
    assert api.tokens("refresh", answer, {"careful_refresh": "r2"}) == ("a1", "r2")
    assert api.tokens("login", answer, {}) == ("a1", None)  # no cookie: no refresh token
    assert api.tokens("login", {"token": {}}, {"careful_refresh": "r1"}) == (None, "r1")


# --- worker and degraded headers --------------------------------------------------------------


def test_the_worker_header_names_the_worker_or_none() -> None:
    headers = httpx.Headers({"X-Worker-Id": "w1-4242", "X-Served-By": "4243"})
    assert AuthApi(reference_profile()).worker(headers) == "w1-4242"
    assert AuthApi(_profile("careful")).worker(headers) == "4243"
    assert AuthApi(_profile("naive")).worker(headers) is None  # no header in the profile
    assert AuthApi(reference_profile()).worker(httpx.Headers()) is None
    assert AuthApi(reference_profile()).worker({"x-worker-id": "w0-1"}) == "w0-1"  # a dict


def test_the_degraded_signal_says_degraded_enforced_or_nothing() -> None:
    api = AuthApi(reference_profile())
    assert api.check(httpx.Headers({"X-Revocation-Check": "degraded"})) == "degraded"
    assert api.check(httpx.Headers({"x-revocation-check": "enforced"})) == "enforced"
    assert api.check(httpx.Headers({"X-Revocation-Check": "maybe"})) is None
    assert api.check(httpx.Headers()) is None
    assert AuthApi(_profile("naive")).check(httpx.Headers({"X-Revocation-Check": "x"})) is None


def test_a_signal_without_an_enforced_value_counts_any_other_value_as_enforced() -> None:
    signal = DegradedSignal("X-Cache-Only", "1", "")
    api = AuthApi(replace(reference_profile(), degraded=signal))
    assert api.check_of("1") == "degraded"
    assert api.check_of("0") == "enforced"
    assert api.check_of(None) is None
