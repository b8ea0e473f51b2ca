"""Bad flags of benchmarks.compare, locust_run, pool_exhaustion and load's --sut-profile:
one line naming the flag, exit 2, nothing started; and the plans good flags make."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks import locust_run, pool_exhaustion
from benchmarks.compare.__main__ import estimate_s, parse
from benchmarks.compare.designs import DESIGN_KEYS, build_designs
from benchmarks.load.__main__ import parse as parse_load
from chaos.workload.http1 import Answer

NAIVE = "examples/naive/profile.toml"


def _refused(call: Callable[[], object], flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        call()
    assert exited.value.code == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert flag in last, last


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--users", "10,x"], "--users"),
        (["--users", "0"], "--users"),
        (["--users", "10,10"], "--users"),
        (["--duration", "0"], "--duration"),
        (["--ramp", "-1"], "--ramp"),
        (["--designs", "naive,fast"], "--designs"),
        (["--designs", "naive,naive"], "--designs"),
        (["--hash-cost", "1000"], "--hash-cost"),
        (["--workers", "0"], "--workers"),
        (["--spy-rate", "-1"], "--spy-rate"),
        (["--scaling-workers", "1,x"], "--scaling-workers"),
        (["--scaling-workers", "1,99"], "--scaling-workers"),
        (["--target-rps", "0"], "--target-rps"),
        (["--naive-profile", "/nonexistent/profile.toml"], "--naive-profile"),
        (["--from-figures", "/nonexistent/figures.json"], "--from-figures"),
        (["--preset", "huge"], "--preset"),
    ],
)
def test_compare_refuses_bad_flags(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(lambda: parse(argv), flag, capsys)


def test_compare_short_default_fits_ten_minutes() -> None:
    _, plan = parse([])
    assert plan is not None
    assert [p.users for p in plan.loads] == [500, 2000]
    assert [d.key for d in plan.designs] == list(DESIGN_KEYS)
    assert plan.scaling_workers == (1, 2, 3, 4)
    assert estimate_s(plan) < 600


def test_compare_full_preset_uses_the_load_presets() -> None:
    _, plan = parse(["--preset", "full", "--scaling-workers", "none"])
    assert plan is not None
    assert [(p.users, p.ramp_per_s, p.duration_s) for p in plan.loads] == [
        (1_000, 50, 60), (5_000, 100, 90), (10_000, 100, 150)]  # fmt: skip
    assert plan.scaling_workers == ()
    _, given = parse(["--users", "1000,300", "--duration", "5"])
    assert given is not None
    assert [(p.users, p.duration_s) for p in given.loads] == [(1000, 5), (300, 5)]


def test_designs_are_built_with_their_flags_and_hashing() -> None:
    naive, reference, skipped, ceiling = build_designs(list(DESIGN_KEYS), hash_cost=16)
    assert naive.profile.name == "naive"
    assert naive.args == ()
    assert "SHA-256" in naive.hashing
    assert reference.args == ("--hash-cost", "16")
    assert "LIGHTER THAN THE DEFAULT" in reference.hashing
    assert not reference.profile.port_per_worker
    assert "--port-per-worker" not in reference.profile.command
    assert "--bench-skip-revocation-check" in skipped.args
    assert not skipped.checks_revocation
    assert ceiling.ceiling_path == "/health"


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--workers", "-1"], "--workers"),
        (["--expect-workers", "2"], "--expect-workers"),
        (["--workers", "2", "--expect-workers", "1"], "--expect-workers"),
        (["--master-host", "10.0.0.1"], "--master-host"),
        (
            [
                "--master-host",
                "h",
                "--workers",
                "1",
                "--base-url",
                "http://x:1",
                "--username",
                "u",
                "--password",
                "p",
            ],
            "--base-url",
        ),
        (["--workers", "1", "--master-port", "70000"], "--master-port"),
        (["--service-workers", "0"], "--service-workers"),
        (["--sut-profile", "/nonexistent.toml"], "--sut-profile"),
        (["--sut-profile", NAIVE, "--hash-cost", "16"], "--hash-cost"),
    ],
)
def test_locust_run_refuses_bad_flags(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(lambda: locust_run.main(argv), flag, capsys)


def test_locust_master_and_worker_command_lines() -> None:
    run = locust_run.locust_argv("http://h:1", 10, 5, 30, Path("/tmp/x"))
    master = locust_run.master_argv(run, bind_host="127.0.0.1", port=5557, expect=2)
    assert master[: len(run)] == run
    assert master[len(run) : len(run) + 3] == ["--master", "--master-bind-host", "127.0.0.1"]
    assert "--expect-workers" in master
    worker = locust_run.worker_argv("127.0.0.1", 5557)
    assert worker[3:] == ["--worker", "--master-host", "127.0.0.1", "--master-port", "5557"]
    log = "x reported as ready. 1 workers connected.\ny reported as ready. 2 workers connected."
    assert locust_run.workers_ready(log) == 2
    assert locust_run.workers_ready("nothing") == 0


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--pool-size", "0"], "--pool-size"),
        (["--latency-ms", "100"], "--latency-ms"),
        (["--clients", "0"], "--clients"),
        (["--duration", "0"], "--duration"),
    ],
)
def test_pool_exhaustion_refuses_bad_flags(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(lambda: pool_exhaustion.main(argv), flag, capsys)


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--preset", "1k", "--sut-profile", "/nonexistent.toml"], "--sut-profile"),
        (["--preset", "1k", "--sut-profile", NAIVE, "--hash-cost", "16"], "--hash-cost"),
        (["--preset", "1k", "--sut-profile", NAIVE, "--service-args", "--x"], "--service-args"),
        (["--preset", "1k", "--base-url", "http://127.0.0.1:1"], "--base-url"),
    ],
)
def test_load_refuses_bad_profile_flags(
    argv: list[str], flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(lambda: parse_load(argv), flag, capsys)


def test_load_takes_a_profile_and_its_workers() -> None:
    args, _ = parse_load(["--preset", "1k", "--sut-profile", NAIVE])
    assert args.profile.name == "naive"
    assert args.workers == args.profile.workers
    assert args.accounts is None  # the profile's own accounts
    args, _ = parse_load(["--preset", "1k", "--sut-profile", NAIVE, "--workers", "2",
                          "--accounts", "50"])  # fmt: skip
    assert (args.workers, args.accounts) == (2, 50)
    args, _ = parse_load(["--preset", "1k", "--base-url", "http://h:1", "--sut-profile", NAIVE])
    assert args.profile.name == "naive"
    plain, _ = parse_load(["--preset", "1k"])
    assert plain.profile is None
    assert plain.workers == 2
    assert plain.accounts == 200


def _answers(*outcomes: tuple[str, str]) -> pool_exhaustion.Answers:
    answers = pool_exhaustion.Answers()
    for route, outcome in outcomes:
        answers.record(route, outcome, 0.01)
    return answers


def _watch(peak: float) -> pool_exhaustion.PoolWatch:
    return pool_exhaustion.PoolWatch("http://x", peak={"w0-1": peak}, capacity={"w0-1": 5.0})


QUIET = {"auth_breaker_opened_total": 0.0, "auth_revocation_degraded_total": 0.0}


def test_pool_verdict_passes_a_shed_full_pool_and_catches_every_breach() -> None:
    shed = _answers(("logout", "503 + Retry-After"), ("logout", "200"), ("verify", "200"))
    found, failures, filled = pool_exhaustion.verdict(shed, _watch(4), 4, {"w0-1": 0}, QUIET)
    assert (failures, filled) == ([], True)
    assert "FILLED" in found[0]
    _, _, filled = pool_exhaustion.verdict(shed, _watch(2), 4, {"w0-1": 0}, QUIET)
    assert not filled  # never full: unknown, not a pass
    # negative controls: each breach of the contract named
    for outcome in ("500", "200 degraded", "503 WITHOUT Retry-After",
                    "200 (REVOKED TOKEN ACCEPTED)", "timeout"):  # fmt: skip
        _, failures, _ = pool_exhaustion.verdict(
            _answers(("verify", outcome)), _watch(4), 4, {"w0-1": 0}, QUIET)  # fmt: skip
        assert failures, outcome
        assert outcome in failures[0], outcome
    _, failures, _ = pool_exhaustion.verdict(shed, _watch(4), 4, {"w0-1": 2}, QUIET)
    assert "still in use" in failures[0]
    opened = {**QUIET, "auth_breaker_opened_total": 1.0}
    _, failures, _ = pool_exhaustion.verdict(shed, _watch(4), 4, {"w0-1": 0}, opened)
    assert "breaker opened" in failures[0]


def test_pool_answers_are_named_by_what_the_contract_cares_about() -> None:
    assert pool_exhaustion.outcome_of("logout", Answer(503, {b"retry-after": b"1"}, b"")) == (
        "503 + Retry-After")  # fmt: skip
    assert pool_exhaustion.outcome_of("logout", Answer(503, {}, b"")) == "503 WITHOUT Retry-After"
    degraded = Answer(200, {b"x-revocation-check": b"degraded"}, b"")
    assert pool_exhaustion.outcome_of("verify", degraded) == "200 degraded"
    assert pool_exhaustion.outcome_of("verify_revoked", Answer(200, {}, b"")).endswith(
        "ACCEPTED)")  # fmt: skip
