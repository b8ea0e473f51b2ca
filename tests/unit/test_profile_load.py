"""Service profiles from TOML: every shipped profile loads (also as ``[tool.auth-chaos.service]``
of a pyproject.toml); a bad key is one line naming the file, the table and the key; budgets
merge as the contract's defaults, then the profile's, then ``--budget``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from chaos.checkers import DEFAULT_BUDGETS, LatencyBudget
from chaos.gate import BudgetError
from chaos.profile import ProfileError, ServiceProfile, load_profile, reference_profile
from fixtures.config import ConfigError, Sources, fold
from fixtures.profile import merged_budgets

ROOT = Path(__file__).resolve().parents[2]
PROFILES = {
    "reference": ROOT / "profiles" / "reference.toml",
    "naive": ROOT / "examples" / "naive" / "profile.toml",
    "careful": ROOT / "examples" / "careful" / "profile.toml",
    "broken": ROOT / "tests" / "broken_service" / "profile.toml",
}
REFERENCE_TEXT = PROFILES["reference"].read_text(encoding="utf-8")
HEADER = re.compile(r"^\[(?P<table>[\w.-]+)\]", re.MULTILINE)


def _written(tmp_path: Path, text: str, name: str = "profile.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _edited(old: str, new: str) -> str:
    """The reference profile with ``old`` (which must occur) replaced by ``new`` once."""
    assert old in REFERENCE_TEXT, f"the reference profile no longer has {old!r}"
    return REFERENCE_TEXT.replace(old, new, 1)


def _error(tmp_path: Path, text: str) -> str:
    path = _written(tmp_path, text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert "\n" not in message, message
    prefix = f"{path}: "
    assert message.startswith(prefix), message
    return message.removeprefix(prefix)


# --- the shipped profiles ---------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_every_shipped_profile_loads(name: str) -> None:
    profile = load_profile(PROFILES[name])
    assert profile.name == name
    assert profile.source == PROFILES[name].resolve()
    assert "{port}" in profile.command
    assert len(profile.accounts.users) >= 2


def test_the_shipped_profiles_say_what_their_services_do() -> None:
    reference, naive, careful, broken = (load_profile(PROFILES[n]) for n in
                                         ("reference", "naive", "careful", "broken"))  # fmt: skip
    assert reference == reference_profile()
    assert (reference.login.body, reference.worker_header) == ("json", "X-Worker-Id")
    assert reference.port_per_worker
    assert reference.policy.failure == "open-bounded"
    assert reference.policy.bound_s == 60.0
    assert reference.policy.modes == ("open", "closed")
    assert (naive.login.body, naive.logout.method, naive.worker_header) == ("form", "DELETE", None)
    assert naive.degraded is None
    assert naive.redis.worst_call_s == 10.0
    assert naive.refresh is not None
    assert naive.refresh.send == "header"
    assert (careful.login.username, careful.login.access_token) == ("login", "token.access")
    assert careful.refresh is not None
    assert (careful.refresh.send, careful.refresh.field) == ("cookie", "careful_refresh")
    assert careful.logout.statuses == frozenset({204, 401, 503})
    assert careful.policy.mode == "closed"
    assert careful.redis.revocation_key == "rvk:{jti}"
    # defaults of keys a profile leaves out
    assert (broken.workers, broken.login.method, broken.verify.method) == (1, "POST", "GET")
    assert broken.verify.statuses == frozenset({200, 401, 503})


def _as_pyproject(text: str) -> str:
    """The same tables under [tool.auth-chaos.service], after a [project] table."""
    nested = HEADER.sub(lambda m: f"[tool.auth-chaos.service.{m['table']}]", text)
    return '[project]\nname = "myservice"\nversion = "1.0"\n\n' + nested


@pytest.mark.parametrize("name", sorted(PROFILES))
def test_a_pyproject_table_loads_the_same_profile(tmp_path: Path, name: str) -> None:
    text = PROFILES[name].read_text(encoding="utf-8")
    pyproject = _written(tmp_path, _as_pyproject(text), "pyproject.toml")
    from_pyproject = load_profile(pyproject)
    assert from_pyproject.source == pyproject.resolve()
    assert from_pyproject.folder == tmp_path.resolve()  # {profile_dir}: the pyproject's folder
    assert replace(from_pyproject, source=None) == replace(
        load_profile(PROFILES[name]), source=None
    )


def test_a_bad_key_in_a_pyproject_is_named_with_the_pyproject(tmp_path: Path) -> None:
    text = _as_pyproject(_edited('body = "json"', 'body = "xml"'))
    path = _written(tmp_path, text, "pyproject.toml")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    assert message.endswith("routes.login]: body: expected one of json, form, got 'xml'")


def test_a_pyproject_without_the_table_says_so(tmp_path: Path) -> None:
    path = _written(tmp_path, '[project]\nname = "x"\n[tool.ruff]\nline-length = 99\n',
                    "pyproject.toml")  # fmt: skip
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert str(caught.value) == f"{path}: no [tool.auth-chaos.service] table"


# --- one line naming the file, the table and the key -----------------------------------------

BAD_PROFILES = [
    # wrong type
    ('workers = 2\n', 'workers = "two"\n',
     "[service]: workers: expected a whole number, got 'two'"),
    ("workers = 2\n", "workers = 2.5\n", "[service]: workers: expected a whole number, got 2.5"),
    ("workers = 2\n", "workers = 0\n", "[service]: workers: expected a whole number >= 1"),
    ("port_per_worker = true", 'port_per_worker = "yes"',
     "[service]: port_per_worker: expected true or false, got 'yes'"),
    ('name = "reference"', "name = 7", "[service]: name: expected a string, got 7"),
    ("timeout_s = 0.1", "timeout_s = true", "[redis]: timeout_s: expected a number, got True"),
    ('users = [["alice", "alice-pw"], ["bob", "bob-pw"]]', 'users = ["alice", "bob"]',
     "[accounts]: users: expected [[name, password], ...]"),
    ("statuses = [200, 401, 503]", "statuses = [200, 401, 500]",
     "[routes.verify]: statuses: 500 is never a documented answer"),
    ('ready = "/health"', 'ready = "health"',
     "[service]: ready: a path starts with /, got 'health'"),
    # missing key or table
    ("timeout_s = 0.1\n", "", "[redis]: missing 'timeout_s'"),
    ('[service]\nname = "reference"\n', "[service]\n", "[service]: missing 'name'"),
    # a misspelt table is named as unknown, with the nearest known name (not "missing")
    ("[policy]\n", "[politics]\n", "unknown table [politics] (did you mean [policy]?)"),
    ("[routes.verify]\n", "[routes.verifi]\n", "[routes]: missing [routes.verify]"),
    # unknown key (a typo)
    ('path = "/auth/verify"', 'pth = "/auth/verify"', "[routes.verify]: unknown key 'pth'"),
    ('header = "X-Worker-Id"', 'headr = "X-Worker-Id"', "[worker]: unknown key 'headr'"),
    ("retries = 1", "retires = 1", "[redis]: unknown key 'retires'"),
    ("[metrics]\n", "[metrcs]\n", "unknown table [metrcs] (did you mean [metrics]?)"),
    ("[metrics]\n", "[prometheus]\n", "unknown table [prometheus]"),
    ("[routes.refresh]\n", "[routes.refesh]\n", "[routes]: unknown key 'refesh'"),
    # a value outside the enumeration
    ('body = "json"', 'body = "xml"',
     "[routes.login]: body: expected one of json, form, got 'xml'"),
    ('[routes.logout]\nmethod = "POST"', '[routes.logout]\nmethod = "DEL"',
     "[routes.logout]: method: expected one of GET, POST, PUT, PATCH, DELETE, got 'DEL'"),
    ('send = "body"', 'send = "query"',
     "[routes.refresh]: send: expected one of body, header, cookie, got 'query'"),
    ('failure = "open-bounded"', 'failure = "sometimes"',
     "[policy]: failure: expected one of open, closed, open-bounded, got 'sometimes'"),
    ('modes = ["open", "closed"]', 'modes = ["open", "ajar"]',
     "[policy]: modes: expected a list of open and closed"),
    ('revocation_key = "revoked:{jti}"', 'revocation_key = "revoked"',
     "[redis]: revocation_key: needs one {jti} or {token}, got 'revoked'"),
    # budgets
    ("verify_p99_ms = 2000", "verify_p99_ms = -1",
     "[budgets]: verify_p99_ms: expected a positive number, got -1"),
    ("verify_p99_ms = 2000", "verify_p99_ms = 0",
     "[budgets]: verify_p99_ms: expected a positive number, got 0"),
    ("verify_p99_ms = 2000", 'verify_p99_ms = "fast"',
     "[budgets]: verify_p99_ms: expected a number, got 'fast'"),
]  # fmt: skip


@pytest.mark.parametrize(("old", "new", "says"), BAD_PROFILES)
def test_a_bad_key_is_one_line_naming_file_table_and_key(
    tmp_path: Path, old: str, new: str, says: str
) -> None:
    assert _error(tmp_path, _edited(old, new)) == says


def test_a_file_that_is_not_toml_or_not_there_is_one_line(tmp_path: Path) -> None:
    assert _error(tmp_path, REFERENCE_TEXT + "\n[[[\n").startswith("not TOML (")
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(ProfileError) as caught:
        load_profile(missing)
    assert str(caught.value) == f"{missing}: No such file or directory"


def test_open_bounded_without_a_bound_is_named(tmp_path: Path) -> None:
    text = _edited("bound_s = 60\n", "")
    assert _error(tmp_path, text) == "[policy]: bound_s: open-bounded needs the bound in seconds"


def test_a_command_without_a_port_placeholder_is_named(tmp_path: Path) -> None:
    text = _edited("--port {port}", "--port 8000")
    assert _error(tmp_path, text).startswith("[service]: command needs a {port} placeholder: ")


def test_the_preflight_cli_refuses_a_bad_profile_in_one_line(tmp_path: Path) -> None:
    """Before anything starts: with no redis-server on PATH the answer is the same."""
    path = _written(tmp_path, _edited('body = "json"', 'body = "xml"'))
    no_redis = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    done = subprocess.run(
        [sys.executable, "-m", "chaos.preflight", "--sut-profile", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False, env=no_redis,
    )  # fmt: skip
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert done.stderr == (
        f"preflight: {path}: [routes.login]: body: expected one of json, form, got 'xml'\n"
    )


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--sut-profile", "p.toml", "--wrokers", "2"], "unrecognized arguments: --wrokers 2"),
        (["--sut-profile", "p.toml", "--workers", "two"], "argument --workers: invalid int"),
        (["--sut-profile", "p.toml", "--workers", "0"], "--workers: expected an integer >= 1"),
        ([], "give --sut-profile FILE, or --suggest with --command"),
        (["--suggest"], "--suggest needs --command"),
    ],
)
def test_the_preflight_cli_refuses_a_bad_flag_in_one_line(argv: list[str], says: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "chaos.preflight", *argv],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("preflight: "), done.stderr
    assert says in done.stderr, done.stderr


# --- budgets: the contract's defaults, then the profile's, then --budget ----------------------


def _budgets_of(text: str, tmp_path: Path) -> ServiceProfile:
    return load_profile(_written(tmp_path, text))


def test_budgets_merge_defaults_then_profile_then_overrides(tmp_path: Path) -> None:
    profile = _budgets_of(_edited("logout_p99_ms = 3000\n", "logout_p99_ms = 3000\n"
                                  "enforced_s = 20\n"), tmp_path)  # fmt: skip
    budgets = merged_budgets(profile, {"verify_p99_ms": 700.0, "logout_max_ms": 900.0})
    assert budgets.latency["verify"] == LatencyBudget(700.0)  # --budget over the profile's 2000
    assert budgets.latency["logout"] == LatencyBudget(3000.0, 900.0)  # profile p99, --budget max
    assert budgets.latency["login"] == LatencyBudget(4000.0)  # the profile's
    assert budgets.enforced_s == 20.0  # the profile's, over the contract's 10
    assert budgets.degraded_bound_s == 60.0  # the policy's bound_s
    assert budgets.settle_s == 10.0
    assert budgets.request_deadline_ms == 5000.0


def test_a_profile_without_budgets_gets_the_contracts() -> None:
    naive = load_profile(PROFILES["naive"])
    assert naive.budgets == {}
    budgets = merged_budgets(naive, {})
    assert budgets.latency == dict(DEFAULT_BUDGETS)  # never this repository's looser ones
    assert merged_budgets(naive, {"verify_p99_ms": 250.0}).latency["verify"].p99_ms == 250.0


def test_the_policy_bound_is_i2s_unless_a_budget_says_otherwise(tmp_path: Path) -> None:
    bounded = _budgets_of(_edited("bound_s = 60", "bound_s = 12"), tmp_path)
    assert merged_budgets(bounded, {}).degraded_bound_s == 12.0
    assert merged_budgets(bounded, {"degraded_bound_s": 3.0}).degraded_bound_s == 3.0
    in_budgets = _budgets_of(_edited("[budgets]\n", "[budgets]\ndegraded_bound_s = 30\n"),
                             tmp_path)  # fmt: skip
    assert merged_budgets(in_budgets, {}).degraded_bound_s == 30.0


def test_an_unknown_budget_key_names_where_it_was_written(tmp_path: Path) -> None:
    profile = _budgets_of(_edited("verify_p99_ms = 2000", "verfy_p99_ms = 2000"), tmp_path)
    with pytest.raises(BudgetError) as caught:
        merged_budgets(profile, {})
    assert str(caught.value).startswith(
        f"{profile.source}: [budgets]: unknown key 'verfy_p99_ms' (expected <route>_p99_ms"
    )
    with pytest.raises(BudgetError) as caught:
        merged_budgets(reference_profile(), {"verify_p95_ms": 300.0})
    assert str(caught.value).startswith("--budget: unknown key 'verify_p95_ms' (expected ")
    assert "\n" not in str(caught.value)


def _overrides(text: str) -> dict[str, float]:
    return fold(Sources(options={"sut_budgets": text}, env={}, ini={})).budgets


def test_budget_overrides_parse_key_value_pairs() -> None:
    assert _overrides("verify_p99_ms=500,logout_max_ms=1500.5") == {
        "verify_p99_ms": 500.0, "logout_max_ms": 1500.5,
    }  # fmt: skip
    assert fold(Sources(options={}, env={"SUT_BUDGETS": "login_p99_ms=9"}, ini={})).budgets == {
        "login_p99_ms": 9.0
    }


@pytest.mark.parametrize("text", ["verify_p99_ms=fast", "verify_p99_ms", "=500",
                                  "verify_p99_ms=0", "verify_p99_ms=-3"])  # fmt: skip
def test_a_bad_budget_flag_is_one_line_naming_it(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _overrides(text)
    assert str(caught.value) == f"--budget: expected KEY=POSITIVE_NUMBER, got {text!r}"
