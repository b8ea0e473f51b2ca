"""The preflight against real services started from their profiles (real redis-server, real
worker processes, real HTTP): it passes for the reference, naive and careful profiles, and a
deliberately wrong profile gets its one-line message; ``--suggest`` drafts a profile from a
running service's OpenAPI document that loads, and for the reference service passes.

Each wrong profile is the shipped one copied into tmp_path with one edit, and is checked
against the service its (unchanged) command starts; one of them also through the CLI.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from chaos.preflight import PreflightResult, preflight
from chaos.profile import AuthApi, ServiceProfile, load_profile
from chaos.services import CommandService, RedisServer, service_of_profile
from fixtures import factories

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
SOURCES = {
    "reference": ROOT / "profiles" / "reference.toml",
    "naive": ROOT / "examples" / "naive" / "profile.toml",
    "careful": ROOT / "examples" / "careful" / "profile.toml",
}
WORKERS = 2
CLI_TIMEOUT_S = 60
SECRET = "preflight-test-jwt-secret-" + "x" * 32
# the reference service as a user would start it, for --suggest (a cheap password hash)
REFERENCE_COMMAND = (
    "{python} -m system_under_test --host 127.0.0.1 --port {port} --workers {workers} "
    "--redis-url {redis_url} --users-file {users_file} --hash-cost 1024"
)

redis = factories.redis_proc(scope="module")


def copied(name: str, tmp_path: Path, old: str = "", new: str = "") -> Path:
    """The shipped profile ``name`` in tmp_path, ``old`` replaced by ``new`` once (``old``
    must occur); ``{profile_dir}`` is the example's folder, so the copy starts the same
    service wherever it lies."""
    source = SOURCES[name]
    text = source.read_text(encoding="utf-8").replace("{profile_dir}", str(source.parent))
    if old:
        assert old in text, f"{source} no longer has {old!r}"
        text = text.replace(old, new, 1)
    path = tmp_path / f"{name}-edited.toml"
    path.write_text(text, encoding="utf-8")
    return path


def logout_by_delete(tmp_path: Path) -> Path:
    """The reference profile saying logout is ``DELETE`` (the service has ``POST``)."""
    return copied("reference", tmp_path, '[routes.logout]\nmethod = "POST"',
                  '[routes.logout]\nmethod = "DELETE"')  # fmt: skip


@dataclass
class Running:
    profile: ServiceProfile
    service: CommandService

    def preflight(self, profile: ServiceProfile | None = None) -> PreflightResult:
        api = AuthApi(profile or self.profile)
        return asyncio.run(preflight(api, self.service.worker_urls[0]))


def _start(name: str, redis: RedisServer, workdir: Path) -> Iterator[Running]:
    profile = load_profile(SOURCES[name])
    with service_of_profile(profile, workdir, redis_url=redis.url, workers=WORKERS) as service:
        service.start()
        yield Running(profile, service)


@pytest.fixture(scope="module")
def reference(redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    yield from _start("reference", redis, tmp_path_factory.mktemp("reference"))


@pytest.fixture(scope="module")
def naive(redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    yield from _start("naive", redis, tmp_path_factory.mktemp("naive"))


@pytest.fixture(scope="module")
def careful(redis: RedisServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    yield from _start("careful", redis, tmp_path_factory.mktemp("careful"))


# --- the shipped profiles pass ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_preflight_passes_for_a_shipped_profile(request: pytest.FixtureRequest, name: str) -> None:
    running: Running = request.getfixturevalue(name)
    result = running.preflight()
    assert result.ok, result.line
    assert result.line == ""
    logout = "204" if name == "careful" else "200"
    assert [step.split(" (")[0] for step in result.steps] == [
        "login 200", "verify 200", "refresh 200", f"logout {logout}", "verify after logout 401",
    ]  # fmt: skip


def test_preflight_reports_the_worker_and_the_check_the_answer_names(
    reference: Running, naive: Running
) -> None:
    verify = reference.preflight().steps[1]
    assert verify.startswith("verify 200 (worker w0-")
    assert verify.endswith(", check enforced)")
    assert naive.preflight().steps[1] == "verify 200 (worker None, check None)"


# --- three deliberately wrong profiles: one line each -----------------------------------------


def test_a_logout_method_the_service_does_not_have_is_named_with_the_openapi_hint(
    reference: Running, tmp_path: Path
) -> None:
    wrong = logout_by_delete(tmp_path)
    result = reference.preflight(load_profile(wrong))
    assert not result.ok
    assert result.line == (
        "logout: DELETE /auth/logout answered 405, expected 2xx; the service's OpenAPI lists "
        'POST for /auth/logout (body: {"error":"method_not_allowed","detail":"Method Not '
        'Allowed"})'
    )
    assert [step.split(" (")[0] for step in result.steps] == [
        "login 200", "verify 200", "refresh 200",
    ]  # fmt: skip


def test_a_wrong_access_token_path_is_named_with_the_keys_the_answer_has(
    careful: Running, tmp_path: Path
) -> None:
    wrong = copied("careful", tmp_path, 'access_token = "token.access"',
                   'access_token = "tokens.access"')  # fmt: skip
    result = careful.preflight(load_profile(wrong))
    assert result.line == (
        "login: the answer has no access token at 'tokens.access' (keys: token, user)"
    )
    assert result.steps == []


def test_a_json_login_to_a_form_route_is_named_with_the_422_it_got(
    naive: Running, tmp_path: Path
) -> None:
    wrong = copied("naive", tmp_path, 'body = "form"', 'body = "json"')
    result = naive.preflight(load_profile(wrong))
    prefix = (
        'login: POST /token answered 422, expected 2xx for alice (body: {"detail":[{"type":'
        '"missing","loc":["body","username"],"msg":"Field required"'
    )
    assert result.line.startswith(prefix), result.line
    assert result.line.endswith("...)")
    assert "\n" not in result.line


def test_the_cli_exits_1_with_the_one_line_and_the_steps_that_passed(tmp_path: Path) -> None:
    wrong = logout_by_delete(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "chaos.preflight", "--sut-profile", str(wrong), "--workers", "1"],
        cwd=ROOT, capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done
    assert done.stderr == (
        "preflight: reference: logout: DELETE /auth/logout answered 405, expected 2xx; the "
        "service's OpenAPI lists POST for /auth/logout (body: "
        '{"error":"method_not_allowed","detail":"Method Not Allowed"})\n'
    )
    lines = done.stdout.splitlines()
    assert lines[0] == "preflight: login 200"
    assert lines[1].startswith("preflight: verify 200 (worker w0-")
    assert lines[2] == "preflight: refresh 200"
    assert len(lines) == 3


# --- --suggest --------------------------------------------------------------------------------


def suggest(command: str, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chaos.preflight", "--suggest", "--workers", "1",
         "--command", command, "--out", str(out)],
        cwd=ROOT, env={**os.environ, **env}, capture_output=True, text=True,
        timeout=CLI_TIMEOUT_S, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def reference_draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("draft") / "reference.toml"
    done = suggest(REFERENCE_COMMAND, out, {"AUTH_JWT_SECRET": SECRET})
    assert done.returncode == 0, done
    assert done.stdout == (
        f"preflight: draft profile written to {out}; check every line marked CHECK\n"
    )
    return out


def test_suggest_drafts_the_reference_services_routes(reference_draft: Path) -> None:
    draft = load_profile(reference_draft)
    assert draft.command == REFERENCE_COMMAND
    assert (draft.login.method, draft.login.path, draft.login.body) == ("POST", "/auth/login",
                                                                       "json")  # fmt: skip
    assert (draft.verify.method, draft.verify.path) == ("GET", "/auth/verify")  # not /metrics
    assert (draft.logout.method, draft.logout.path) == ("POST", "/auth/logout")
    assert draft.refresh is not None
    assert (draft.refresh.path, draft.refresh.send) == ("/auth/refresh", "body")
    assert "not found in the document" not in reference_draft.read_text(encoding="utf-8")


def test_the_reference_draft_passes_preflight(
    reference_draft: Path, redis: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUTH_JWT_SECRET", SECRET)  # the draft has no env: the user's shell's
    draft = load_profile(reference_draft)
    with service_of_profile(draft, tmp_path, redis_url=redis.url, workers=1) as service:
        service.start()
        result = asyncio.run(preflight(AuthApi(draft), service.base_url))
    assert result.ok, result.line
    assert len(result.steps) == 5


def test_suggest_says_which_keys_it_could_not_guess(redis: RedisServer, tmp_path: Path) -> None:
    users = tmp_path / "users.txt"
    users.write_text("alice:alice-pw\nbob:bob-pw\n", encoding="utf-8")
    serve = ROOT / "examples" / "careful" / "serve.py"
    env = {"CAREFUL_REDIS_URL": redis.url, "CAREFUL_USERS_FILE": str(users),
           "CAREFUL_JWT_SECRET": SECRET, "CAREFUL_PBKDF2_ITERATIONS": "2000"}  # fmt: skip
    out = tmp_path / "careful.toml"
    done = suggest(f"{{python}} {serve} --port {{port}} --workers {{workers}}", out, env)
    assert done.returncode == 0, done
    text = out.read_text(encoding="utf-8")
    # careful's sign-in form has "login", not "username": no login route is guessed
    assert '[routes.login]\npath = "/login"  # CHECK: no POST with username and password found' in (
        text
    )
    draft = load_profile(out)  # a draft that loads, for the user to finish
    assert (draft.verify.method, draft.verify.path) == ("GET", "/api/whoami")
    assert (draft.logout.method, draft.logout.path) == ("POST", "/api/auth/signout")
    assert draft.refresh is None  # /api/auth/renew is not named refresh
