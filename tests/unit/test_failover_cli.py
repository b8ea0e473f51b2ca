"""python -m chaos.failover: the list, bad input as one line with exit 2 (no stack), the
scenario table's controls, and what a series of runs adds up to."""

from pathlib import Path

import pytest

from chaos.checkers import Verdict
from chaos.failover import SCENARIOS, DrillResult
from chaos.failover.__main__ import main
from chaos.failover.series import Series


def test_list_names_every_scenario(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == list(SCENARIOS)


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["--scenario", "nope"], "unknown scenario 'nope'"),
        ([], "unknown scenario (none given)"),
        (["--scenario", "restart-aof-always", "--seed", "x"], "--seed: not an integer"),
        (["--scenario", "restart-aof-always", "--runs", "0"], "--runs: 0 is not between 1"),
        (["--scenario", "restart-aof-always", "--runs", "many"], "--runs: not an integer"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert named in err
    assert len(err.strip().splitlines()) == 1


def test_the_suite_loses_revocations_only_in_its_negative_controls() -> None:
    losing = [s.name for s in SCENARIOS.values() if s.in_suite and s.expect_loss]
    assert losing == [
        "restart-persistence-off",
        "sentinel-link-cut-kill-auto",
    ]
    # the other stacks' policy controls run from the command line (same checker)
    assert not SCENARIOS["sentinel2-link-cut-kill-auto"].in_suite
    assert not SCENARIOS["cluster-link-cut-kill-auto"].in_suite


@pytest.mark.parametrize("name", [n for n in SCENARIOS if n.endswith("-auto")])
def test_a_policy_control_differs_from_its_drill_only_by_the_older_policy(name: str) -> None:
    control, drill = SCENARIOS[name], SCENARIOS[name.removesuffix("-auto")]
    assert not drill.expect_loss
    assert (control.topology, control.fault) == (drill.topology, drill.fault)
    assert (control.duration_s, control.mix, control.clients) == (
        drill.duration_s,
        drill.mix,
        drill.clients,
    )
    assert control.service_args == ("--replica-wait", "auto", *drill.service_args)
    assert "--replica-wait" not in drill.service_args  # the drill runs the default policy
    assert "--min-replicas" not in drill.service_args


def _run(seed: int, lost: int, logout_ms: float | None, verify_ms: float) -> DrillResult:
    figures = {
        "acknowledged": 100,
        "lost": lost,
        "logout_refused": 10,
        "logout_steady_ms": logout_ms,
        "unavailable_steady_ms": verify_ms,
    }
    verdicts = [Verdict("I8", lost == 0, figures), Verdict("I9", True)]
    scenario = SCENARIOS["sentinel-link-cut-kill"]
    return DrillResult(scenario, verdicts, Path("."), 30.0, {}, seed)


def test_a_series_sums_the_losses_and_gives_median_and_max() -> None:
    runs = [_run(0, 0, 14_000.0, 4_000.0), _run(1, 0, 15_000.0, 5_000.0), _run(2, 2, None, 6e3)]
    series = Series(SCENARIOS["sentinel-link-cut-kill"], runs)
    text = series.summary()
    assert "lost acknowledged revocations: 2 of 300 (per run: 0, 0, 2)" in text
    assert "median 14,500 ms, max 15,000 ms; not steady before the end in 1 runs" in text
    assert (
        "verifies unavailable (fault to steady enforced, slowest worker): median 5,000 ms" in text
    )
    assert "as expected (zero loss, no other verdict false): 2 of 3" in text
    assert not series.as_expected()  # a loss in a zero-loss drill fails the series
    assert Series(series.scenario, runs[:2]).as_expected()
