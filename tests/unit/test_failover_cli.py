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


def test_the_negative_control_is_the_only_suite_scenario_allowed_to_lose() -> None:
    # the negative control is the only scenario of the suite that may lose revocations
    losing = [s.name for s in SCENARIOS.values() if s.in_suite and s.expect_loss]
    assert losing == ["restart-persistence-off"]
