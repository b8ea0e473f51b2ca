"""python -m chaos.failover: the list, and bad input as one line with exit 2 (no stack)."""

import pytest

from chaos.failover import SCENARIOS
from chaos.failover.__main__ import main


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
        "sentinel2-link-cut-kill-auto",
        "cluster-link-cut-kill-auto",
    ]


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
